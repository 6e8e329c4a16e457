package rules

import (
	"go/ast"
	"go/types"
)

// implementsOp reports the types of the migrated code that implement an
// interface of the old package, with a value or a pointer receiver: where
// the new version's interface has other methods (jwt's Claims, go-redis's
// Hook), each implementation must change by hand. A package sees the
// interface when it imports the old package; a type declared in another
// file of the package than the one importing it is found too. Generic
// types are left out: whether one implements an interface depends on its
// instantiation.
type implementsOp struct {
	base
	set *Set
	ref Ref
}

func newImplements(set *Set, spec *Spec) (*implementsOp, error) {
	ref, err := parseRef(set, spec.Implements, false)
	if err != nil {
		return nil, err
	}
	if err := set.checkMessage("implements", spec.Message, ref.Paths, "{type}", "{path}", "{version}"); err != nil {
		return nil, err
	}
	spec.reported, spec.reportedLabel = ref.Paths[0], set.labels[ref.Paths[0]]
	return &implementsOp{base: base{spec: spec, paths: ref.Paths}, set: set, ref: ref}, nil
}

// oldInterface is the interface of one old version.
type oldInterface struct {
	path  string
	iface *types.Interface
}

func (r *implementsOp) run(p *Pass) error {
	ifaces := r.interfaces(p.Pkg())
	if len(ifaces) == 0 {
		return nil
	}
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		tn, _ := p.Info().Defs[ts.Name].(*types.TypeName)
		if tn == nil || tn.IsAlias() || isGeneric(tn.Type()) {
			return true
		}
		for _, o := range ifaces {
			if implementsEither(tn.Type(), o.iface) {
				msg := expand(r.spec.Message, "{type}", tn.Name(), "{path}", o.path, "{version}", r.set.labels[o.path])
				p.Report(ts.Name.Pos(), msg, r.spec.TODO)
			}
		}
		return true
	})
	return nil
}

// interfaces returns the rule's interface in each version of the old
// package that pkg imports, in the order of the rule's paths; none in the
// old package itself.
func (r *implementsOp) interfaces(pkg *types.Package) []oldInterface {
	if r.ref.in(pkg) {
		return nil
	}
	var out []oldInterface
	for _, path := range r.ref.Paths {
		imp := imported(pkg, path)
		if imp == nil {
			continue
		}
		if tn, ok := imp.Scope().Lookup(r.ref.Name).(*types.TypeName); ok {
			if iface, ok := tn.Type().Underlying().(*types.Interface); ok {
				out = append(out, oldInterface{path: path, iface: iface})
			}
		}
	}
	return out
}

// imported returns the package at path that pkg imports, or nil.
func imported(pkg *types.Package, path string) *types.Package {
	for _, imp := range pkg.Imports() {
		if imp.Path() == path {
			return imp
		}
	}
	return nil
}

// implementsEither reports whether t, a type that is not an interface,
// or a pointer to it implements iface.
func implementsEither(t types.Type, iface *types.Interface) bool {
	if types.IsInterface(t) {
		return false
	}
	return types.Implements(t, iface) || types.Implements(types.NewPointer(t), iface)
}

// isGeneric reports whether t is a generic type not instantiated.
func isGeneric(t types.Type) bool {
	n, ok := t.(*types.Named)
	return ok && n.TypeParams().Len() > 0 && n.TypeArgs().Len() == 0
}

// Indirect: the type may be declared in a file that does not import the
// old package, its methods in another.
func (r *implementsOp) Indirect() bool { return true }
