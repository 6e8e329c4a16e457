package rules

import (
	"go/ast"
	"go/token"
	"go/types"
	"go/version"
	"slices"
	"strings"

	"github.com/dave/dst"
	"golang.org/x/tools/go/ast/astutil"
)

// ctxHole is the template variable "$ctx": in a "to" template it stands for
// the context.Context in scope at the call.
const ctxHole = "ctx"

// ContextInScope returns the context.Context variable to pass at pos: of
// the innermost scope that has parameters or variables of that type
// declared before pos and visible there (enclosing functions and closures
// included, then package-level ones), the one declared last, which is
// usually derived from the others (ctx, cancel := context.WithTimeout(parent,
// d)). It returns nil when there is none.
func ContextInScope(f View, pos token.Pos) *types.Var {
	all := contextsInScope(f, pos)
	if len(all) == 0 {
		return nil
	}
	return all[len(all)-1]
}

// contextsInScope returns the candidates of ContextInScope, in the order
// they were declared: when there are several, the choice of the last is a
// guess to report unless it is clear (choiceClear).
func contextsInScope(f View, pos token.Pos) []*types.Var {
	return varsInScope(f, pos, IsContext)
}

// varsInScope returns the variables whose type is, by is, of the innermost
// scope that has some declared before pos and visible there, in the order
// they were declared.
func varsInScope(f View, pos token.Pos, is func(types.Type) bool) []*types.Var {
	scope := f.Pkg().Scope().Innermost(pos)
	for s := scope; s != nil && s != types.Universe; s = s.Parent() {
		var found []*types.Var
		for _, name := range s.Names() {
			v, ok := s.Lookup(name).(*types.Var)
			if !ok || !is(v.Type()) || name == "_" {
				continue
			}
			if s != v.Pkg().Scope() && v.Pos() >= pos {
				continue // declared after the call
			}
			if _, obj := scope.LookupParent(name, pos); obj == v {
				found = append(found, v)
			}
		}
		if len(found) > 0 {
			slices.SortFunc(found, func(a, b *types.Var) int { return int(a.Pos() - b.Pos()) })
			return found
		}
	}
	return nil
}

// choiceClear reports whether the choice among all (the result of
// contextsInScope) needs no check: there is one, or the last is derived
// from each other one (ctx, cancel := context.WithTimeout(parent, d)).
func choiceClear(f View, all []*types.Var) bool {
	if len(all) < 2 {
		return true
	}
	last := all[len(all)-1]
	var rhs []ast.Expr
	path, _ := astutil.PathEnclosingInterval(f.AST(), last.Pos(), last.Pos())
	if len(path) > 1 {
		switch p := path[1].(type) {
		case *ast.AssignStmt:
			rhs = p.Rhs
		case *ast.ValueSpec:
			rhs = p.Values
		}
	}
	used := map[types.Object]bool{}
	for _, e := range rhs {
		ast.Inspect(e, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				used[f.Info().Uses[id]] = true
			}
			return true
		})
	}
	for _, v := range all[:len(all)-1] {
		if !used[v] {
			return false
		}
	}
	return true
}

// choiceMessage says which of several contexts in scope was passed.
func choiceMessage(all []*types.Var) string {
	var names []string
	for _, v := range all {
		names = append(names, v.Name())
	}
	last := names[len(names)-1]
	return "several contexts are in scope (" + strings.Join(names, ", ") + "): " + last + ", declared last, was passed; check that it is the right one"
}

// carriers are the types whose values carry a context, with the selector
// chain that gives it: the request of an HTTP handler, gin's and echo's
// contexts (their requests'), and from Go 1.24 a test's or benchmark's.
var carriers = []struct {
	path, name, how, minGo string
}{
	{"net/http", "Request", ".Context()", ""},
	{"github.com/gin-gonic/gin", "Context", ".Request.Context()", ""},
	{"github.com/labstack/echo/v4", "Context", ".Request().Context()", ""},
	{"testing", "T", ".Context()", "go1.24"},
	{"testing", "B", ".Context()", "go1.24"},
	{"testing", "F", ".Context()", "go1.24"},
}

// carrierInScope returns the variable in scope at pos whose value carries
// a context (carriers), declared last in the innermost scope that has one,
// and the selector chain that gives the context; or nil.
func carrierInScope(f View, pos token.Pos) (*types.Var, string) {
	goVersion := f.Pkg().GoVersion()
	how := func(t types.Type) string {
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		n, ok := types.Unalias(t).(*types.Named)
		if !ok || n.Obj().Pkg() == nil {
			return ""
		}
		for _, c := range carriers {
			if n.Obj().Pkg().Path() == c.path && n.Obj().Name() == c.name && (c.minGo == "" || goVersion != "" && version.Compare(goVersion, c.minGo) >= 0) {
				return c.how
			}
		}
		return ""
	}
	all := varsInScope(f, pos, func(t types.Type) bool { return how(t) != "" })
	if len(all) == 0 {
		return nil, ""
	}
	v := all[len(all)-1]
	return v, how(v.Type())
}

// IsContext reports whether t is context.Context.
func IsContext(t types.Type) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

// outlived reports whether the context v, passed at n, comes from
// outside a goroutine that n runs in ("go func() { ... }()" in a request
// handler): once the function that started it returns, v may be cancelled
// while the goroutine still runs, which the old call, without a context,
// never saw.
func outlived(f View, v *types.Var, n ast.Node) bool {
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

// ContextArg returns a builder of the context argument of a call (the
// $ctx of templates): the context variable in scope (ContextInScope),
// reported when the choice among several needs a check or when the call
// runs in a goroutine that may outlive it; else context.TODO(), reported,
// so that a reviewer can thread a real context through. The reports are
// sites of the rule at the call.
func (p *Pass) ContextArg(call *ast.CallExpr) func() dst.Expr {
	return contextArg(p, p.Qualifier, func(msg string) { p.Report(call.Pos(), msg, false) }, call)
}

func contextArg(v View, qual func(string, token.Pos) *dst.Ident, report func(string), call *ast.CallExpr) func() dst.Expr {
	if all := contextsInScope(v, call.Pos()); len(all) > 0 {
		c := all[len(all)-1]
		if !choiceClear(v, all) {
			report(choiceMessage(all))
		}
		if outlived(v, c, call) {
			report(c.Name() + " comes from outside this goroutine, which may outlive it: if so, its commands fail once " + c.Name() + " is cancelled; pass context.WithoutCancel(" + c.Name() + ") or a context of the goroutine's own")
		}
		return func() dst.Expr { return dst.NewIdent(c.Name()) }
	}
	if c, how := carrierInScope(v, call.Pos()); c != nil {
		if outlived(v, c, call) {
			report("the context of " + c.Name() + " ends with the request, and this goroutine may outlive it: if so, its commands fail once it is cancelled; pass context.WithoutCancel(" + c.Name() + how + ") or a context of the goroutine's own")
		}
		return func() dst.Expr {
			e, _ := decorateExpr(c.Name() + how)
			return e
		}
	}
	q := qual("context", call.Pos())
	report("no context.Context in scope: context.TODO() was passed; thread the caller's context through")
	return func() dst.Expr {
		return &dst.CallExpr{Fun: &dst.SelectorExpr{X: q, Sel: dst.NewIdent("TODO")}}
	}
}
