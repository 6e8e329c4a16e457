package goredis

import (
	"fmt"
	"go/ast"
	"go/types"

	"github.com/migrate-tool/migrate/rules"
)

// Hooks reports the types of the package that implement the v7 or v8 Hook
// interface (BeforeProcess, AfterProcess, BeforeProcessPipeline,
// AfterProcessPipeline), which v9 replaced by DialHook, ProcessHook and
// ProcessPipelineHook, each wrapping the next hook; and AddHook calls given
// a hook from another package (a tracing library's, say).
var Hooks = rule("hooks", "types implementing the v7/v8 Hook, and hooks of other packages given to AddHook, are reported", v78, runHooks)

const hookTODO = "%s implements the %s Hook (BeforeProcess/AfterProcess...), which v9 replaced: write DialHook(next redis.DialHook) redis.DialHook, ProcessHook(next redis.ProcessHook) redis.ProcessHook and ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook, each calling next; v9 runs hooks in the order they were added"

var addHook = members(v78, anyType, "AddHook")

func runHooks(f *rules.Pass) error {
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
			if tn == nil {
				continue
			}
			for v, iface := range ifaces {
				if implements(tn.Type(), iface) {
					f.Report(ts.Name.Pos(), fmt.Sprintf(hookTODO, tn.Name(), pathForVersion(v)), true)
				}
			}
		}
	}
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
	switch pkg := namedPkg(f.Info().TypeOf(e)); {
	case pkg == nil || version(pkg) != 0:
	case pkg != f.Pkg() && f.Set() != nil && f.Set().Carries(pkg.Path()):
	case pkg != f.Pkg():
		f.Report(e.Pos(), "this hook comes from "+pkg.Path()+", written for the old client's Hook: use that library's go-redis v9 version", true)
	default:
		f.Report(e.Pos(), "this hook implements the old client's Hook: once its type has the v9 methods (see the TODO at its declaration), this builds again", false)
	}
}

// oldInterfaces returns the interface named name of each old package the
// file imports, by version.
func oldInterfaces(f rules.View, name string) map[int]*types.Interface {
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
