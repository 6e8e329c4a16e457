package goredis

import (
	"go/ast"
	"go/types"

	"github.com/dave/dst"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/migrate-tool/migrate/rules"
)

// Callbacks gives the v6 and v7 callbacks that v8 passes a context its
// parameter: the functions given to ClusterClient.ForEachMaster,
// ForEachSlave and ForEachNode (ForEachShard) and Ring.ForEachShard, and
// the OnConnect, ClusterSlots and (v6) Dialer options. A function literal
// gets the parameter; a named function would need a wrapper and is
// reported.
var Callbacks = rule("callbacks", "the callbacks v8 passes a context get a context parameter when they are function literals", v67, runCallbacks)

// callbackKind says which parameters a callback gains.
type callbackKind int

const (
	notCallback callbackKind = iota
	ctxFirst                 // ctx context.Context first
	dialer                   // v6 Dialer: func() -> func(ctx, network, addr string)
)

var (
	forEachMethods = rules.Members(v67, anyType, "ForEachMaster", "ForEachSlave", "ForEachNode", "ForEachShard")
	// ctxFields and dialerFields are the option fields holding callbacks
	// that gain a context.
	ctxFields    = rules.Or(rules.Members(v67, optionTypes, "OnConnect"), rules.Members(v67, []string{"ClusterOptions"}, "ClusterSlots"))
	dialerFields = rules.Members(v6, optionTypes, "Dialer")
)

var optionTypes = []string{"Options", "ClusterOptions", "RingOptions", "FailoverOptions", "UniversalOptions"}

func runCallbacks(f *rules.Pass) error {
	eachCall(f, forEachMethods, func(call *ast.CallExpr, fn *types.Func, _ int) {
		if len(call.Args) == 1 {
			callback(f, call.Args[0], fn.Name())
		}
	})
	for _, u := range f.UsesOf(rules.Or(ctxFields, dialerFields)) {
		if set := rules.FieldSet(f, u.Ident); set != nil {
			callback(f, set.Value, u.Ident.Name)
		}
	}
	return nil
}

// callback adds the parameters to a function literal, or reports another
// function value.
func callback(f *rules.Pass, e ast.Expr, what string) {
	lit, ok := ast.Unparen(e).(*ast.FuncLit)
	if !ok {
		if id, ok := e.(*ast.Ident); ok && id.Name == "nil" {
			return
		}
		f.Report(e.Pos(), what+": in v9 the callback takes a context.Context first; wrap this function in a func literal that takes one", true)
		return
	}
	var added []*dst.Field
	switch callbackKindOf(f, lit) {
	case ctxFirst:
		added = []*dst.Field{param(lit, contextParamName(f, lit), &dst.SelectorExpr{X: f.Qualifier("context", lit.Pos()), Sel: dst.NewIdent("Context")})}
	case dialer:
		added = []*dst.Field{
			param(lit, rules.FreeName(lit, "ctx"), &dst.SelectorExpr{X: f.Qualifier("context", lit.Pos()), Sel: dst.NewIdent("Context")}),
			{Names: []*dst.Ident{dst.NewIdent(rules.FreeName(lit, "network")), dst.NewIdent(rules.FreeName(lit, "addr"))}, Type: dst.NewIdent("string")},
		}
	}
	if len(added) == 0 {
		return
	}
	f.Rewrite(lit.Pos(), rules.Replace(lit.Type, func(old dst.Node) dst.Node {
		ft := old.(*dst.FuncType)
		ft.Params.List = append(added, ft.Params.List...)
		return ft
	}))
}

func param(lit *ast.FuncLit, name string, typ dst.Expr) *dst.Field {
	if name == "" && !unnamedParams(lit) {
		name = "_"
	}
	fd := &dst.Field{Type: typ}
	if name != "" {
		fd.Names = []*dst.Ident{dst.NewIdent(name)}
	}
	return fd
}

// callbackKindOf says which parameters a function literal gains: one
// passed to a ForEach method, or stored in a callback option, of v6 or v7.
func callbackKindOf(f rules.View, lit *ast.FuncLit) callbackKind {
	parents := f.Parents(lit)
	for len(parents) > 0 {
		if _, ok := parents[0].(*ast.ParenExpr); !ok {
			break
		}
		parents = parents[1:]
	}
	if len(parents) == 0 {
		return notCallback
	}
	switch p := parents[0].(type) {
	case *ast.CallExpr:
		if forEachCall(f, p) != "" {
			return ctxFirst
		}
	case *ast.KeyValueExpr:
		if key, ok := p.Key.(*ast.Ident); ok && ast.Unparen(p.Value) == lit {
			return callbackField(f, key)
		}
	case *ast.AssignStmt:
		for i, lhs := range p.Lhs {
			if sel, ok := lhs.(*ast.SelectorExpr); ok && i < len(p.Rhs) && ast.Unparen(p.Rhs[i]) == lit {
				return callbackField(f, sel.Sel)
			}
		}
	}
	return notCallback
}

// callbackField says which parameters the value of an option field named
// by id gains.
func callbackField(f rules.View, id *ast.Ident) callbackKind {
	v, ok := f.Info().Uses[id].(*types.Var)
	if !ok {
		return notCallback
	}
	if _, ok := ctxFields.Match(v); ok {
		return ctxFirst
	}
	if _, ok := dialerFields.Match(v); ok {
		return dialer
	}
	return notCallback
}

// forEachCall returns the name of the ForEach method that call calls with
// one argument, or "".
func forEachCall(f rules.View, call *ast.CallExpr) string {
	fn, ok := typeutil.Callee(f.Info(), call).(*types.Func)
	if !ok || len(call.Args) != 1 {
		return ""
	}
	if _, ok := forEachMethods.Match(fn); !ok {
		return ""
	}
	return fn.Name()
}

// contextParamName returns the name of the context parameter that the rule
// gives a callback literal: "ctx" unless the literal already declares it,
// or "" when it gains none or an unnamed one.
func contextParamName(f rules.View, lit *ast.FuncLit) string {
	if callbackKindOf(f, lit) != ctxFirst || unnamedParams(lit) {
		return ""
	}
	return rules.FreeName(lit, "ctx")
}

func unnamedParams(lit *ast.FuncLit) bool {
	ps := lit.Type.Params.List
	return len(ps) > 0 && len(ps[0].Names) == 0
}
