package goredis

import (
	"go/ast"
	"go/types"

	"github.com/dave/dst"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/migrate-tool/migrate/rules"
)

// WithContext removes the WithContext calls that v9 no longer has:
// X.WithContext(ctx) becomes X, which is the same client. In v8 the context
// given to WithContext was seen only by Context(), since every command takes
// its own, so the change is exact. In v6 and v7 a command chained on it
// ("c.WithContext(ctx).Get(k)") gets ctx as its argument (rule
// context-arg); anywhere else the client's commands now get the context in
// scope, so those sites are reported. Context() calls are reported: there
// is nothing to take the client's context from.
var WithContext = rule("with-context", "X.WithContext(ctx) becomes X; Context() calls are reported", v678, runWithContext)

var contextTypes = []string{"Client", "ClusterClient", "Ring", "Tx", "SentinelClient", "UniversalClient"}

var withContext = rules.Members(v678, contextTypes, "Context", "WithContext")

func runWithContext(f *rules.Pass) error {
	eachCall(f, withContext, func(call *ast.CallExpr, fn *types.Func, v int) {
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if !ok {
			return
		}
		switch {
		case fn.Name() == "Context" && len(call.Args) == 0:
			f.Report(call.Pos(), "Context() is gone in v9: use the caller's context (context.Background() if the client never had one)", true)
		case fn.Name() == "WithContext" && len(call.Args) == 1 && selfAssigned(f, call, sel):
			f.Report(call.Pos(), "WithContext is gone in v9 and this assignment would become x = x: delete it (the client is used as is; its commands take the context)", true)
		case fn.Name() == "WithContext" && len(call.Args) == 1 && !chained(f, call):
			removeWithContext(f, call, sel, v)
		}
	})
	return nil
}

// chained reports whether a v6 or v7 WithContext call is the receiver of a
// command that takes its context as argument.
func chained(f rules.View, with *ast.CallExpr) bool {
	parents := f.Parents(with)
	for len(parents) > 0 {
		if _, ok := parents[0].(*ast.ParenExpr); !ok {
			break
		}
		parents = parents[1:]
	}
	if len(parents) < 2 {
		return false
	}
	sel, ok := parents[0].(*ast.SelectorExpr)
	call, ok2 := parents[1].(*ast.CallExpr)
	if !ok || !ok2 || ast.Unparen(call.Fun) != sel {
		return false
	}
	fn, ok := typeutil.Callee(f.Info(), call).(*types.Func)
	return ok && gains(fn) && collapses(f, call)
}

func removeWithContext(f *rules.Pass, call *ast.CallExpr, sel *ast.SelectorExpr, v int) {
	f.Rewrite(call.Pos(), rules.Unwrap(call, func(c dst.Expr) dst.Expr {
		return rules.Unparen(c.(*dst.CallExpr).Fun).(*dst.SelectorExpr).X
	}))
	if v != 8 {
		f.Report(sel.Sel.Pos(), "WithContext is gone in v9: the client is used as is, and its commands now take the context in scope; check that it is the one given to WithContext", false)
	}
}

// selfAssigned reports whether the call is the right side of "x =
// x.WithContext(ctx)", which removing the call would turn into a
// self-assignment (go vet rejects it).
func selfAssigned(f rules.View, call *ast.CallExpr, sel *ast.SelectorExpr) bool {
	as, ok := f.Parents(call)[0].(*ast.AssignStmt)
	if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 || as.Rhs[0] != call {
		return false
	}
	return types.ExprString(as.Lhs[0]) == types.ExprString(ast.Unparen(sel.X))
}
