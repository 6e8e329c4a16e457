package redigorule

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/migrate-tool/migrate/rules"
)

// Leftover reports every use of redigo that the rules before it in the
// set left as it was: after the import moved, each one names go-redis,
// which has no such symbol or gives it another meaning, so nothing that
// breaks the build goes unreported. It must come last in the rule set.
var Leftover = &rules.GoRule{
	Name: "redigo-leftover",
	Doc: "every use of redigo that no other rule rewrote (a connection passed to a helper or stored, a reply helper " +
		"on a stored reply, Scan, Args, a pool literal the pool rules could not map...) is reported with a TODO, " +
		"once per statement (none where another rule of the set left a TODO for the whole statement), saying what to use in go-redis; it runs last",
	Paths:    paths,
	Requires: []*rules.Fact{compatPackage},
	Run:      runLeftover,
}

// sameInGoRedis are redigo's symbols that go-redis has with the same
// meaning: the moved import keeps them working.
var sameInGoRedis = map[string]bool{"redis.ErrPoolExhausted": true, "redis.Script": true, "redis.Script.Hash": true}

func runLeftover(p *rules.Pass) error {
	if inCompat(p) {
		return nil
	}
	// One report per statement: of its first redigo symbol, else of its
	// first variable holding a redigo connection or Args.
	type site struct {
		pos    token.Pos
		direct types.Object
		held   types.Object
	}
	var order []ast.Node
	sites := map[ast.Node]*site{}
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		obj := p.Info().Uses[id]
		held := false
		if v, ok := obj.(*types.Var); ok && obj.Pkg() == p.Pkg() {
			// A variable of the package whose type is redigo's connection
			// or Args: its uses break where its declaration is elsewhere.
			obj, held = heldType(v.Type()), true
		}
		if obj == nil || obj.Pkg() == nil || !rules.MatchPath(obj.Pkg().Path(), paths) || p.Pkg() == obj.Pkg() {
			return true
		}
		if sameInGoRedis[symbolName(obj)] || p.Replaced(id) || inPoolLiteral(p, id) {
			return true
		}
		key := siteOf(p, id)
		st := sites[key]
		if st == nil {
			st = &site{pos: id.Pos()}
			sites[key] = st
			order = append(order, key)
		}
		switch {
		case !held && st.direct == nil:
			st.direct = obj
			st.pos = id.Pos()
		case held && st.held == nil:
			st.held = obj
		}
		return true
	})
	for _, key := range order {
		st := sites[key]
		if p.ReportedAt(st.pos) {
			continue // another rule of the set left a TODO there
		}
		obj := st.direct
		if obj == nil {
			obj = st.held
		}
		p.Report(st.pos, leftoverMessage(obj), true)
	}
	return nil
}

// siteOf returns the innermost statement, spec, field or declaration
// around id: the part of the file a report there stands for.
func siteOf(p *rules.Pass, id *ast.Ident) ast.Node {
	for _, n := range p.Parents(id) {
		switch n.(type) {
		case *ast.BlockStmt, *ast.LabeledStmt:
		case ast.Stmt, ast.Spec, ast.Decl, *ast.Field:
			return n
		}
	}
	return id
}

// inPoolLiteral reports whether id lies inside a redis.Pool composite
// literal that no rule replaced: the report at its type covers it.
func inPoolLiteral(p *rules.Pass, id *ast.Ident) bool {
	for _, n := range p.Parents(id) {
		lit, ok := n.(*ast.CompositeLit)
		if !ok || lit.Type == nil || id.Pos() < lit.Lbrace {
			continue
		}
		if isRedigoType(p.Info().TypeOf(lit), "Pool") {
			return true
		}
	}
	return false
}

