package goredis

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"
	"strings"

	"github.com/dave/dst"

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
		if mv := oldPaths[library.OldIn(fn.Type())]; mv != 0 && staleInV9(fn.Name(), mv) {
			names, v = append(names, fn.Name()), max(v, mv)
		}
	}
	name, what, pos := "it", "this interface", it.Pos()
	if ts, ok := f.Parents(it)[0].(*ast.TypeSpec); ok && ts.Type == it {
		name, what, pos = ts.Name.Name, "interface "+ts.Name.Name, ts.Name.Pos()
	}
	if v == 8 && completeScripter(names) && !declares(it, "EvalRO") && !declares(it, "EvalShaRO") {
		f.Add(rules.Site{Pos: pos, Edits: []rules.Edit{addReadOnlyEvals(it)}, Message: fmt.Sprintf(
			"%s declares the go-redis v8 Scripter methods: EvalRO and EvalShaRO were added, which v9's Scripter needs too (Script.Run takes a Scripter); implementations of %s of your own (fakes, mocks) need them as well", what, name)})
		names = slices.DeleteFunc(names, func(n string) bool { return slices.Contains(scripterV8, n) })
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

// scripterV8 are the methods of v8's Scripter, which v9's extends with
// EvalRO and EvalShaRO.
var scripterV8 = []string{"Eval", "EvalSha", "ScriptExists", "ScriptLoad"}

func completeScripter(names []string) bool {
	return !slices.ContainsFunc(scripterV8, func(m string) bool { return !slices.Contains(names, m) })
}

func declares(it *ast.InterfaceType, method string) bool {
	return slices.ContainsFunc(it.Methods.List, func(m *ast.Field) bool { return len(m.Names) == 1 && m.Names[0].Name == method })
}

// addReadOnlyEvals returns the edit that declares EvalRO and EvalShaRO,
// with the signatures of Eval and EvalSha, after EvalSha.
func addReadOnlyEvals(it *ast.InterfaceType) rules.Edit {
	return rules.Replace(it.Methods, func(old dst.Node) dst.Node {
		fl := old.(*dst.FieldList)
		sig := map[string]dst.Expr{}
		at := 0
		for i, m := range fl.List {
			if len(m.Names) == 1 && (m.Names[0].Name == "Eval" || m.Names[0].Name == "EvalSha") {
				sig[m.Names[0].Name+"RO"] = m.Type
				at = max(at, i+1)
			}
		}
		var added []*dst.Field
		for _, name := range []string{"EvalRO", "EvalShaRO"} {
			typ := dst.Clone(sig[name]).(dst.Expr)
			added = append(added, &dst.Field{Names: []*dst.Ident{dst.NewIdent(name)}, Type: typ,
				Decs: dst.FieldDecorations{NodeDecs: dst.NodeDecs{Before: dst.NewLine, After: dst.NewLine}}})
		}
		fl.List = slices.Insert(fl.List, at, added...)
		return fl
	})
}

func staleInV9(name string, v int) bool {
	if v == 8 {
		return slices.Contains(changedFromV8, name)
	}
	return !slices.Contains(sameInV9, name)
}
