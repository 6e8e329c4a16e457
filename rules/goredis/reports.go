package goredis

import (
	"go/ast"
	"go/types"

	"github.com/migrate-tool/migrate/rules"
)

// HookValues reports the values used as a v7 or v8 Hook: given to AddHook,
// or elements of a []redis.Hook. A hook from another package (a tracing
// library's, say) must come from that library's go-redis v9 version; one of
// the package's own types builds again once the type has the v9 methods.
// The types that implement the old Hook are reported by the rule file
// (implements: redis.Hook), under the same name.
var HookValues = rule("hook-values", "hooks of other packages given to AddHook, and values used as the v7/v8 Hook, are reported", v78, runHookValues)

var addHook = rules.Members(v78, anyType, "AddHook")

func runHookValues(f *rules.Pass) error {
	eachCall(f, addHook, func(call *ast.CallExpr, _ *types.Func, _ int) {
		if len(call.Args) == 1 {
			hookValue(f, call.Args[0])
		}
	})
	ast.Inspect(f.AST(), func(n ast.Node) bool {
		// []redis.Hook{h, ...}: each element becomes a Hook too.
		if lit, ok := n.(*ast.CompositeLit); ok {
			if sl, ok := f.Info().TypeOf(lit).Underlying().(*types.Slice); ok && isOldNamed(sl.Elem(), "Hook") {
				for _, e := range lit.Elts {
					hookValue(f, e)
				}
			}
		}
		return true
	})
	return nil
}

// hookValue reports a value used as an old Hook, unless it is one of the
// old package's own values, or comes from a library the rule set moves to
// its v9 version (redisotel), whose own rules say what changes.
func hookValue(f *rules.Pass, e ast.Expr) {
	obj := namedObj(f.Info().TypeOf(e))
	if obj == nil || obj.Pkg() == nil || version(obj.Pkg()) != 0 {
		return
	}
	switch pkg := obj.Pkg(); {
	case pkg != f.Pkg() && f.Set() != nil && f.Set().Carries(pkg.Path()):
	case pkg != f.Pkg():
		f.Report(e.Pos(), "this hook comes from "+pkg.Path()+", written for the old client's Hook: use that library's go-redis v9 version", true)
	default:
		f.Report(e.Pos(), "this hook implements the old client's Hook: once its type has the v9 methods (see the TODO at its declaration), this builds again", false)
	}
}

// namedObj returns the type name of a named type or of the type a pointer
// points to, or nil.
func namedObj(t types.Type) *types.TypeName {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := t.(*types.Named); ok {
		return n.Obj()
	}
	return nil
}