// isRedigoType reports whether t is redigo's named type name, or a
// pointer to it.
func isRedigoType(t types.Type, name string) bool {
	if ptr, ok := t.(*types.Pointer); ok {
		t = ptr.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Name() == name && n.Obj().Pkg() != nil && rules.MatchPath(n.Obj().Pkg().Path(), paths)
}

// leftoverMessage says what to do with a use of obj that stays.
func leftoverMessage(obj types.Object) string {
	return fmt.Sprintf("redigo's %s stays here: %s", symbolName(obj), leftoverHint(obj))
}

// leftoverMessages says what to do with uses of objs that stay, once for
// the objects that share a hint.
func leftoverMessages(objs []types.Object) []string {
	var hints []string
	names := map[string][]string{}
	for _, obj := range objs {
		h := leftoverHint(obj)
		if names[h] == nil {
			hints = append(hints, h)
		}
		names[h] = append(names[h], symbolName(obj))
	}
	var msgs []string
	for _, h := range hints {
		verb := "stays"
		if len(names[h]) > 1 {
			verb = "stay"
		}
		msgs = append(msgs, fmt.Sprintf("redigo's %s %s here: %s", strings.Join(names[h], ", "), verb, h))
	}
	return msgs
}

// leftoverHint says what to use in go-redis instead of obj.
func leftoverHint(obj types.Object) string {
	hint := "it has no go-redis counterpart with the same meaning; rewrite it by hand (research: redigo.md)"
	recv := receiverName(obj)
	switch {
	case recv == "Pool" && (obj.Name() == "Get" || obj.Name() == "GetContext"):
		hint = "go-redis lends no connections: run the commands on the client itself (rdb.Get(ctx, k), rdb.Do(ctx, ...)) and drop the borrow and its Close"
	case recv == "Conn" || obj.Name() == "Conn":
		hint = "go-redis has no redigo connection: run the command on the *redis.Client (a typed method or rdb.Do(ctx, ...)), " +
			"taking the client (or redis.Cmdable) where a redis.Conn was passed or stored"
	case recv == "Pool" || obj.Name() == "Pool" || obj.Name() == "NewPool":
		hint = "go-redis has no Pool: build a *redis.Client with redis.NewClient(&redis.Options{...}) (research: redigo.md §1); " +
			"a pool held by value, embedded, converted or made with new() becomes a *redis.Client by hand"
	case recv == "PubSubConn" || obj.Name() == "PubSubConn" || recv == "Message" || recv == "Subscription" || recv == "Pong":
		hint = "use rdb.Subscribe(ctx, channels...) and (*redis.PubSub).Receive(ctx), whose messages are *redis.Message (research: redigo.md §5)"
	case replyHelpers[obj.Name()] && recv == "":
		hint = "a reply helper over a reply that was not rewritten with its command: use the go-redis command's typed result or " +
			"the Cmd accessor (Text, Int64, Bool, Slice, StringSlice...)"
	case obj.Name() == "NewScript" || recv == "Script":
		hint = "go-redis's NewScript(src) takes no key count and its scripts run with Run(ctx, rdb, keys []string, args...): " +
			"split the keys from the arguments by hand where the count is known only at run time (research: redigo.md §6)"
	case obj.Name() == "Args" || recv == "Args":
		hint = "go-redis has no Args: pass the arguments to the command, or a struct with redis tags to HSet"
	case strings.HasPrefix(obj.Name(), "Scan") && recv == "":
		hint = "go-redis scans with the commands' Scan(&dst) (HGetAll(ctx, k).Scan(&s), fields tagged redis:\"...\") or their typed results"
	case obj.Name() == "Error" && recv == "":
		hint = "go-redis's redis.Error is an interface that redis.Nil also satisfies: test for redis.Nil first, or use redis.HasErrorPrefix"
	}
	return hint
}

// replyHelpers are redigo's functions that convert a reply.
var replyHelpers = map[string]bool{
	"String": true, "Bytes": true, "Int": true, "Int64": true, "Uint64": true, "Float64": true, "Bool": true,
	"Values": true, "Strings": true, "ByteSlices": true, "Int64s": true, "Ints": true, "Float64s": true,
	"Uint64s": true, "StringMap": true, "IntMap": true, "Int64Map": true, "Float64Map": true, "Uint64Map": true,
	"Positions": true, "SlowLogs": true, "MultiBulk": true,
}

// symbolName returns redis.Name, or redis.Type.Name for a method or field.
func symbolName(obj types.Object) string {
	if r := receiverName(obj); r != "" {
		return "redis." + r + "." + obj.Name()
	}
	return "redis." + obj.Name()
}

// receiverName returns the name of the type whose method or field obj is,
// or "".
func receiverName(obj types.Object) string {
	switch o := obj.(type) {
	case *types.Func:
		if recv := o.Type().(*types.Signature).Recv(); recv != nil {
			return typeName(recv.Type())
		}
	case *types.Var:
		if o.IsField() {
			return fieldOwner(o)
		}
	}
	return ""
}

func typeName(t types.Type) string {
	if ptr, ok := t.(*types.Pointer); ok {
		t = ptr.Elem()
	}
	if n, ok := t.(*types.Named); ok {
		return n.Obj().Name()
	}
	return ""
}

// fieldOwner returns the name of the redigo struct type that declares the
// field v, or "".
func fieldOwner(v *types.Var) string {
	scope := v.Pkg().Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok {
			continue
		}
		st, ok := tn.Type().Underlying().(*types.Struct)
		if !ok {
			continue
		}
		for i := range st.NumFields() {
			if st.Field(i) == v {
				return name
			}
		}
	}
	return ""
}

// heldType returns redigo's Conn or Args type name when t holds one
// (through pointers, slices, arrays, maps and channels), or nil.
func heldType(t types.Type) types.Object {
	for {
		switch u := t.(type) {
		case *types.Pointer:
			t = u.Elem()
			continue
		case *types.Slice:
			t = u.Elem()
			continue
		case *types.Array:
			t = u.Elem()
			continue
		case *types.Map:
			t = u.Elem()
			continue
		case *types.Chan:
			t = u.Elem()
			continue
		case *types.Named:
			if isRedigoType(u, "Conn") || isRedigoType(u, "Args") {
				return u.Obj()
			}
		}
		return nil
	}
}
