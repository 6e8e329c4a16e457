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
// ("redis.Client.SetEX") through the rule set's package names.
type Ref struct {
	Path   string // import path of the package
	Pkg    string // the name used in the rule file
	Name   string // symbol, or type for a member
	Member string // method or field, or ""
}

func (r Ref) String() string {
	s := r.Pkg + "." + r.Name
	if r.Member != "" {
		s += "." + r.Member
	}
	return s
}

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
	for _, p := range parts {
		if !token.IsIdentifier(p) {
			return Ref{}, fmt.Errorf("%q: %q is not a Go identifier", s, p)
		}
	}
	path, ok := set.Packages[parts[0]]
	if !ok {
		return Ref{}, fmt.Errorf("%q: package %q is not declared under \"packages\" (declared: %s)", s, parts[0], knownNames(set.Packages))
	}
	r := Ref{Path: path, Pkg: parts[0], Name: parts[1]}
	if member {
		r.Member = parts[2]
	}
	return r, nil
}

// isPkgLevel reports whether obj is the package-level object named by r.
func (r Ref) isPkgLevel(obj types.Object) bool {
	return obj != nil && obj.Pkg() != nil && obj.Pkg().Path() == r.Path &&
		obj.Name() == r.Name && obj.Parent() == obj.Pkg().Scope()
}

// typeIn returns the type r names as seen from pkg (the package of an
// object found in the file), or nil.
func (r Ref) typeIn(pkg *types.Package) types.Type {
	if pkg == nil || pkg.Path() != r.Path {
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
	if fn == nil || fn.Name() != r.Member || fn.Pkg() == nil || fn.Pkg().Path() != r.Path {
		return false
	}
	t := r.typeIn(fn.Pkg())
	if t == nil {
		return false
	}
	if obj, _, _ := types.LookupFieldOrMethod(t, true, fn.Pkg(), r.Member); obj == fn {
		return true
	}
	recv := recvNamed(fn)
	if recv == nil || !types.IsInterface(recv) {
		return false
	}
	iface := recv.Underlying().(*types.Interface)
	return types.Implements(t, iface) || types.Implements(types.NewPointer(t), iface)
}

// isField reports whether v is the field r.Member of struct type r.Name
// (directly or promoted).
func (r Ref) isField(v *types.Var) bool {
	if v == nil || !v.IsField() || v.Name() != r.Member || v.Pkg() == nil || v.Pkg().Path() != r.Path {
		return false
	}
	t := r.typeIn(v.Pkg())
	if t == nil {
		return false
	}
	obj, _, _ := types.LookupFieldOrMethod(t, true, v.Pkg(), r.Member)
	return obj == v
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
func eachUse(f File, fn func(id *ast.Ident, obj types.Object)) {
	info := f.Info()
	ast.Inspect(f.AST(), func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if obj := info.Uses[id]; obj != nil {
				fn(id, obj)
			}
		}
		return true
	})
}
