package goredis

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"
	"strings"

	"github.com/migrate-tool/migrate/rules"
)

// UserInterfaces reports interfaces of the user's code that spell out
// go-redis methods with their old signatures ("SetNX(key string, ...)
// *redis.BoolCmd"): in v9 those methods take a context first (since v8),
// and v9's Scripter also needs EvalRO, EvalShaRO, so the client no longer
// implements the interface, and calls through it lack their context. Which
// context to pass is the user's design, so it is left to a person.
var UserInterfaces = rule("user-interfaces", "interfaces of the module that spell go-redis methods with their old signatures are reported", v678, runUserInterfaces)

// sameInV9 are methods whose v6/v7 signatures v9 kept (no context).
var sameInV9 = []string{"Pipeline", "TxPipeline", "Close", "Options", "PoolStats", "AddHook", "String", "Len", "Discard", "ChannelSize", "Hash", "Val", "Err", "Result", "Name", "Args"}

// changedFromV8 are methods whose v8 signature differs in v9, or that
// v9's Scripter needs to be complete.
var changedFromV8 = []string{"Eval", "EvalSha", "ScriptExists", "ScriptLoad", "SetEX", "XTrim", "XTrimApprox", "ZAdd", "ZAddNX", "ZAddXX",
	"ZAddCh", "ZIncr", "ZIncrNX", "ZIncrXX", "HRandField", "ZRandMember", "ConfigGet", "Conn", "Context", "WithContext", "Sentinels", "Slaves"}

func runUserInterfaces(f *rules.Pass) error {
	ast.Inspect(f.AST(), func(n ast.Node) bool {
		if it, ok := n.(*ast.InterfaceType); ok {
			checkInterface(f, it)
		}
		return true
	})
	return nil
}

// check reports an interface type, declared (type Store interface{...}) or
// written in place (a parameter, a field, a constraint).
func checkInterface(f *rules.Pass, it *ast.InterfaceType) {
	var names []string
	v := 0
	for _, m := range it.Methods.List {
		if len(m.Names) != 1 {
			continue // an embedded interface: its own declaration is checked
		}
		fn, _ := f.Info().Defs[m.Names[0]].(*types.Func)
		if fn == nil {
			continue
		}
		if mv := oldVersionIn(fn.Type()); mv != 0 && staleInV9(fn.Name(), mv) {
			names, v = append(names, fn.Name()), max(v, mv)
		}
	}
	name, what, pos := "it", "this interface", it.Pos()
	if ts, ok := f.Parents(it)[0].(*ast.TypeSpec); ok && ts.Type == it {
		name, what, pos = ts.Name.Name, "interface "+ts.Name.Name, ts.Name.Pos()
	}
	if len(names) == 0 {
		return
	}
	advice := "give them their v9 signatures (context.Context first), or the v9 client no longer implements %s and calls through it lack a context"
	if v == 8 {
		advice = "give them their v9 signatures, or the v9 client no longer implements %s"
		if slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "Eval") || strings.HasPrefix(n, "Script") }) {
			advice = "give them their v9 signatures (and for scripts v9's Scripter adds EvalRO and EvalShaRO), or the v9 client no longer implements %s"
		}
	}
	f.Report(pos, fmt.Sprintf("%s spells out go-redis v%d methods (%s): "+advice,
		what, v, strings.Join(names, ", "), name), true)
}

func staleInV9(name string, v int) bool {
	if v == 8 {
		return slices.Contains(changedFromV8, name)
	}
	return !slices.Contains(sameInV9, name)
}

// oldVersionIn returns the version of an old go-redis package whose types
// the signature uses, or 0.
func oldVersionIn(t types.Type) int {
	sig, ok := t.(*types.Signature)
	if !ok {
		return 0
	}
	v := 0
	for _, tup := range []*types.Tuple{sig.Params(), sig.Results()} {
		for i := range tup.Len() {
			v = max(v, typeVersion(tup.At(i).Type()))
		}
	}
	return v
}

// typeVersion looks through pointers, slices, maps and channels for a
// named type of an old go-redis package.
func typeVersion(t types.Type) int {
	switch t := t.(type) {
	case *types.Named:
		return version(t.Obj().Pkg())
	case *types.Pointer:
		return typeVersion(t.Elem())
	case *types.Slice:
		return typeVersion(t.Elem())
	case *types.Map:
		return max(typeVersion(t.Key()), typeVersion(t.Elem()))
	case *types.Chan:
		return typeVersion(t.Elem())
	}
	return 0
}
