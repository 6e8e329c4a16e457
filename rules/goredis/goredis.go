package goredis

import (
	"go/ast"
	"go/types"
	"slices"

	"github.com/migrate-tool/migrate/rules"
)

// The old import paths, and the new one.
const (
	pathV6 = "github.com/go-redis/redis"
	pathV7 = "github.com/go-redis/redis/v7"
	pathV8 = "github.com/go-redis/redis/v8"
	pathV9 = "github.com/redis/go-redis/v9"
)

// pathMockV8 is redismock's v8, whose expectations mirror the commands of
// go-redis v8: where v9 changed a command, redismock v9 changed its
// Expect method the same way.
const pathMockV8 = "github.com/go-redis/redismock/v8"

// mockExpects returns the Matcher of redismock v8's Expect method of each
// command of names, of any mock type.
func mockExpects(names ...string) *rules.Matcher {
	var expects []string
	for _, n := range names {
		expects = append(expects, "Expect"+n)
	}
	return rules.Members([]string{pathMockV8}, anyType, expects...)
}

// withMock returns r also looking at the files that import redismock v8.
func withMock(r *rules.GoRule) *rules.GoRule {
	r.Paths = append(r.Paths, pathMockV8)
	slices.Sort(r.Paths)
	return r
}

// oldPaths maps each old import path to its major version.
var oldPaths = map[string]int{pathV6: 6, pathV7: 7, pathV8: 8}

// clientTypes are the types whose methods are commands: the concrete
// clients (which promote the methods of the unexported cmdable types) and
// the interfaces.
var clientTypes = []string{"Client", "ClusterClient", "Ring", "Tx", "Conn", "Pipeline", "SentinelClient", "Cmdable", "StatefulCmdable", "Pipeliner", "UniversalClient"}

// Rules are the go-redis rules written in Go, for the table of Go rules:
// a rule file names each one with "go: NAME".
func Rules() []*rules.GoRule {
	return []*rules.GoRule{
		ContextArg, MaxLenApprox, XTrimApprox, ZAddMembers, ZAddArgs,
		PipelineClose, WithContext, Callbacks, RingNewClient, V6Values, HookValues,
		RandWith, TimeArgs, UserInterfaces, Dependencies,
	}
}

// rule returns a Go rule of the package, named "go-redis-" and name,
// looking at the old packages of the given versions.
func rule(name, doc string, paths []string, run func(*rules.Pass) error, requires ...*rules.Fact) *rules.GoRule {
	return &rules.GoRule{
		Name: "go-redis-" + name, Doc: doc, Paths: slices.Sorted(slices.Values(paths)), Run: run, Requires: requires,
		NewPaths: []string{"context", pathV9},
	}
}

// The old paths of the versions a rule applies to.
var (
	v678 = []string{pathV6, pathV7, pathV8}
	v67  = []string{pathV6, pathV7}
	v78  = []string{pathV7, pathV8}
	v6   = []string{pathV6}
	v8   = []string{pathV8}
)

// version returns the major version of an old go-redis package, or 0.
func version(pkg *types.Package) int {
	if pkg == nil {
		return 0
	}
	return oldPaths[pkg.Path()]
}

// anyType names a member of any type.
var anyType = []string{"*"}

// eachCall calls fn, in source order, for every call of a function or
// method that m names, with the old version it belongs to.
func eachCall(f rules.View, m *rules.Matcher, fn func(call *ast.CallExpr, callee *types.Func, version int)) {
	for _, u := range rules.UsesOf(f, m) {
		callee, ok := u.Obj.(*types.Func)
		if call := rules.CallOf(f, u.Ident); ok && call != nil {
			fn(call, callee, version(callee.Pkg()))
		}
	}
}

// isOldNamed reports whether t (or what it points to) is one of the named
// types of an old go-redis package.
func isOldNamed(t types.Type, names ...string) bool {
	o := namedObj(t)
	return o != nil && version(o.Pkg()) != 0 && slices.Contains(names, o.Name())
}
