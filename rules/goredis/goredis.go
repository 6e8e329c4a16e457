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

// mockRefs returns the Refs to redismock v8's Expect method of each
// command of names, of any mock type.
func mockRefs(names ...string) []rules.Ref {
	var out []rules.Ref
	for _, n := range names {
		out = append(out, rules.Ref{Paths: []string{pathMockV8}, Pkg: "redismock", Name: "*", Member: "Expect" + n})
	}
	return out
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
		PipelineClose, WithContext, Callbacks, RingNewClient, V6Values, Hooks,
		RandWith, Behaviour, UserInterfaces, Dependencies, OldStrings,
	}
}

// rule returns a Go rule of the package, named "go-redis-" and name,
// looking at the old packages of the given versions.
func rule(name, doc string, versions []int, run func(*rules.Pass) error, requires ...*rules.Fact) *rules.GoRule {
	paths := oldPathsOf(versions)
	slices.Sort(paths)
	return &rules.GoRule{
		Name: "go-redis-" + name, Doc: doc, Paths: paths, Run: run, Requires: requires,
		NewPaths: []string{"context", pathV9},
	}
}

var (
	v678 = []int{6, 7, 8}
	v67  = []int{6, 7}
	v78  = []int{7, 8}
)

func pathForVersion(v int) string {
	for p, pv := range oldPaths {
		if pv == v {
			return p
		}
	}
	return ""
}

// version returns the major version of an old go-redis package, or 0.
func version(pkg *types.Package) int {
	if pkg == nil {
		return 0
	}
	return oldPaths[pkg.Path()]
}

// refs returns the Refs to each member names of each type typeNames ("*"
// for any type) in the old packages of the versions.
func refs(versions []int, typeNames []string, names ...string) []rules.Ref {
	paths := oldPathsOf(versions)
	var out []rules.Ref
	for _, n := range names {
		for _, t := range typeNames {
			out = append(out, rules.Ref{Paths: paths, Pkg: "redis", Name: t, Member: n})
		}
	}
	return out
}

// members returns the Matcher of refs(versions, typeNames, names...).
func members(versions []int, typeNames []string, names ...string) *rules.Matcher {
	return rules.NewMatcher(refs(versions, typeNames, names...)...)
}

// funcs returns the Matcher of the package-level names in the old
// packages of the versions.
func funcs(versions []int, names ...string) *rules.Matcher {
	var out []rules.Ref
	for _, n := range names {
		out = append(out, rules.Ref{Paths: oldPathsOf(versions), Pkg: "redis", Name: n})
	}
	return rules.NewMatcher(out...)
}

// anyType names a member of any type.
var anyType = []string{"*"}

func oldPathsOf(versions []int) []string {
	var paths []string
	for _, v := range versions {
		paths = append(paths, pathForVersion(v))
	}
	return paths
}

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
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && version(n.Obj().Pkg()) != 0 && slices.Contains(names, n.Obj().Name())
}
