package goredis

import (
	"go/ast"
	"go/types"

	"github.com/migrate-tool/migrate/rules"
)

// methodValues reports method values and method expressions ("add :=
// rdb.ZAdd", "(*redis.Client).ZAdd") of methods whose signature v9
// changed or that v9 removed: the rules rewrite calls, and a value is
// called elsewhere, so its callers must change by hand. v6 and v7 methods
// that gain a context are reported by context-arg already; SetEX and XTrim
// keep their signature under the new name and are renamed.
type methodValues struct {
	base
	ctx *contextArg
}

func newMethodValues(b base) rules.Rule {
	return &methodValues{base: b.with(6, 7, 8), ctx: newContextArg(base{spec: b.spec}).(*contextArg)}
}

// changedValues are the methods whose values break, with what changed.
var changedValues = map[string]string{
	"ZAdd": "takes redis.Z values", "ZAddNX": "takes redis.Z values", "ZAddXX": "takes redis.Z values",
	"ZAddCh": "is ZAddArgs", "ZAddNXCh": "is ZAddArgs", "ZAddXXCh": "is ZAddArgs",
	"ZIncr": "is ZAddArgsIncr", "ZIncrNX": "is ZAddArgsIncr", "ZIncrXX": "is ZAddArgsIncr",
	"XTrimApprox": "is XTrimMaxLenApprox, with a limit", "HRandField": "takes no withValues flag",
	"ZRandMember": "takes no withScores flag", "Conn": "takes no context",
}

func (r *methodValues) Apply(f rules.File) error {
	ast.Inspect(f.AST(), func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || isCalled(f, sel) {
			return true
		}
		fn, ok := f.Info().Uses[sel.Sel].(*types.Func)
		if !ok || version(fn.Pkg()) == 0 || recvName(fn) == "" || version(fn.Pkg()) < 8 && r.ctx.gains(fn) {
			return true
		}
		what, ok := changedValues[fn.Name()]
		switch {
		case fn.Name() == "Close" && isMethodOf(fn, "Close", "Pipeline", "Pipeliner"):
			what = "is gone"
		case !ok || !isMethodOf(fn, fn.Name(), clientTypes...):
			return true
		}
		if !f.Ignored(r, sel.Sel.Pos()) {
			f.Report(r, sel.Sel.Pos(), "method value "+fn.Name()+": in v9 "+fn.Name()+" "+what+"; change the code that calls this value", true)
		}
		return true
	})
	return nil
}
