package goredis

import (
	"fmt"
	"go/ast"
	"go/types"
	"maps"
	"slices"
	"strings"

	"github.com/migrate-tool/migrate/rules"
)

// The old import paths, and the new one.
const (
	pathV6 = "github.com/go-redis/redis"
	pathV7 = "github.com/go-redis/redis/v7"
	pathV8 = "github.com/go-redis/redis/v8"
	pathV9 = "github.com/redis/go-redis/v9"
)

// oldPaths maps each old import path to its major version.
var oldPaths = map[string]int{pathV6: 6, pathV7: 7, pathV8: 8}

// clientTypes are the types whose methods are commands: the concrete
// clients (which promote the methods of the unexported cmdable types) and
// the interfaces.
var clientTypes = []string{"Client", "ClusterClient", "Ring", "Tx", "Conn", "Pipeline", "SentinelClient", "Cmdable", "StatefulCmdable", "Pipeliner", "UniversalClient"}

// builders are the rules of this package, by the id a rule file gives them.
var builders = map[string]func(b base) rules.Rule{
	"context-arg":        newContextArg,
	"idle-check":         newIdleCheck,
	"xadd-maxlen-approx": newMaxLenApprox,
	"xtrim-approx":       newXTrimApprox,
	"zadd-members":       newZAddMembers,
	"zadd-args":          newZAddArgs,
	"pipeline-close":     newPipelineClose,
	"with-context":       newWithContext,
	"callbacks":          newCallbacks,
	"ring-new-client":    newRingNewClient,
	"v6-values":          newV6Values,
	"hooks":              newHooks,
	"rand-with":          newRandWith,
	"behaviour":          newBehaviour,
	"user-interfaces":    newUserInterfaces,
	"old-strings":        newOldStrings,
	"method-values":      newMethodValues,
}

// Rule builds the rule of this package that spec.ID names: a rule file
// lists each one as "go: go-redis" with its id.
func Rule(_ *rules.Set, spec *rules.Spec) (rules.Rule, error) {
	mk, ok := builders[spec.ID]
	if !ok {
		return nil, fmt.Errorf("go-redis has no rule %q: give the rule an id naming one of %s", spec.ID, strings.Join(slices.Sorted(maps.Keys(builders)), ", "))
	}
	return mk(base{spec: spec}), nil
}

// base holds what every rule of the package has.
type base struct {
	spec  *rules.Spec
	paths []string
}

func (b base) ID() string      { return b.spec.ID }
func (b base) Paths() []string { return b.paths }

// with returns b looking at the old paths of the given versions.
func (b base) with(versions ...int) base {
	for _, v := range versions {
		for p, pv := range oldPaths {
			if pv == v {
				b.paths = append(b.paths, p)
			}
		}
	}
	slices.Sort(b.paths)
	return b
}

// version returns the major version of an old go-redis package, or 0.
func version(pkg *types.Package) int {
	if pkg == nil {
		return 0
	}
	return oldPaths[pkg.Path()]
}

// oldObj returns the object id refers to when it belongs to an old go-redis
// package of one of the versions (any, if none given), and that version.
func oldObj(info *types.Info, id *ast.Ident, versions ...int) (types.Object, int) {
	obj := info.Uses[id]
	if obj == nil {
		return nil, 0
	}
	v := version(obj.Pkg())
	if v == 0 || len(versions) > 0 && !slices.Contains(versions, v) {
		return nil, 0
	}
	return obj, v
}

// callee returns the old go-redis function or method a call calls, with
// its version, and the selector of the call (nil for a dot-imported name).
func callee(info *types.Info, call *ast.CallExpr, versions ...int) (*types.Func, int, *ast.SelectorExpr) {
	var id *ast.Ident
	sel, _ := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if sel != nil {
		id = sel.Sel
	} else if id, _ = ast.Unparen(call.Fun).(*ast.Ident); id == nil {
		return nil, 0, nil
	}
	obj, v := oldObj(info, id, versions...)
	fn, _ := obj.(*types.Func)
	if fn == nil {
		return nil, 0, nil
	}
	return fn, v, sel
}

// eachCall calls fn, in source order, for every call of a function or
// method of an old package of one of the versions (any, if none given).
func eachCall(f rules.File, fn func(call *ast.CallExpr, callee *types.Func, version int), versions ...int) {
	info := f.Info()
	ast.Inspect(f.AST(), func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if c, v, _ := callee(info, call, versions...); c != nil {
				fn(call, c, v)
			}
		}
		return true
	})
}

// recvName returns the name of a method's receiver type ("Client",
// "cmdable", "Cmdable"), or "" for a function.
func recvName(fn *types.Func) string {
	sig := fn.Type().(*types.Signature)
	if sig.Recv() == nil {
		return ""
	}
	t := sig.Recv().Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := t.(*types.Named); ok {
		return n.Obj().Name()
	}
	return ""
}

// isMethodOf reports whether fn is the method name of one of the named
// types of its package (declared on it, promoted into it, or declared by
// the interface).
func isMethodOf(fn *types.Func, name string, typeNames ...string) bool {
	if fn.Name() != name || fn.Pkg() == nil {
		return false
	}
	for _, tn := range typeNames {
		obj, ok := fn.Pkg().Scope().Lookup(tn).(*types.TypeName)
		if !ok {
			continue
		}
		if m, _, _ := types.LookupFieldOrMethod(obj.Type(), true, fn.Pkg(), name); m == fn {
			return true
		}
	}
	return false
}

// isOldNamed reports whether t (or what it points to) is one of the named
// types of an old go-redis package.
func isOldNamed(t types.Type, names ...string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && version(n.Obj().Pkg()) != 0 && slices.Contains(names, n.Obj().Name())
}
