package goredis

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// contextArg gives each v6 and v7 call of a command its context argument:
// every function and method whose v8 counterpart takes a context.Context
// first (ctxmethods.txt, generated from the v8 types). The context is the
// one in scope at the call (rules.ContextInScope), the one a callback gets
// from the rule callbacks, or the argument of a WithContext the call is
// chained on; else context.TODO(), reported.
type contextArg struct {
	base
	list   map[string]bool
	owners *owners
}

func newContextArg(b base) rules.Rule {
	return &contextArg{base: b.with(6, 7), list: parseContextList(ctxMethodsText), owners: &owners{}}
}

// v8Names maps the v6 and v7 names that v8 changed to the v8 names, under
// which the list knows them (the rule renames does the renaming).
var v8Names = map[string]string{
	"FlushDb":             "FlushDB",
	"DbSize":              "DBSize",
	"GeoRadiusRO":         "GeoRadius",
	"GeoRadiusByMemberRO": "GeoRadiusByMember",
	"ForEachNode":         "ForEachShard",
}

// notInserted are the listed methods whose calls get no context here:
// v9's Conn takes none again, WithContext goes away (rule with-context),
// ChannelWithSubscriptions takes options (rule channel-size), and
// NewScanCmd's process argument changed type (rule removed reports it).
var notInserted = map[string]bool{"Conn": true, "WithContext": true, "ChannelWithSubscriptions": true, "NewScanCmd": true}

// gains reports whether a call of fn (of v6 or v7) needs a context
// argument in v9.
func (r *contextArg) gains(fn *types.Func) bool {
	if v := version(fn.Pkg()); v != 6 && v != 7 {
		return false
	}
	sig := fn.Type().(*types.Signature)
	if sig.Params().Len() > 0 && rules.IsContext(sig.Params().At(0).Type()) {
		return false // already has one: DoContext, hooks
	}
	name := fn.Name()
	if n, ok := v8Names[name]; ok {
		name = n
	}
	if notInserted[name] {
		return false
	}
	if sig.Recv() == nil {
		return r.list[name]
	}
	for _, owner := range r.owners.of(fn) {
		if r.list[owner+"."+name] {
			return true
		}
	}
	return false
}

func (r *contextArg) Apply(f rules.File) error {
	ast.Inspect(f.AST(), func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			r.call(f, n)
		case *ast.SelectorExpr:
			r.methodValue(f, n)
		}
		return true
	})
	return nil
}

func (r *contextArg) call(f rules.File, call *ast.CallExpr) {
	fn, _, _ := callee(f.Info(), call, 6, 7)
	if fn == nil || !r.gains(fn) || f.Ignored(r, call.Pos()) {
		return
	}
	f.Rewrote(r, call.Pos())
	if r.collapses(f, call) {
		// c.WithContext(ctx).Get(k) -> c.Get(ctx, k)
		f.Replace(call, func(old dst.Node) dst.Node {
			c := old.(*dst.CallExpr)
			sel := rules.Unparen(c.Fun).(*dst.SelectorExpr)
			with := rules.Unparen(sel.X).(*dst.CallExpr)
			sel.X = rules.Unparen(with.Fun).(*dst.SelectorExpr).X
			prependArg(c, with.Args[0])
			return c
		})
		return
	}
	ctx := contextFor(f, r, call)
	f.Replace(call, func(old dst.Node) dst.Node {
		c := old.(*dst.CallExpr)
		prependArg(c, ctx())
		return c
	})
}

// collapses reports whether call is chained on a WithContext call of v6 or
// v7 ("c.WithContext(ctx).Get(k)"), whose argument becomes the call's
// context.
func (r *contextArg) collapses(f rules.File, call *ast.CallExpr) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	inner, ok := ast.Unparen(sel.X).(*ast.CallExpr)
	if !ok || len(inner.Args) != 1 {
		return false
	}
	fn, _, _ := callee(f.Info(), inner, 6, 7)
	return fn != nil && fn.Name() == "WithContext" && recvName(fn) != ""
}

// methodValue reports a method value or expression of a command that gains
// a context: its callers must change too.
func (r *contextArg) methodValue(f rules.File, sel *ast.SelectorExpr) {
	fn, ok := f.Info().Uses[sel.Sel].(*types.Func)
	if !ok || !r.gains(fn) || isCalled(f, sel) || f.Ignored(r, sel.Pos()) {
		return
	}
	f.Report(r, sel.Sel.Pos(), "method value "+sel.Sel.Name+": in v9 it takes a context.Context first; pass one where the value is called", true)
}

// isCalled reports whether e is the function of a call.
func isCalled(f rules.File, e ast.Expr) bool {
	var child ast.Node = e
	for _, p := range f.Parents(e) {
		switch p := p.(type) {
		case *ast.ParenExpr:
			child = p
			continue
		case *ast.CallExpr:
			return p.Fun == child
		}
		return false
	}
	return false
}

// contextFor returns a builder of the context argument of a call: the
// context.Context in scope, the parameter that the rule callbacks gives an
// enclosing callback, or a reported context.TODO().
func contextFor(f rules.File, r rules.Rule, call *ast.CallExpr) func() dst.Expr {
	if lit, name := enclosingCallback(f, call); name != "" {
		if v := rules.ContextInScope(f, call.Pos()); v == nil || !within(v.Pos(), lit) {
			return func() dst.Expr { return dst.NewIdent(name) }
		}
	}
	return rules.ContextArg(f, r, call)
}

// enclosingCallback returns the innermost function literal around n that
// the rule callbacks gives a named context parameter, and that name.
func enclosingCallback(f rules.File, n ast.Node) (*ast.FuncLit, string) {
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
