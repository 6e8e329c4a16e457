package rules

import (
	"go/ast"
	"go/types"
)

// Matcher tells whether a types.Object is one of a list of symbols, each
// named by a Ref: a package-level object (Member ""), or a method or field
// of a type (Member set). A method matches where it is declared, promoted
// into the type from an embedded field, or declared by an interface of the
// type's package that the type implements; a field matches directly or
// promoted. Several Refs may name the same symbol in several packages (the
// versions of one library). Declarative rules and rules written in Go
// share it, so that "is this the symbol?" has one answer.
type Matcher struct {
	refs   []Ref
	byName map[string][]Ref // by the object's name: Name, or Member
}

// NewMatcher returns a Matcher for refs.
func NewMatcher(refs ...Ref) *Matcher {
	m := &Matcher{refs: refs, byName: map[string][]Ref{}}
	for _, r := range refs {
		key := r.Name
		if r.Member != "" {
			key = r.Member
		}
		m.byName[key] = append(m.byName[key], r)
	}
	return m
}

// Members returns the Matcher of the members names of each of the types
// typeNames ("*" for any type) of the package at paths (its versions), for
// rules written in Go.
func Members(paths, typeNames []string, names ...string) *Matcher {
	var refs []Ref
	for _, n := range names {
		for _, t := range typeNames {
			refs = append(refs, Ref{Paths: paths, Name: t, Member: n})
		}
	}
	return NewMatcher(refs...)
}

// Funcs returns the Matcher of the package-level names of the package at
// paths (its versions), for rules written in Go.
func Funcs(paths []string, names ...string) *Matcher {
	var refs []Ref
	for _, n := range names {
		refs = append(refs, Ref{Paths: paths, Name: n})
	}
	return NewMatcher(refs...)
}

// Or returns the Matcher of the Refs of ms, in order.
func Or(ms ...*Matcher) *Matcher {
	var refs []Ref
	for _, m := range ms {
		refs = append(refs, m.refs...)
	}
	return NewMatcher(refs...)
}

// Match returns the first Ref, in the order given to NewMatcher, that obj
// is; Refs to one member by name come before those to any member ("*").
func (m *Matcher) Match(obj types.Object) (Ref, bool) {
	if obj == nil {
		return Ref{}, false
	}
	for _, key := range []string{obj.Name(), "*"} { // "*": any method of a type
		for _, r := range m.byName[key] {
			if r.matches(obj) {
				return r, true
			}
		}
	}
	return Ref{}, false
}

// matches reports whether obj is the symbol r names.
func (r Ref) matches(obj types.Object) bool {
	if r.Member == "" {
		return r.isPkgLevel(obj)
	}
	switch o := obj.(type) {
	case *types.Func:
		return r.isMethod(o)
	case *types.Var:
		return r.isField(o)
	}
	return false
}

// matchesUse reports whether id, a use of obj, is a use of the symbol r
// names: obj is that symbol (matches), or r's type is an interface and id
// selects its method from a value of a type that implements it
// (isMethodUse). Unlike matches, it needs the use, not only the object.
func (r Ref) matchesUse(v View, id *ast.Ident, obj types.Object) bool {
	if fn, ok := obj.(*types.Func); ok && r.Member != "" {
		return r.isMethodUse(v, id, fn)
	}
	return r.matches(obj)
}

// Use is an identifier of a file that refers to a symbol a Matcher names.
type Use struct {
	// Ident is the identifier: the Sel of a selector, or a lone name.
	Ident *ast.Ident
	// Obj is the object it refers to.
	Obj types.Object
	// Ref is the Ref that matched.
	Ref Ref
}

// UsesOf returns the identifiers of v's file, in source order, that refer
// to a symbol m names, declared outside the file's package (the package of
// the old API itself is not migrated).
func UsesOf(v View, m *Matcher) []Use {
	var out []Use
	eachUse(v, func(id *ast.Ident, obj types.Object) {
		if obj.Pkg() == v.Pkg() {
			return
		}
		if r, ok := m.Match(obj); ok {
			out = append(out, Use{Ident: id, Obj: obj, Ref: r})
		}
	})
	return out
}
