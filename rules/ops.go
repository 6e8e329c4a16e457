package rules

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"github.com/dave/dst"
)

// base holds what every declarative rule has.
type base struct {
	spec  *Spec
	paths []string
}

func (b *base) ID() string      { return b.spec.ID }
func (b *base) Paths() []string { return b.paths }

// move moves an import path and its subpackages.
type move struct {
	base
	from, to string
}

func newMove(spec *Spec) (Rule, error) {
	from, to := strings.TrimSuffix(spec.Move, "/..."), strings.TrimSuffix(spec.To, "/...")
	for _, p := range []string{from, to} {
		if p == "" || strings.ContainsAny(p, " \t\"\\") {
			return nil, fmt.Errorf("%q is not an import path", p)
		}
	}
	if spec.Name != "" && !token.IsIdentifier(spec.Name) {
		return nil, fmt.Errorf("name %q is not a Go identifier", spec.Name)
	}
	return &move{base: base{spec: spec, paths: []string{from + "/..."}}, from: from, to: to}, nil
}

func (m *move) Apply(f File) error {
	for _, spec := range f.AST().Imports {
		old := importPath(spec)
		if old != m.from && !strings.HasPrefix(old, m.from+"/") {
			continue
		}
		if f.Ignored(m, spec.Pos()) {
			continue
		}
		f.SetImportPath(spec, m.to+old[len(m.from):], m.spec.Name)
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
	to, err := parseRef(set, spec.To, false)
	if err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	return &rename{base: base{spec: spec, paths: []string{old.Path}}, old: old, to: to}, nil
}

func (r *rename) Apply(f File) error {
	eachUse(f, func(id *ast.Ident, obj types.Object) {
		if !r.old.isPkgLevel(obj) || obj.Pkg() == f.Pkg() || f.Ignored(r, id.Pos()) {
			return
		}
		replaceQualified(f, id, r.to)
		f.Rewrote(r, id.Pos())
	})
	return nil
}

// replaceQualified replaces a use of a package-level object (qualified or
// dot-imported) by to.Pkg.Name, with to's package imported.
func replaceQualified(f File, id *ast.Ident, to Ref) {
	sel, x := qualifiedUse(f, id)
	if sel == nil {
		f.Unuse(id)
		q := f.Qualifier(to.Path, id.Pos())
		f.Replace(id, func(old dst.Node) dst.Node {
			oid := old.(*dst.Ident)
			n := &dst.SelectorExpr{X: q, Sel: dst.NewIdent(to.Name)}
			n.Decs.NodeDecs = oid.Decs.NodeDecs
			return n
		})
		return
	}
	f.Unuse(x)
	q := f.Qualifier(to.Path, sel.Pos())
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
	old   Ref
	to    string
	match func(obj types.Object) bool
}

func newMethodRename(set *Set, spec *Spec) (Rule, error) {
	return newMemberRename(set, spec, spec.Method, func(r Ref, obj types.Object) bool {
		fn, _ := obj.(*types.Func)
		return r.isMethod(fn)
	})
}

func newFieldRename(set *Set, spec *Spec) (Rule, error) {
	return newMemberRename(set, spec, spec.Field, func(r Ref, obj types.Object) bool {
		v, _ := obj.(*types.Var)
		return r.isField(v)
	})
}

func newMemberRename(set *Set, spec *Spec, ref string, match func(Ref, types.Object) bool) (Rule, error) {
	old, err := parseRef(set, ref, true)
	if err != nil {
		return nil, err
	}
	if !token.IsIdentifier(spec.To) {
		return nil, fmt.Errorf("to: %q is not a Go identifier (give the new member name only)", spec.To)
	}
	m := &memberRename{base: base{spec: spec, paths: []string{old.Path}}, old: old, to: spec.To}
	m.match = func(obj types.Object) bool { return match(old, obj) }
	return m, nil
}

func (m *memberRename) Apply(f File) error {
	eachUse(f, func(id *ast.Ident, obj types.Object) {
		if !m.match(obj) || f.Ignored(m, id.Pos()) {
			return
		}
		if d, ok := f.Dst(id).(*dst.Ident); ok {
			d.Name = m.to
			f.Rewrote(m, id.Pos())
		}
	})
	return nil
}

// manual reports every use of a symbol for manual follow-up.
type manual struct {
	base
	ref   Ref
	match func(obj types.Object) bool
}

func newManual(set *Set, spec *Spec) (Rule, error) {
	member := strings.Count(spec.Manual, ".") == 2
	ref, err := parseRef(set, spec.Manual, member)
	if err != nil {
		return nil, err
	}
	m := &manual{base: base{spec: spec, paths: []string{ref.Path}}, ref: ref}
	m.match = ref.isPkgLevel
	if member {
		m.match = func(obj types.Object) bool {
			switch o := obj.(type) {
			case *types.Func:
				return ref.isMethod(o)
			case *types.Var:
				return ref.isField(o)
			}
			return false
		}
	}
	return m, nil
}

func (m *manual) Apply(f File) error {
	eachUse(f, func(id *ast.Ident, obj types.Object) {
		if m.match(obj) && obj.Pkg() != f.Pkg() && !f.Replaced(id) && !f.Ignored(m, id.Pos()) {
			f.Report(m, id.Pos(), m.spec.Message, m.spec.TODO)
		}
	})
	return nil
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
	replaceQualified(f, id, Ref{Path: path, Name: name})
}

// Indirect: a move, rename or manual report of a package-level symbol
// needs the import; a method or field can be reached through another
// package's values.
func (m *move) Indirect() bool         { return false }
func (r *rename) Indirect() bool       { return false }
func (m *memberRename) Indirect() bool { return true }
func (m *manual) Indirect() bool       { return m.ref.Member != "" }
