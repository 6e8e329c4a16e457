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
var RandWith = rule("rand-with", "HRandField and ZRandMember with a flag that is not false are reported", []int{8}, runRandWith)

var randWithTo = map[string]string{"HRandField": "HRandFieldWithValues ([]redis.KeyValue)", "ZRandMember": "ZRandMemberWithScores ([]redis.Z)"}

var randWith = members([]int{8}, clientTypes, "HRandField", "ZRandMember")

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

// Behaviour reports, once per file at the old import, the v9 behaviour
// changes that concern what the file does: creating clients (RESP3, the
// connection handshake, timeouts, retries) and using pipelines (no longer
// safe for concurrent use). Test files are left out: what they set up is
// not what runs in production.
var Behaviour = rule("behaviour", "the behaviour changes of v9 that concern a file are reported once, at its import", v678, runBehaviour)

var (
	constructors = funcs(v678, "NewClient", "NewClusterClient", "NewFailoverClient",
		"NewFailoverClusterClient", "NewRing", "NewUniversalClient", "NewSentinelClient")
	pipelineMethods = members(v678, anyType, "Pipeline", "TxPipeline", "Pipelined", "TxPipelined")
	txPipelines     = members([]int{6}, []string{"Tx"}, "Pipeline", "Pipelined")
)

func runBehaviour(f *rules.Pass) error {
	var spec *ast.ImportSpec
	for _, s := range f.AST().Imports {
		if pn := f.Info().PkgNameOf(s); pn != nil && version(pn.Imported()) != 0 {
			spec = s
			break
		}
	}
	if spec == nil || strings.HasSuffix(f.Fset().Position(spec.Pos()).Filename, "_test.go") {
		return nil
	}
	if notes := behaviourNotes(f); len(notes) > 0 {
		f.Report(spec.Pos(), "go-redis v9 behaves differently: "+strings.Join(notes, "; "), false)
	}
	return nil
}

func behaviourNotes(f rules.View) []string {
	var clients, ring, pipelines, txPipeline, times bool
	oldest := 9
	eachCall(f, constructors, func(_ *ast.CallExpr, fn *types.Func, v int) {
		clients, oldest = true, min(oldest, v)
		ring = ring || fn.Name() == "NewRing" && v < 8
	})
	eachCall(f, pipelineMethods, func(call *ast.CallExpr, fn *types.Func, v int) {
		pipelines = true
		_, tx := txPipelines.Match(fn)
		txPipeline = txPipeline || tx
	})
	eachCall(f, v6Methods, func(call *ast.CallExpr, _ *types.Func, _ int) {
		times = times || slices.ContainsFunc(call.Args, func(a ast.Expr) bool { return isTime(f.Info().TypeOf(a)) })
	})
	var notes []string
	if clients {
		notes = append(notes,
			"clients speak RESP3 (set Protocol: 2 to keep RESP2) and send CLIENT SETINFO on connect (DisableIdentity: true turns it off)",
			"ReadTimeout and WriteTimeout default to 3s, ConnMaxIdleTime to 30m, and context deadlines reach the socket only with ContextTimeoutEnabled: true",
			"a failed dial is retried 5 times, 100ms apart (DialerRetries, DialerRetryTimeout), so an unreachable server fails slower",
			"each client runs a goroutine until Close (maintenance notifications, on with RESP3; MaintNotificationsConfig turns them off), which goleak-based tests see unless the clients are closed")
		if oldest < 8 {
			notes = append(notes, "MaxRetries defaults to 3 (was 0) and ClusterOptions.MaxRedirects to 3 (was 8)")
		}
	}
	if ring {
		notes = append(notes, "a Ring places keys by rendezvous hashing since v8, so keys move between shards")
	}
	if txPipeline {
		notes = append(notes, "Tx.Pipeline and Tx.Pipelined are not transactional since v7: use TxPipeline or TxPipelined for MULTI/EXEC")
	}
	if pipelines {
		notes = append(notes, "a pipeline is no longer safe for concurrent use by several goroutines")
	}
	if times {
		notes = append(notes, "a time.Time argument is sent as RFC 3339 text since v7 (v6 sent its MarshalBinary bytes), so values v6 stored read back differently")
	}
	return notes
}

// isTime reports whether t is time.Time.
func isTime(t types.Type) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" && n.Obj().Name() == "Time"
}
