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

// contextAt returns a builder of the $ctx expression for a call: the
// context variable in scope, or context.TODO() (reported, so that a
// reviewer can thread a real context through).
func contextAt(f File, r Rule, call *ast.CallExpr) func() dst.Expr {
	if v := ContextInScope(f, call.Pos()); v != nil {
		return func() dst.Expr { return dst.NewIdent(v.Name()) }
	}
	q := f.Qualifier("context", call.Pos())
	f.Report(r, call.Pos(), "no context.Context in scope: context.TODO() was passed; thread the caller's context through", false)
	return func() dst.Expr {
		return &dst.CallExpr{Fun: &dst.SelectorExpr{X: q, Sel: dst.NewIdent("TODO")}}
	}
}
