package rules

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"
)

// Ref names a package-level symbol ("ioutil.ReadAll") or a member of a type
// ("redis.Client.SetEX") through the rule set's package names. A member's
// type may be "*", any type of the package ("redis.*.XTrim"), and a
// method "*", any method of the type ("redis.Cmdable.*").
type Ref struct {
	Paths  []string // import paths of the package: the versions it names
	Pkg    string   // the name used in the rule file
	Name   string   // symbol, or type for a member
	Member string   // method or field, or ""
}

func (r Ref) String() string {
	s := r.Pkg + "." + r.Name
	if r.Member != "" {
		s += "." + r.Member
	}
	return s
}

// Path returns the import path of a Ref to a package with one path: the
// target of a rename or a type change.
func (r Ref) Path() string { return r.Paths[0] }

// parseRef parses "pkg.Name" (members == false) or "pkg.Type.Member"
// (members == true).
func parseRef(set *Set, s string, member bool) (Ref, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	want, form := 2, "pkg.Name"
	if member {
		want, form = 3, "pkg.Type.Member"
	}
	if len(parts) != want {
		return Ref{}, fmt.Errorf("%q is not of the form %s", s, form)
	}
	for i, p := range parts {
		if !token.IsIdentifier(p) && !(member && i > 0 && p == "*") {
			return Ref{}, fmt.Errorf("%q: %q is not a Go identifier", s, p)
		}
	}
	paths, ok := set.Packages[parts[0]]
	if !ok {
		return Ref{}, fmt.Errorf("%q: package %q is not declared under \"packages\" (declared: %s)", s, parts[0], knownNames(set.Packages))
	}
	r := Ref{Paths: paths, Pkg: parts[0], Name: parts[1]}
	if member {
		r.Member = parts[2]
	}
	return r, nil
}

// parseTarget parses the target of a rename or a type change: "pkg.Name"
// of a package with one import path, or a bare name (Pkg and Paths empty),
// which keeps the qualifier of each use.
func parseTarget(set *Set, s string) (Ref, error) {
	if token.IsIdentifier(s) {
		return Ref{Name: s}, nil
	}
	r, err := parseRef(set, s, false)
	if err != nil {
		return Ref{}, err
	}
	if len(r.Paths) != 1 {
		return Ref{}, fmt.Errorf("%q: package %q stands for several import paths; a target names a package with one, or is a bare name that keeps the qualifier", s, r.Pkg)
	}
	return r, nil
}

// in reports whether pkg is one of r's packages.
func (r Ref) in(pkg *types.Package) bool {
	return pkg != nil && slices.Contains(r.Paths, pkg.Path())
}

// isPkgLevel reports whether obj is the package-level object named by r.
func (r Ref) isPkgLevel(obj types.Object) bool {
	return obj != nil && r.in(obj.Pkg()) && obj.Name() == r.Name && obj.Parent() == obj.Pkg().Scope()
}

// typeIn returns the type r names as seen from pkg (the package of an
// object found in the file), or nil.
func (r Ref) typeIn(pkg *types.Package) types.Type {
	if !r.in(pkg) {
		return nil
	}
	tn, ok := pkg.Scope().Lookup(r.Name).(*types.TypeName)
	if !ok {
		return nil
	}
	return tn.Type()
}

// isMethod reports whether fn is the method r.Member of type r.Name, or the
// same method declared by an interface of r's package that the type
// implements, or promoted into the type from an embedded field.
func (r Ref) isMethod(fn *types.Func) bool {
	if fn == nil || r.Member != "*" && fn.Name() != r.Member || !r.in(fn.Pkg()) {
		return false
	}
	if r.Name == "*" {
		return recvNamed(fn) != nil
	}
	t := r.typeIn(fn.Pkg())
	if t == nil {
		return false
	}
	if obj, _, _ := types.LookupFieldOrMethod(t, true, fn.Pkg(), fn.Name()); obj == fn {
		return true
	}
	recv := recvNamed(fn)
	if recv == nil || !types.IsInterface(recv) {
		return false
	}
	iface := recv.Underlying().(*types.Interface)
	return types.Implements(t, iface) || types.Implements(types.NewPointer(t), iface)
}

