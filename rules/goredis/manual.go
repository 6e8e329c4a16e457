package goredis

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"
	"strings"

	"github.com/migrate-tool/migrate/rules"
)

// randWith reports HRandField and ZRandMember calls whose withValues or
// withScores argument is not the literal false (those lose the argument
// by a rule of the rule file): v9 moved the "true" form to
// HRandFieldWithValues and ZRandMemberWithScores, with other result types.
type randWith struct{ base }

func newRandWith(b base) rules.Rule { return &randWith{b.with(8)} }

var randWithTo = map[string]string{"HRandField": "HRandFieldWithValues ([]redis.KeyValue)", "ZRandMember": "ZRandMemberWithScores ([]redis.Z)"}

func (r *randWith) Apply(f rules.File) error {
	eachCall(f, func(call *ast.CallExpr, fn *types.Func, _ int) {
		to, ok := randWithTo[fn.Name()]
		if !ok || len(call.Args) != 4 || types.ExprString(call.Args[3]) == "false" || !isMethodOf(fn, fn.Name(), clientTypes...) || f.Ignored(r, call.Pos()) {
			return
		}
		f.Report(r, call.Pos(), fmt.Sprintf("%s(..., %s): v9's %s takes no flag; for pairs call %s and rewrite the code that reads the result", fn.Name(), types.ExprString(call.Args[3]), fn.Name(), to), true)
	}, 8)
	return nil
}

// behaviour reports, once per file at the old import, the v9 behaviour
// changes that concern what the file does: creating clients (RESP3, the
// connection handshake, timeouts, retries) and using pipelines (no longer
// safe for concurrent use). Test files are left out: what they set up is
// not what runs in production.
type behaviour struct{ base }

func newBehaviour(b base) rules.Rule { return &behaviour{b.with(6, 7, 8)} }

var constructors = map[string]bool{
	"NewClient": true, "NewClusterClient": true, "NewFailoverClient": true, "NewFailoverClusterClient": true,
	"NewRing": true, "NewUniversalClient": true, "NewSentinelClient": true,
}

var pipelineMethods = map[string]bool{"Pipeline": true, "TxPipeline": true, "Pipelined": true, "TxPipelined": true}

func (r *behaviour) Apply(f rules.File) error {
	var spec *ast.ImportSpec
	for _, s := range f.AST().Imports {
		if pn := f.Info().PkgNameOf(s); pn != nil && version(pn.Imported()) != 0 {
			spec = s
			break
		}
	}
	if spec == nil || strings.HasSuffix(f.Fset().Position(spec.Pos()).Filename, "_test.go") || f.Ignored(r, spec.Pos()) {
		return nil
	}
	notes := r.notes(f)
	if len(notes) > 0 {
		f.Report(r, spec.Pos(), "go-redis v9 behaves differently: "+strings.Join(notes, "; "), false)
	}
	return nil
}

func (r *behaviour) notes(f rules.File) []string {
	var clients, ring, pipelines, txPipeline, times bool
	oldest := 9
	eachCall(f, func(call *ast.CallExpr, fn *types.Func, v int) {
		oldest = min(oldest, v)
		times = times || v == 6 && slices.ContainsFunc(call.Args, func(a ast.Expr) bool { return isTime(f.Info().TypeOf(a)) })
		switch {
		case recvName(fn) == "" && constructors[fn.Name()]:
			clients = true
			ring = ring || fn.Name() == "NewRing" && v < 8
		case recvName(fn) != "" && pipelineMethods[fn.Name()]:
			pipelines = true
			txPipeline = txPipeline || v == 6 && (fn.Name() == "Pipeline" || fn.Name() == "Pipelined") && isMethodOf(fn, fn.Name(), "Tx")
		}
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
