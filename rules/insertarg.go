package rules

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"
)

// insertArg inserts an argument into every call of a set of methods or
// functions: the context in scope ($ctx) when the new API takes one first,
// say. Method values and expressions of them are reported (their callers
// must pass the argument), and so are calls it cannot extend: with fewer
// arguments than the index, or with one multi-valued argument.
type insertArg struct {
	base
	set   *Set
	refs  []Ref
	value dst.Expr // decorated; cloned for each call
	ctx   bool     // value uses $ctx
}

func newInsertArg(set *Set, spec *Spec) (*insertArg, error) {
	r := &insertArg{set: set}
	for _, s := range spec.InsertArg {
		ref, err := parseRef(set, s, strings.Count(s, ".") == 2)
		if err != nil {
			return nil, err
		}
		r.refs = append(r.refs, ref)
		r.paths = append(r.paths, ref.Paths...)
	}
	slices.Sort(r.paths)
	r.paths = slices.Compact(r.paths)
	if err := r.parseValue(spec.Value); err != nil {
		return nil, fmt.Errorf("value: %w", err)
	}
	r.spec = spec
	return r, nil
}

// parseValue checks the inserted expression: the only hole is $ctx, and
// the packages it names are declared with one import path.
func (r *insertArg) parseValue(s string) error {
	e, err := parseTemplate(s)
	if err != nil {
		return err
	}
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			if name, ok := holeName(n); ok && err == nil {
				if name != ctxHole {
					err = fmt.Errorf("$%s is not bound: an inserted value knows only $ctx", name)
				}
				r.ctx = true
			}
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && err == nil {
				if _, hole := holeName(id); !hole {
					err = r.set.Packages.checkTarget(id.Name)
				}
				return false
			}
		}
		return true
	})
	if err != nil {
		return err
	}
	r.value, err = decorateExpr(s)
	return err
}

// matches reports whether id, a use of obj, is a use of one of the
// rule's methods or functions.
func (r *insertArg) matches(v View, id *ast.Ident, obj types.Object) bool {
	_, isFunc := obj.(*types.Func)
	return isFunc && slices.ContainsFunc(r.refs, func(ref Ref) bool { return ref.matchesUse(v, id, obj) })
}

func (r *insertArg) run(p *Pass) error {
	eachUse(p, func(id *ast.Ident, obj types.Object) {
		if !r.matches(p, id, obj) || obj.Pkg() == p.Pkg() {
			return
		}
		switch call := CallOf(p, id); {
		case call == nil:
			p.Report(id.Pos(), fmt.Sprintf("%s is not called here: now it takes %s; pass it where this value is called", id.Name, r.spec.inserted()), true)
		case !r.extends(p, call):
			p.Report(call.Pos(), fmt.Sprintf("%s now takes %s, which cannot be inserted into this call (too few arguments, or one multi-valued): add it by hand", id.Name, r.spec.inserted()), true)
		default:
			r.insert(p, call)
		}
	})
	return nil
}

// extends reports whether the call's arguments leave room at the index:
// enough of them, not one multi-valued call, not after a spread slice.
func (r *insertArg) extends(v View, call *ast.CallExpr) bool {
	n, at := len(call.Args), r.spec.At
	if at > n || call.Ellipsis.IsValid() && at == n {
		return false
	}
	if n == 1 {
		if t, ok := v.Info().TypeOf(call.Args[0]).(*types.Tuple); ok && t.Len() > 1 {
			return false
		}
	}
	return true
}

// insert records the site of call, given the value; the context it
// passes for $ctx may be reported at the call first.
func (r *insertArg) insert(p *Pass, call *ast.CallExpr) {
	quals := qualifiers(p, r.set.Packages, call.Pos(), func(name string) bool { return usesPkgDst(r.value, name) })
	var ctx func() dst.Expr
	if r.ctx {
		ctx = p.ContextArg(call)
	}
	at := r.spec.At
	p.Rewrite(call.Pos(), Replace(call, func(old dst.Node) dst.Node {
		c := old.(*dst.CallExpr)
		v := r.instance(quals, ctx)
		if at < len(c.Args) {
			v.Decorations().Before = c.Args[at].Decorations().Before
		}
		c.Args = slices.Insert(c.Args, at, v)
		return c
	}))
}

// instance builds the value for one call: packages qualified, $ctx bound.
func (r *insertArg) instance(quals map[string]*dst.Ident, ctx func() dst.Expr) dst.Expr {
	out := dstutil.Apply(dst.Clone(r.value), nil, func(c *dstutil.Cursor) bool {
		switch n := c.Node().(type) {
		case *dst.SelectorExpr:
			if id, ok := n.X.(*dst.Ident); ok && quals[id.Name] != nil {
				n.X = quals[id.Name]
			}
		case *dst.Ident:
			if n.Name == holePrefix+ctxHole && ctx != nil {
				c.Replace(ctx())
			}
		}
		return true
	})
	return out.(dst.Expr)
}

// usesPkgDst reports whether the decorated expression e selects from the
// package name.
func usesPkgDst(e dst.Expr, name string) bool {
	found := false
	dst.Inspect(e, func(n dst.Node) bool {
		if sel, ok := n.(*dst.SelectorExpr); ok {
			if id, ok := sel.X.(*dst.Ident); ok && id.Name == name {
				found = true
			}
		}
		return !found
	})
	return found
}

// Indirect: a method can be reached through another package's values.
func (r *insertArg) Indirect() bool {
	return slices.ContainsFunc(r.refs, func(ref Ref) bool { return ref.Member != "" })
}
