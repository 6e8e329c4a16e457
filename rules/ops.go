package rules

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"github.com/dave/dst"
)

// base holds what every declarative rule has.
type base struct {
	spec  *Spec
	paths []string
}

// ID returns the rule's group when it has one: its sites and findings are
// reported under the group's name.
func (b *base) ID() string {
	if b.spec.Group != "" {
		return b.spec.Group
	}
	return b.spec.ID
}

func (b *base) Paths() []string { return b.paths }

// move moves an import path and its subpackages, or, given a package
// name of the set, exactly the import paths the name stands for: the
// versions of a library nest (github.com/go-redis/redis/v8 lies below
// github.com/go-redis/redis), and each is moved as itself.
type move struct {
	base
	froms []string
	exact bool
	to    string
}

func newMove(set *Set, spec *Spec) (Rule, error) {
	froms, exact := set.Packages[spec.Move], true
	if froms == nil {
		froms, exact = []string{strings.TrimSuffix(spec.Move, "/...")}, false
	}
	to := strings.TrimSuffix(spec.To, "/...")
	for _, p := range append([]string{to}, froms...) {
		if p == "" || strings.ContainsAny(p, " \t\"\\") {
			return nil, fmt.Errorf("%q is not an import path", p)
		}
	}
	if spec.Name != "" && !token.IsIdentifier(spec.Name) {
		return nil, fmt.Errorf("name %q is not a Go identifier", spec.Name)
	}
	m := &move{base: base{spec: spec, paths: froms}, froms: froms, exact: exact, to: to}
	if !exact {
		m.paths = []string{froms[0] + "/..."}
	} else {
		spec.moveFrom = froms
	}
	return m, nil
}

// newPath returns the path an import moves to, or "".
func (m *move) newPath(old string) string {
	if m.exact {
		if slices.Contains(m.froms, old) {
			return m.to
		}
		return ""
	}
	if from := m.froms[0]; old == from || strings.HasPrefix(old, from+"/") {
		return m.to + old[len(from):]
	}
	return ""
}

func (m *move) Apply(f File) error {
	for _, spec := range f.AST().Imports {
		to := m.newPath(importPath(spec))
		if to == "" || f.Ignored(m, spec.Pos()) {
			continue
		}
		f.SetImportPath(spec, to, m.spec.Name)
		f.Rewrote(m, spec.Pos())
	}
	return nil
}

// rename renames a package-level symbol, possibly into another package.
type rename struct {
	base
	old Ref
	to  Ref
}

func newRename(set *Set, spec *Spec) (Rule, error) {
	old, err := parseRef(set, spec.Rename, false)
	if err != nil {
		return nil, err
	}
	to, err := parseTarget(set, spec.To)
	if err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	return &rename{base: base{spec: spec, paths: old.Paths}, old: old, to: to}, nil
}

func (r *rename) Apply(f File) error {
	eachUse(f, func(id *ast.Ident, obj types.Object) {
		if !r.old.isPkgLevel(obj) || obj.Pkg() == f.Pkg() || f.Ignored(r, id.Pos()) {
			return
		}
		replaceUse(f, id, r.to)
		f.Rewrote(r, id.Pos())
	})
	return nil
}

// replaceUse replaces a use of a package-level object by to: a bare name
// in place, keeping the qualifier, else replaceQualified.
func replaceUse(f File, id *ast.Ident, to Ref) {
	if to.Pkg != "" {
		replaceQualified(f, id, to)
	} else if d, ok := f.Dst(id).(*dst.Ident); ok {
		d.Name = to.Name
	}
}

// replaceQualified replaces a use of a package-level object (qualified or
// dot-imported) by to.Pkg.Name, with to's package imported.
func replaceQualified(f File, id *ast.Ident, to Ref) {
	sel, x := qualifiedUse(f, id)
	if sel == nil {
		f.Unuse(id)
		q := f.Qualifier(to.Path(), id.Pos())
		f.Replace(id, func(old dst.Node) dst.Node {
			oid := old.(*dst.Ident)
			n := &dst.SelectorExpr{X: q, Sel: dst.NewIdent(to.Name)}
			n.Decs.NodeDecs = oid.Decs.NodeDecs
			return n
		})
		return
	}
	f.Unuse(x)
	q := f.Qualifier(to.Path(), sel.Pos())
	f.Replace(sel, func(old dst.Node) dst.Node {
		s := old.(*dst.SelectorExpr)
		q.Decs = s.X.(*dst.Ident).Decs
		s.X = q
		s.Sel.Name = to.Name
		return s
	})
}

// memberRename renames a method or a field.
type memberRename struct {
	base
	old    Ref
	to     string
	method bool
}

func newMethodRename(set *Set, spec *Spec) (Rule, error) {
	return newMemberRename(set, spec, spec.Method, true)
}

func newFieldRename(set *Set, spec *Spec) (Rule, error) {
	return newMemberRename(set, spec, spec.Field, false)
}

func newMemberRename(set *Set, spec *Spec, ref string, method bool) (Rule, error) {
	old, err := parseRef(set, ref, true)
	if err != nil {
		return nil, err
	}
	if old.Member == "*" {
		return nil, fmt.Errorf("%q: a rename names one member, not \"*\"", ref)
	}
	if !token.IsIdentifier(spec.To) {
		return nil, fmt.Errorf("to: %q is not a Go identifier (give the new member name only)", spec.To)
	}
	return &memberRename{base: base{spec: spec, paths: old.Paths}, old: old, to: spec.To, method: method}, nil
}

func (m *memberRename) Apply(f File) error {
	eachUse(f, func(id *ast.Ident, obj types.Object) {
		if !m.matches(f, id, obj) || f.Ignored(m, id.Pos()) {
			return
		}
		if d, ok := f.Dst(id).(*dst.Ident); ok {
			d.Name = m.to
			f.Rewrote(m, id.Pos())
		}
	})
	return nil
}

// matches reports whether id, a use of obj, is a use of the rule's method
// or field.
func (m *memberRename) matches(v View, id *ast.Ident, obj types.Object) bool {
	_, isFunc := obj.(*types.Func)
	return isFunc == m.method && m.old.matchesUse(v, id, obj)
}

// Unquote returns the path of an import spec.
func Unquote(lit *ast.BasicLit) string {
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		return lit.Value
	}
	return s
}

// ReplaceUse replaces one use of a package-level object, qualified
// ("ioutil.ReadDir") or dot-imported ("ReadDir"), by the symbol name of the
// package at path, importing it. Rules written in Go use it.
func ReplaceUse(f File, id *ast.Ident, path, name string) {
	replaceQualified(f, id, Ref{Paths: []string{path}, Pkg: path, Name: name})
}

// Indirect: a move, rename or manual report of a package-level symbol
// needs the import; a method or field can be reached through another
// package's values.
func (m *move) Indirect() bool         { return false }
func (r *rename) Indirect() bool       { return false }
func (m *memberRename) Indirect() bool { return true }
