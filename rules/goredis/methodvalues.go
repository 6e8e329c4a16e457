package goredis

import (
	"go/ast"
	"go/types"
	"maps"
	"slices"

	"github.com/migrate-tool/migrate/rules"
)

// MethodValues reports method values and method expressions ("add :=
// rdb.ZAdd", "(*redis.Client).ZAdd") of methods whose signature v9
// changed or that v9 removed: the rules rewrite calls, and a value is
// called elsewhere, so its callers must change by hand. v6 and v7 methods
// that gain a context are reported by context-arg already; SetEX and XTrim
// keep their signature under the new name and are renamed.
var MethodValues = rule("method-values", "method values of methods whose signature v9 changed are reported", v678, runMethodValues)

// changedValues are the methods whose values break, with what changed.
var changedValues = map[string]string{
	"ZAdd": "takes redis.Z values", "ZAddNX": "takes redis.Z values", "ZAddXX": "takes redis.Z values",
	"ZAddCh": "is ZAddArgs", "ZAddNXCh": "is ZAddArgs", "ZAddXXCh": "is ZAddArgs",
	"ZIncr": "is ZAddArgsIncr", "ZIncrNX": "is ZAddArgsIncr", "ZIncrXX": "is ZAddArgsIncr",
	"XTrimApprox": "is XTrimMaxLenApprox, with a limit", "HRandField": "takes no withValues flag",
	"ZRandMember": "takes no withScores flag", "Conn": "takes no context",
}

// changedMethods matches the methods of changedValues, and Pipeline.Close.
var changedMethods = rules.NewMatcher(append(refs(v678, clientTypes, slices.Collect(maps.Keys(changedValues))...),
	refs(v678, []string{"Pipeline", "Pipeliner"}, "Close")...)...)

func runMethodValues(f *rules.Pass) error {
	for _, u := range f.UsesOf(changedMethods) {
		fn, ok := u.Obj.(*types.Func)
		sel, isSel := f.Parents(u.Ident)[0].(*ast.SelectorExpr)
		if !ok || !isSel || isCalled(f, sel) || gains(fn) {
			continue
		}
		what, ok := changedValues[fn.Name()]
		if !ok {
			what = "is gone"
		}
		f.Report(sel.Sel.Pos(), "method value "+fn.Name()+": in v9 "+fn.Name()+" "+what+"; change the code that calls this value", true)
	}
	return nil
}
