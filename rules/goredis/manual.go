package goredis

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"
	"strings"

	"github.com/migrate-tool/migrate/rules"
)

// RandWith reports HRandField and ZRandMember calls whose withValues or
// withScores argument is not the literal false (those lose the argument
// by a rule of the rule file): v9 moved the "true" form to
// HRandFieldWithValues and ZRandMemberWithScores, with other result types.
var RandWith = rule("rand-with", "HRandField and ZRandMember with a flag that is not false are reported", v8, runRandWith)

var randWithTo = map[string]string{"HRandField": "HRandFieldWithValues ([]redis.KeyValue)", "ZRandMember": "ZRandMemberWithScores ([]redis.Z)"}

var randWith = rules.Members(v8, clientTypes, "HRandField", "ZRandMember")

func runRandWith(f *rules.Pass) error {
	eachCall(f, randWith, func(call *ast.CallExpr, fn *types.Func, _ int) {
		to := randWithTo[fn.Name()]
		if len(call.Args) != 4 || types.ExprString(call.Args[3]) == "false" {
			return
		}
		f.Report(call.Pos(), fmt.Sprintf("%s(..., %s): v9's %s takes no flag; for pairs call %s and rewrite the code that reads the result", fn.Name(), types.ExprString(call.Args[3]), fn.Name(), to), true)
	})
	return nil
}

// TimeArgs tells a file that passes a time.Time to a v6 command, once at
// its v6 import, that v7 and later send it as RFC 3339 text: values that v6
// stored (its MarshalBinary bytes) read back differently. The other
// behaviour changes are notes of the rule file (note: ...), reported
// under the same name; this one depends on an argument's type, which a
// note cannot say.
var TimeArgs = rule("time-args", "a file passing time.Time values to v6 commands is told, at its import, that v7 sends them as text", v6, runTimeArgs)

const timeArgsNote = "go-redis v9 behaves differently: a time.Time argument is sent as RFC 3339 text since v7 (v6 sent its MarshalBinary bytes), so values v6 stored read back differently"

func runTimeArgs(f *rules.Pass) error {
	if strings.HasSuffix(f.Fset().Position(f.AST().Pos()).Filename, "_test.go") {
		return nil
	}
	times := false
	eachCall(f, v6Methods, func(call *ast.CallExpr, _ *types.Func, _ int) {
		times = times || slices.ContainsFunc(call.Args, func(a ast.Expr) bool { return isTime(f.Info().TypeOf(a)) })
	})
	for _, s := range f.AST().Imports {
		if times && rules.Unquote(s.Path) == pathV6 {
			f.Report(s.Pos(), timeArgsNote, false)
			break
		}
	}
	return nil
}

// isTime reports whether t is time.Time.
func isTime(t types.Type) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" && n.Obj().Name() == "Time"
}
