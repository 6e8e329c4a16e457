package goredis

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/migrate-tool/migrate/rules"
)

// ContextArg gives each v6 and v7 call of a command its context argument:
// every function and method whose v8 counterpart takes a context.Context
// first (ctxmethods.txt, generated from the v8 types). The context is the
// one in scope at the call (rules.ContextInScope), the one a callback gets
// from the rule callbacks, or the argument of a WithContext the call is
// chained on; else context.TODO(), reported.
var ContextArg = rule("context-arg", "every v6 and v7 command gets the context in scope, or context.TODO(), reported", v67, runContextArg)

var withContextV67 = rules.Members(v67, anyType, "WithContext")

func runContextArg(p *rules.Pass) error {
	for _, u := range p.UsesOf(commands) {
		fn, ok := u.Obj.(*types.Func)
		if !ok || !gains(fn) {
			continue
		}
		if call := rules.CallOf(p, u.Ident); call != nil {
			contextCall(p, call)
		} else if sel, ok := p.Parents(u.Ident)[0].(*ast.SelectorExpr); ok {
			// A method value or expression: its callers must change too.
			p.Report(sel.Sel.Pos(), "method value "+sel.Sel.Name+": in v9 it takes a context.Context first; pass one where the value is called", true)
		}
	}
	return nil
}

func contextCall(p *rules.Pass, call *ast.CallExpr) {
	if collapses(p, call) {
		// c.WithContext(ctx).Get(k) -> c.Get(ctx, k)
		p.Rewrite(call.Pos(), rules.Replace(call, func(old dst.Node) dst.Node {
			c := old.(*dst.CallExpr)
			sel := rules.Unparen(c.Fun).(*dst.SelectorExpr)
			with := rules.Unparen(sel.X).(*dst.CallExpr)
			sel.X = rules.Unparen(with.Fun).(*dst.SelectorExpr).X
			prependArg(c, with.Args[0])
			return c
		}))
		return
	}
	ctx := contextFor(p, call)
	p.Rewrite(call.Pos(), rules.Replace(call, func(old dst.Node) dst.Node {
		c := old.(*dst.CallExpr)
		prependArg(c, ctx())
		return c
	}))
}

// collapses reports whether call is chained on a WithContext call of v6 or
// v7 ("c.WithContext(ctx).Get(k)"), whose argument becomes the call's
// context.
func collapses(f rules.View, call *ast.CallExpr) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	inner, ok := ast.Unparen(sel.X).(*ast.CallExpr)
	if !ok || len(inner.Args) != 1 {
		return false
	}
	fn, ok := typeutil.Callee(f.Info(), inner).(*types.Func)
	if !ok {
		return false
	}
	_, ok = withContextV67.Match(fn)
	return ok
}

// contextFor returns a builder of the context argument of a call: the
// context.Context in scope, the parameter that the rule callbacks gives an
// enclosing callback, or a reported context.TODO().
func contextFor(f *rules.Pass, call *ast.CallExpr) func() dst.Expr {
	if lit, name := enclosingCallback(f, call); name != "" {
		if v := rules.ContextInScope(f, call.Pos()); v == nil || !within(v.Pos(), lit) {
			return func() dst.Expr { return dst.NewIdent(name) }
		}
	}
	return f.ContextArg(call)
}

// enclosingCallback returns the innermost function literal around n that
// the rule callbacks gives a named context parameter, and that name.
func enclosingCallback(f rules.View, n ast.Node) (*ast.FuncLit, string) {
	for _, p := range f.Parents(n) {
		if lit, ok := p.(*ast.FuncLit); ok {
			if name := contextParamName(f, lit); name != "" {
				return lit, name
			}
		}
	}
	return nil, ""
}

func within(pos token.Pos, n ast.Node) bool { return n.Pos() <= pos && pos < n.End() }

// prependArg puts e first among a call's arguments, on the line the first
// argument was on.
func prependArg(c *dst.CallExpr, e dst.Expr) {
	if len(c.Args) > 0 {
		e.Decorations().Before = c.Args[0].Decorations().Before
	}
	c.Args = append([]dst.Expr{e}, c.Args...)
}
