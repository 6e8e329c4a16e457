package goredis

import (
	"go/ast"
	"go/types"
	"slices"
	"strconv"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// callbacks gives the v6 and v7 callbacks that v8 passes a context its
// parameter: the functions given to ClusterClient.ForEachMaster,
// ForEachSlave and ForEachNode (ForEachShard) and Ring.ForEachShard, and
// the OnConnect, ClusterSlots and (v6) Dialer options. A function literal
// gets the parameter; a named function would need a wrapper and is
// reported.
type callbacks struct{ base }

func newCallbacks(b base) rules.Rule { return &callbacks{b.with(6, 7)} }

// callbackKind says which parameters a callback gains.
type callbackKind int

const (
	notCallback callbackKind = iota
	ctxFirst                 // ctx context.Context first
	dialer                   // v6 Dialer: func() -> func(ctx, network, addr string)
)

var forEachMethods = map[string]bool{"ForEachMaster": true, "ForEachSlave": true, "ForEachNode": true, "ForEachShard": true}

// callbackFields are the option fields holding callbacks that gain a
// context, by field name: the versions and option types they apply to.
var callbackFields = map[string]struct {
	kind     callbackKind
	versions []int
	types    []string
}{
	"OnConnect":    {ctxFirst, []int{6, 7}, optionTypes},
	"ClusterSlots": {ctxFirst, []int{6, 7}, []string{"ClusterOptions"}},
	"Dialer":       {dialer, []int{6}, optionTypes},
}

var optionTypes = []string{"Options", "ClusterOptions", "RingOptions", "FailoverOptions", "UniversalOptions"}

func (r *callbacks) Apply(f rules.File) error {
	ast.Inspect(f.AST(), func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if fn, _, _ := callee(f.Info(), n, 6, 7); fn != nil && forEachMethods[fn.Name()] && len(n.Args) == 1 {
				r.callback(f, n.Args[0], fn.Name())
			}
		case *ast.KeyValueExpr:
			if key, ok := n.Key.(*ast.Ident); ok && callbackField(f, key) != notCallback {
				r.callback(f, n.Value, key.Name)
			}
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if sel, ok := lhs.(*ast.SelectorExpr); ok && len(n.Rhs) == len(n.Lhs) && callbackField(f, sel.Sel) != notCallback {
					r.callback(f, n.Rhs[i], sel.Sel.Name)
				}
			}
		}
		return true
	})
	return nil
}

// callback adds the parameters to a function literal, or reports another
// function value.
func (r *callbacks) callback(f rules.File, e ast.Expr, what string) {
	if f.Ignored(r, e.Pos()) {
		return
	}
	lit, ok := ast.Unparen(e).(*ast.FuncLit)
	if !ok {
		if id, ok := e.(*ast.Ident); ok && id.Name == "nil" {
			return
		}
		f.Report(r, e.Pos(), what+": in v9 the callback takes a context.Context first; wrap this function in a func literal that takes one", true)
		return
	}
	ft := f.Dst(lit.Type).(*dst.FuncType)
	var added []*dst.Field
	switch callbackKindOf(f, lit) {
	case ctxFirst:
		added = []*dst.Field{r.param(f, lit, contextParamName(f, lit), &dst.SelectorExpr{X: f.Qualifier("context", lit.Pos()), Sel: dst.NewIdent("Context")})}
	case dialer:
		added = []*dst.Field{
			r.param(f, lit, freeName(f, lit, "ctx"), &dst.SelectorExpr{X: f.Qualifier("context", lit.Pos()), Sel: dst.NewIdent("Context")}),
			{Names: []*dst.Ident{dst.NewIdent(freeName(f, lit, "network")), dst.NewIdent(freeName(f, lit, "addr"))}, Type: dst.NewIdent("string")},
		}
	}
	if len(added) == 0 {
		return
	}
	ft.Params.List = append(added, ft.Params.List...)
	f.Rewrote(r, lit.Pos())
}

func (r *callbacks) param(f rules.File, lit *ast.FuncLit, name string, typ dst.Expr) *dst.Field {
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
func callbackKindOf(f rules.File, lit *ast.FuncLit) callbackKind {
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
		if fn, _, _ := callee(f.Info(), p, 6, 7); fn != nil && forEachMethods[fn.Name()] && len(p.Args) == 1 {
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
func callbackField(f rules.File, id *ast.Ident) callbackKind {
	v, ok := f.Info().Uses[id].(*types.Var)
	if !ok || !v.IsField() {
		return notCallback
	}
	cf, ok := callbackFields[v.Name()]
	if !ok || !isField(v, cf.versions, cf.types...) {
		return notCallback
	}
	return cf.kind
}

// contextParamName returns the name of the context parameter that the rule
// gives a callback literal: "ctx" unless the literal already declares it,
// or "" when it gains none or an unnamed one.
func contextParamName(f rules.File, lit *ast.FuncLit) string {
	if callbackKindOf(f, lit) != ctxFirst || unnamedParams(lit) {
		return ""
	}
	return freeName(f, lit, "ctx")
}

// freeName returns name, or name0, name1, ...: the first that no
// identifier of the literal spells. A new parameter of that name then hides
// nothing the body uses (an outer ctx it reads) and collides with nothing
// it declares (a ctx declared further down).
func freeName(_ rules.File, lit *ast.FuncLit, name string) string {
	taken := map[string]bool{}
	ast.Inspect(lit, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			taken[id.Name] = true
		}
		return true
	})
	for i, try := 0, name; ; i++ {
		if !taken[try] {
			return try
		}
		try = name + strconv.Itoa(i)
	}
}

func unnamedParams(lit *ast.FuncLit) bool {
	ps := lit.Type.Params.List
	return len(ps) > 0 && len(ps[0].Names) == 0
}

// isField reports whether v is the field of the same name of one of the
// named struct types of an old package of the given versions.
func isField(v *types.Var, versions []int, typeNames ...string) bool {
	ver := version(v.Pkg())
	if ver == 0 || !slices.Contains(versions, ver) {
		return false
	}
	for _, tn := range typeNames {
		obj, ok := v.Pkg().Scope().Lookup(tn).(*types.TypeName)
		if !ok {
			continue
		}
		if m, _, _ := types.LookupFieldOrMethod(obj.Type(), true, v.Pkg(), v.Name()); m == v {
			return true
		}
	}
	return false
}
