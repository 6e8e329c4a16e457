package goredis

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"

	"github.com/migrate-tool/migrate/rules"
)

// hooks reports the types of the package that implement the v7 or v8 Hook
// interface (BeforeProcess, AfterProcess, BeforeProcessPipeline,
// AfterProcessPipeline), which v9 replaced by DialHook, ProcessHook and
// ProcessPipelineHook, each wrapping the next hook; and AddHook calls given
// a hook from another package (a tracing library's, say).
type hooks struct{ base }

func newHooks(b base) rules.Rule { return &hooks{b.with(7, 8)} }

const hookTODO = "%s implements the %s Hook (BeforeProcess/AfterProcess...), which v9 replaced: write DialHook(next redis.DialHook) redis.DialHook, ProcessHook(next redis.ProcessHook) redis.ProcessHook and ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook, each calling next; v9 runs hooks in the order they were added"

func (r *hooks) Apply(f rules.File) error {
	ifaces := oldInterfaces(f, "Hook")
	for _, decl := range f.AST().Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, spec := range gd.Specs {
			ts, ok := spec.(*ast.TypeSpec)
			if !ok {
				continue
			}
			tn, _ := f.Info().Defs[ts.Name].(*types.TypeName)
			if tn == nil || f.Ignored(r, ts.Pos()) {
				continue
			}
			for v, iface := range ifaces {
				if implements(tn.Type(), iface) {
					f.Report(r, ts.Name.Pos(), fmt.Sprintf(hookTODO, tn.Name(), pathForVersion(v)), true)
				}
			}
		}
	}
	eachCall(f, func(call *ast.CallExpr, fn *types.Func, v int) {
		if fn.Name() == "AddHook" && len(call.Args) == 1 {
			r.hookValue(f, call.Args[0])
		}
	}, 7, 8)
	ast.Inspect(f.AST(), func(n ast.Node) bool {
		// []redis.Hook{h, ...}: each element becomes a Hook too.
		if lit, ok := n.(*ast.CompositeLit); ok {
			if sl, ok := f.Info().TypeOf(lit).Underlying().(*types.Slice); ok && isOldNamed(sl.Elem(), "Hook") {
				for _, e := range lit.Elts {
					r.hookValue(f, e)
				}
			}
		}
		return true
	})
	return nil
}

// hookValue reports a value used as an old Hook, unless it is one of the
// old package's own values.
func (r *hooks) hookValue(f rules.File, e ast.Expr) {
	if f.Ignored(r, e.Pos()) {
		return
	}
	switch pkg := namedPkg(f.Info().TypeOf(e)); {
	case pkg == nil || version(pkg) != 0:
	case pkg != f.Pkg():
		f.Report(r, e.Pos(), "this hook comes from "+pkg.Path()+", written for the old client's Hook: use that library's go-redis v9 version", true)
	default:
		f.Report(r, e.Pos(), "this hook implements the old client's Hook: once its type has the v9 methods (see the TODO at its declaration), this builds again", false)
	}
}

func pathForVersion(v int) string {
	for p, pv := range oldPaths {
		if pv == v {
			return p
		}
	}
	return ""
}

// oldInterfaces returns the interface named name of each old package the
// file imports, by version.
func oldInterfaces(f rules.File, name string) map[int]*types.Interface {
	out := map[int]*types.Interface{}
	for _, spec := range f.AST().Imports {
		pn := f.Info().PkgNameOf(spec)
		if pn == nil || version(pn.Imported()) == 0 {
			continue
		}
		if tn, ok := pn.Imported().Scope().Lookup(name).(*types.TypeName); ok {
			if iface, ok := tn.Type().Underlying().(*types.Interface); ok {
				out[version(pn.Imported())] = iface
			}
		}
	}
	return out
}

func implements(t types.Type, iface *types.Interface) bool {
	if types.IsInterface(t) {
		return false
	}
	return types.Implements(t, iface) || types.Implements(types.NewPointer(t), iface)
}

// namedPkg returns the package of a named type or of the type a pointer
// points to.
func namedPkg(t types.Type) *types.Package {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := t.(*types.Named); ok {
		return n.Obj().Pkg()
	}
	return nil
}

