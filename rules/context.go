package rules

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"
)

// ctxHole is the template variable "$ctx": in a "to" template it stands for
// the context.Context in scope at the call.
const ctxHole = "ctx"

// ContextInScope returns the context.Context variable to pass at pos: the
// innermost parameter or variable of that type declared before pos and
// visible there (preferring one named ctx within a scope), including those
// of enclosing functions and closures and package-level ones. It returns
// nil when there is none.
func ContextInScope(f File, pos token.Pos) *types.Var {
	scope := f.Pkg().Scope().Innermost(pos)
	for s := scope; s != nil && s != types.Universe; s = s.Parent() {
		if v := contextIn(s, pos); v != nil {
			if _, obj := scope.LookupParent(v.Name(), pos); obj == v {
				return v
			}
		}
	}
	return nil
}

func contextIn(s *types.Scope, pos token.Pos) *types.Var {
	var best *types.Var
	for _, name := range s.Names() {
		v, ok := s.Lookup(name).(*types.Var)
		if !ok || !IsContext(v.Type()) || name == "_" {
			continue
		}
		if s != v.Pkg().Scope() && v.Pos() >= pos {
			continue // declared after the call
		}
		if best == nil || name == "ctx" {
			best = v
		}
	}
	return best
}

// IsContext reports whether t is context.Context.
func IsContext(t types.Type) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

// OutlivedContext reports whether the context v, passed at n, comes from
// outside a goroutine that n runs in ("go func() { ... }()" in a request
// handler): once the function that started it returns, v may be cancelled
// while the goroutine still runs, which the old call, without a context,
// never saw.
func OutlivedContext(f File, v *types.Var, n ast.Node) bool {
	parents := f.Parents(n)
	for i, p := range parents {
		lit, ok := p.(*ast.FuncLit)
		if !ok || lit.Pos() <= v.Pos() && v.Pos() < lit.End() {
			continue
		}
		if i+2 < len(parents) {
			if call, ok := parents[i+1].(*ast.CallExpr); ok && call.Fun == lit {
				if _, ok := parents[i+2].(*ast.GoStmt); ok {
					return true
				}
			}
		}
	}
	return false
}

// OutlivedMessage is what a rule reports where OutlivedContext holds.
func OutlivedMessage(name string) string {
	return name + " comes from outside this goroutine, which may outlive it: if so, its commands fail once " + name + " is cancelled; pass context.WithoutCancel(" + name + ") or a context of the goroutine's own"
}

// contextAt returns a builder of the $ctx expression for a call: the
// context variable in scope, or context.TODO() (reported, so that a
// reviewer can thread a real context through).
func contextAt(f File, r Rule, call *ast.CallExpr) func() dst.Expr {
	if v := ContextInScope(f, call.Pos()); v != nil {
		if OutlivedContext(f, v, call) {
			f.Report(r, call.Pos(), OutlivedMessage(v.Name()), false)
		}
		return func() dst.Expr { return dst.NewIdent(v.Name()) }
	}
	q := f.Qualifier("context", call.Pos())
	f.Report(r, call.Pos(), "no context.Context in scope: context.TODO() was passed; thread the caller's context through", false)
	return func() dst.Expr {
		return &dst.CallExpr{Fun: &dst.SelectorExpr{X: q, Sel: dst.NewIdent("TODO")}}
	}
}
