package goredis

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"
	"strings"

	"github.com/migrate-tool/migrate/rules"
)

// removed reports every use of the v6 and v7 API that v8 or v9 removed
// without a mechanical replacement, with what to do instead.
type removed struct{ base }

func newRemoved(b base) rules.Rule { return &removed{b.with(6, 7)} }

// removedAPI are the removed names, with the types that have them. v6's
// SentinelClient.Do is the Do every client promotes from baseClient, so it
// is told apart by the receiver's type (byRecv).
var removedAPI = map[string]struct {
	kind     objKind
	types    []string
	versions []int
	msg      string
	byRecv   bool
}{
	"Hash":                {field, []string{"RingOptions"}, []int{6, 7}, "RingOptions.Hash is gone: since v8 a Ring places keys by rendezvous hashing (NewConsistentHash chooses), so keys move between shards; plan for it", false},
	"HashReplicas":        {field, []string{"RingOptions"}, []int{6, 7}, "RingOptions.HashReplicas is gone: since v8 a Ring places keys by rendezvous hashing (NewConsistentHash chooses), so keys move between shards; plan for it", false},
	"Passwords":           {field, []string{"RingOptions"}, []int{7}, "RingOptions.Passwords is gone: set Password, or build each shard's client in NewClient", false},
	"OnNewShard":          {field, []string{"RingOptions"}, []int{7}, "RingOptions.OnNewShard is gone: set up each shard's client in NewClient", false},
	"OnNewNode":           {field, []string{"ClusterOptions"}, []int{6, 7}, "ClusterOptions.OnNewNode is gone: set up each node's client in NewClient", false},
	"SlowLog":             {method, clientTypes, []int{6, 7}, "SlowLog (an empty stub) is gone: call SlowLogGet(ctx, n)", false},
	"SetLimiter":          {method, []string{"Client"}, []int{6}, "SetLimiter is gone: set Options.Limiter when the client is created", false},
	"WrapProcess":         {method, clientTypes, []int{6}, "WrapProcess is gone: write a v9 hook (ProcessHook) and add it with AddHook", false},
	"WrapProcessPipeline": {method, clientTypes, []int{6}, "WrapProcessPipeline is gone: write a v9 hook (ProcessPipelineHook) and add it with AddHook", false},
	"Do":                  {method, []string{"SentinelClient"}, []int{6}, "SentinelClient.Do is gone: call Process(ctx, redis.NewCmd(ctx, args...))", true},
	"SetLogger":           {pkgLevel, nil, []int{6, 7}, "SetLogger takes an internal.Logging (Printf(ctx, format, v...)) in v9, not a *log.Logger: pass an adapter", false},
	"NewScanCmd":          {pkgLevel, nil, []int{6, 7}, "NewScanCmd takes (ctx, process, args...) in v9, where process is the client's cmdable: build the scan through the client's Scan", false},
}

func (r *removed) Apply(f rules.File) error {
	info := f.Info()
	ast.Inspect(f.AST(), func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		obj, v := oldObj(info, id, 6, 7)
		if obj == nil {
			return true
		}
		api, ok := removedAPI[obj.Name()]
		if !ok || !slices.Contains(api.versions, v) || !r.matches(obj, api.kind, api.types) || f.Ignored(r, id.Pos()) {
			return true
		}
		if api.byRecv && !recvIs(f, id, api.types...) {
			return true
		}
		f.Report(r, id.Pos(), api.msg, true)
		return true
	})
	return nil
}

func (r *removed) matches(obj types.Object, kind objKind, typeNames []string) bool {
	switch obj := obj.(type) {
	case *types.Func:
		if kind == method {
			return isMethodOf(obj, obj.Name(), typeNames...)
		}
		return kind == pkgLevel && obj.Parent() == obj.Pkg().Scope()
	case *types.Var:
		return kind == field && obj.IsField() && isField(obj, []int{version(obj.Pkg())}, typeNames...)
	}
	return false
}

// recvIs reports whether id selects a method of a value whose type is one
// of the old named types.
func recvIs(f rules.File, id *ast.Ident, typeNames ...string) bool {
	sel, ok := f.Parents(id)[0].(*ast.SelectorExpr)
	if !ok {
		return false
	}
	s := f.Info().Selections[sel]
	return s != nil && isOldNamed(s.Recv(), typeNames...)
}

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