// isMethodUse reports whether id, a use of the method fn, is a use of
// the method r names: fn is that method (isMethod), or r's type is an
// interface that declares the method and id selects it from a value whose
// type implements the interface ("old.Cmdable.*" covers the calls on a
// *old.Client too).
func (r Ref) isMethodUse(f View, id *ast.Ident, fn *types.Func) bool {
	if r.isMethod(fn) {
		return true
	}
	if fn == nil || r.Member != "*" && fn.Name() != r.Member || !r.in(fn.Pkg()) {
		return false
	}
	iface, ok := r.typeIn(fn.Pkg()).(*types.Named)
	if !ok || !types.IsInterface(iface) {
		return false
	}
	if m, _, _ := types.LookupFieldOrMethod(iface, false, fn.Pkg(), fn.Name()); m == nil {
		return false
	}
	sel, ok := f.Parents(id)[0].(*ast.SelectorExpr)
	s := f.Info().Selections[sel]
	if !ok || s == nil {
		return false
	}
	it := iface.Underlying().(*types.Interface)
	return types.Implements(s.Recv(), it) || types.Implements(types.NewPointer(s.Recv()), it)
}

// isField reports whether v is the field r.Member of struct type r.Name
// (directly or promoted).
func (r Ref) isField(v *types.Var) bool {
	if v == nil || !v.IsField() || v.Name() != r.Member || !r.in(v.Pkg()) {
		return false
	}
	if r.Name == "*" {
		return true
	}
	t := r.typeIn(v.Pkg())
	if t == nil {
		return false
	}
	obj, _, _ := types.LookupFieldOrMethod(t, true, v.Pkg(), r.Member)
	return obj == v
}

// isRecv reports whether t, the type of the value a member is selected
// from, is r's type Name or a pointer to it.
func (r Ref) isRecv(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && r.in(n.Obj().Pkg()) && n.Obj().Name() == r.Name
}

func recvNamed(fn *types.Func) *types.Named {
	sig, _ := fn.Type().(*types.Signature)
	if sig == nil || sig.Recv() == nil {
		return nil
	}
	t := sig.Recv().Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, _ := t.(*types.Named)
	return n
}

// MatchPath reports whether the import path p is one of paths, where a path
// ending in "/..." also matches its subpackages.
func MatchPath(p string, paths []string) bool { return matchPath(p, paths) }

func matchPath(p string, paths []string) bool {
	return slices.ContainsFunc(paths, func(q string) bool {
		if base, ok := strings.CutSuffix(q, "/..."); ok {
			return p == base || strings.HasPrefix(p, base+"/")
		}
		return p == q
	})
}

func importPath(spec *ast.ImportSpec) string {
	return strings.Trim(spec.Path.Value, "`\"")
}

// qualifiedUse splits a use of a package-level object into its qualifier:
// for "pkg.Name" it returns the selector and the package identifier; for a
// dot-imported "Name" it returns nil, nil.
func qualifiedUse(f View, id *ast.Ident) (*ast.SelectorExpr, *ast.Ident) {
	parents := f.Parents(id)
	if len(parents) == 0 {
		return nil, nil
	}
	sel, ok := parents[0].(*ast.SelectorExpr)
	if !ok || sel.Sel != id {
		return nil, nil
	}
	x, _ := sel.X.(*ast.Ident)
	return sel, x
}

// eachUse calls fn for every identifier of the file, in source order, whose
// use resolves to an object, with that object.
func eachUse(f View, fn func(id *ast.Ident, obj types.Object)) {
	for _, u := range f.IdentUses() {
		fn(u.Ident, u.Obj)
	}
}