// results reports the calls whose result changed shape in v9 where the
// result is used: ConfigGet (a map, not a []interface{}), Pipeliner.Discard
// (nothing), SentinelClient.Sentinels (a []map[string]string), v6's HSet
// and HMSet (an int64 and a bool), ClusterClient.ReloadState (nothing); and
// every use of SentinelClient.Slaves (Replicas, with a new result) and of
// v8's XInfoConsumer.Idle (a time.Duration, not milliseconds).
type results struct{ base }

func newResults(b base) rules.Rule { return &results{b.with(6, 7, 8)} }

// resultChanges are the methods whose result changed, with the message.
var resultChanges = []struct {
	name, typ string
	versions  []int
	always    bool // report every call, not only those whose result is used
	msg       string
}{
	{"ConfigGet", "Client", []int{6, 7, 8}, false, "ConfigGet returns a map[string]string in v9 (*MapStringStringCmd), not a []interface{} of names and values: rewrite the code that reads it"},
	{"Discard", "Pipeline", []int{6, 7, 8}, false, "Discard returns nothing in v9: drop the use of its result"},
	{"Sentinels", "SentinelClient", []int{6, 7, 8}, false, "Sentinels returns a []map[string]string in v9 (*MapStringStringSliceCmd): rewrite the code that reads it"},
	{"Slaves", "SentinelClient", []int{6, 7, 8}, true, "Slaves is Replicas in v9, and returns a []map[string]string (*MapStringStringSliceCmd): rename the call and rewrite the code that reads it"},
	{"HSet", "Client", []int{6}, false, "HSet returns the number of fields added (*IntCmd) in v9, not a bool: rewrite the code that reads it"},
	{"HMSet", "Client", []int{6}, false, "HMSet returns a *BoolCmd in v9, not a *StatusCmd: rewrite the code that reads it"},
	{"ReloadState", "ClusterClient", []int{6, 7}, false, "ReloadState returns nothing in v9: drop the use of its result"},
	{"BZPopMin", "Client", []int{6}, false, "BZPopMin returns a *redis.ZWithKey in v9 (since v7), nil on timeout, not a ZWithKey value: check for nil before reading it"},
	{"BZPopMax", "Client", []int{6}, false, "BZPopMax returns a *redis.ZWithKey in v9 (since v7), nil on timeout, not a ZWithKey value: check for nil before reading it"},
}

func (r *results) Apply(f rules.File) error {
	eachCall(f, func(call *ast.CallExpr, fn *types.Func, v int) {
		for _, rc := range resultChanges {
			if fn.Name() != rc.name || !slices.Contains(rc.versions, v) || !isMethodOf(fn, rc.name, rc.typ, "Cmdable", "Pipeliner") {
				continue
			}
			if (rc.always || resultUsed(f, call)) && !f.Ignored(r, call.Pos()) {
				f.Report(r, call.Pos(), rc.msg, true)
			}
		}
	})
	eachFieldUse(f, func(v *types.Var) bool {
		return v.Name() == "Idle" && isField(v, []int{8}, "XInfoConsumer")
	}, func(u fieldUse) {
		if !f.Ignored(r, u.id.Pos()) {
			f.Report(r, u.id.Pos(), "XInfoConsumer.Idle is a time.Duration in v9, not a number of milliseconds: convert the code that reads it", true)
		}
	})
	return nil
}

// resultUsed reports whether a call's result is used beyond an Err() check:
// not a statement of its own, deferred, or "call.Err()".
func resultUsed(f rules.File, call *ast.CallExpr) bool {
	parents := f.Parents(call)
	if len(parents) == 0 {
		return false
	}
	switch p := parents[0].(type) {
	case *ast.ExprStmt, *ast.DeferStmt, *ast.GoStmt:
		return false
	case *ast.SelectorExpr:
		return p.Sel.Name != "Err" || len(parents) < 2 || !isCallOf(parents[1], p)
	}
	return true
}

func isCallOf(n ast.Node, fun ast.Expr) bool {
	call, ok := n.(*ast.CallExpr)
	return ok && call.Fun == fun
}
