package redigorule

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"
	"golang.org/x/tools/go/ast/astutil"

	"github.com/migrate-tool/migrate/rules"
)

// PubSub moves redigo's PubSubConn to go-redis's *redis.PubSub.
var PubSub = &rules.GoRule{
	Name: "redigo-pubsub",
	Doc: "redis.PubSubConn{Conn: pool.Get()} becomes pool.Subscribe(ctx), a *redis.PubSub subscribed to nothing yet, and so does " +
		"a PubSubConn on a connection c := pool.Get() borrowed for it (the borrow goes, a deferred c.Close() becomes defer psc.Close()); " +
		"its Subscribe, PSubscribe, Unsubscribe, PUnsubscribe and Ping take the context in scope (context.TODO(), reported, " +
		"where there is none), ReceiveWithTimeout(d) becomes ReceiveTimeout(ctx, d) and ReceiveContext(ctx) Receive(ctx); " +
		"a receive that a type switch reads, or that is assigned to a new variable, returns its error as a second value " +
		"which the rewrite puts back into the message (if err != nil { msg = err }), so that case error still sees it; " +
		"the cases and assertions become pointers (*redis.Message, *redis.Subscription, *redis.Pong; garyburd's PMessage is " +
		"*redis.Message), Message.Data becomes []byte(Payload) and Pong.Data Payload; PubSubConn in declarations becomes " +
		"*redis.PubSub. A PubSubConn on a connection that is not pool.Get(), a receive used otherwise, channels that are not " +
		"strings, and the Conn field are reported; the loop and its shutdown are worth a review (go-redis keeps a subscription " +
		"alive after a receive timeout and reconnects)",
	Paths:    paths,
	NewPaths: []string{goRedis, "context"},
	Requires: []*rules.Fact{compatPackage},
	Run:      runPubSub,
}

var (
	pubSubConn    = rules.Funcs(paths, "PubSubConn")
	pubSubMethods = rules.Members(paths, []string{"PubSubConn"}, "Close", "Subscribe", "PSubscribe", "Unsubscribe",
		"PUnsubscribe", "Ping", "Receive", "ReceiveWithTimeout", "ReceiveContext")
	pubSubConnField = rules.Members(paths, []string{"PubSubConn"}, "Conn")
	poolGet         = rules.Members(paths, []string{"Pool"}, "Get")
)

func runPubSub(p *rules.Pass) error {
	if inCompat(p) {
		return nil // phase 1\'s package stays on redigo until it is deleted
	}
	for _, u := range p.UsesOf(pubSubConn) {
		if _, ok := u.Obj.(*types.TypeName); ok {
			pubSubType(p, u.Ident)
		}
	}
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		if lit, ok := n.(*ast.CompositeLit); ok && isRedigoType(p.Info().TypeOf(lit), "PubSubConn") {
			pubSubLit(p, lit)
		}
		return true
	})
	for _, u := range p.UsesOf(pubSubMethods) {
		pubSubMethod(p, u.Ident)
	}
	for _, u := range p.UsesOf(pubSubConnField) {
		if !inPubSubLit(p, u.Ident) {
			p.Report(u.Ident.Pos(), "PubSubConn.Conn: go-redis's *redis.PubSub does not show its connection; "+
				"use its methods (Subscribe, Receive, Close) instead", true)
		}
	}
	messageTypes(p)
	return nil
}

// pubSubType makes redis.PubSubConn, or *redis.PubSubConn, *redis.PubSub
// in a declaration; a literal's type goes with the literal.
func pubSubType(p *rules.Pass, id *ast.Ident) {
	var typ ast.Expr = id
	if sel, ok := p.Parents(id)[0].(*ast.SelectorExpr); ok && sel.Sel == id {
		typ = sel
	}
	switch parent := p.Parents(typ)[0].(type) {
	case *ast.CompositeLit:
		if parent.Type == typ {
			return // pubSubLit
		}
	case *ast.StarExpr:
		p.Rewrite(id.Pos(), rules.Rename(id, "PubSub"))
		return
	case *ast.CallExpr:
		p.Report(id.Pos(), "redis.PubSubConn converted or made with new(): go-redis's subscriber is a *redis.PubSub "+
			"that client.Subscribe(ctx, channels...) returns; rewrite this by hand", true)
		return
	}
	p.Rewrite(id.Pos(), rules.Rename(id, "PubSub"), rules.Wrap(typ, func(e dst.Expr) dst.Expr { return &dst.StarExpr{X: e} }))
}

// inPubSubLit reports whether id is the key of a PubSubConn literal.
func inPubSubLit(p *rules.Pass, id *ast.Ident) bool {
	kv, ok := p.Parents(id)[0].(*ast.KeyValueExpr)
	return ok && kv.Key == id
}

// pubSubLit makes redis.PubSubConn{Conn: pool.Get()} pool.Subscribe(ctx).
func pubSubLit(p *rules.Pass, lit *ast.CompositeLit) {
	var target ast.Node = lit
	if u, ok := p.Parents(lit)[0].(*ast.UnaryExpr); ok && u.Op == token.AND {
		target = u
	}
	var conn ast.Expr
	if len(lit.Elts) == 1 {
		conn = lit.Elts[0]
		if kv, ok := conn.(*ast.KeyValueExpr); ok {
			conn = kv.Value
		}
	}
	if id, ok := ast.Unparen(conn).(*ast.Ident); ok {
		if pool, get := borrowedFrom(p, id); pool != nil {
			subscribeOn(p, target, pool, get, closeOf(p, id, target))
			return
		}
	}
	get, _ := ast.Unparen(conn).(*ast.CallExpr)
	sel, _ := ast.Unparen(funOf(get)).(*ast.SelectorExpr)
	if get == nil || sel == nil || len(get.Args) != 0 || !isUseOf(p, sel.Sel, poolGet) {
		p.Report(lit.Pos(), "a PubSubConn on a connection that is not pool.Get(): go-redis subscribes on the client, "+
			"rdb.Subscribe(ctx, channels...) returns a *redis.PubSub; rewrite this by hand", true)
		return
	}
	ctx := p.ContextArg(get)
	p.Rewrite(lit.Pos(), rules.Replace(target, func(old dst.Node) dst.Node {
		l, ok := old.(*dst.CompositeLit)
		if u, isAddr := old.(*dst.UnaryExpr); isAddr {
			l, ok = u.X.(*dst.CompositeLit)
		}
		if !ok {
			panic("redigo-pubsub: the PubSubConn literal changed shape")
		}
		v := l.Elts[0]
		if kv, isKV := v.(*dst.KeyValueExpr); isKV {
			v = kv.Value
		}
		call := rules.Unparen(v).(*dst.CallExpr)
		call.Fun.(*dst.SelectorExpr).Sel.Name = "Subscribe"
		call.Args = []dst.Expr{ctx()}
		call.Decs.NodeDecs = *old.Decorations()
		return call
	}))
}

// borrowedFrom returns the pool and the call of c := pool.Get() (or
// c, err := pool.GetContext(ctx)) that defined the connection id, when
// the pool is a variable or field (the rule conn removes the borrow and
// its Close: see pubSubConnValue); else nil.
func borrowedFrom(p *rules.Pass, id *ast.Ident) (ast.Expr, *ast.CallExpr) {
	obj, ok := p.Info().Uses[id].(*types.Var)
	if !ok {
		return nil, nil
	}
	path, _ := astutil.PathEnclosingInterval(p.AST(), obj.Pos(), obj.Pos())
	if len(path) < 2 {
		return nil, nil
	}
	as, ok := path[1].(*ast.AssignStmt)
	if !ok || as.Tok != token.DEFINE || len(as.Rhs) != 1 || len(as.Lhs) == 0 || as.Lhs[0] != path[0] {
		return nil, nil
	}
	get, _ := as.Rhs[0].(*ast.CallExpr)
	sel, _ := ast.Unparen(funOf(get)).(*ast.SelectorExpr)
	if sel == nil || !isUseOf(p, sel.Sel, getM) || !pure(p, sel.X) {
		return nil, nil
	}
	return sel.X, get
}

// subscribeOn replaces the PubSubConn literal target by pool.Subscribe(ctx),
// with the edit that closes the subscription where the connection was.
func subscribeOn(p *rules.Pass, target ast.Node, pool ast.Expr, get *ast.CallExpr, closing *rules.Edit) {
	ctx := p.ContextArg(get)
	poolX := poolAt(p, pool, target.Pos())
	edits := []rules.Edit{rules.Replace(target, func(old dst.Node) dst.Node {
		call := &dst.CallExpr{Fun: &dst.SelectorExpr{X: poolX(), Sel: dst.NewIdent("Subscribe")}, Args: []dst.Expr{ctx()}}
		call.Decs.NodeDecs = *old.Decorations()
		return call
	})}
	if closing != nil {
		edits = append(edits, *closing)
	}
	p.Rewrite(target.Pos(), edits...)
}

// closeOf returns, when the borrowed connection conn was closed by a
// defer (which goes with the borrow) and the subscription target is
// assigned to a new variable that is never closed, the edit that puts
// "defer psc.Close()" after that assignment; a Close that is not
// deferred is reported.
func closeOf(p *rules.Pass, conn *ast.Ident, target ast.Node) *rules.Edit {
	deferred := false
	for _, id := range p.Uses(p.Info().Uses[conn]) {
		sel, ok := p.Parents(id)[0].(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Close" {
			continue
		}
		if _, ok := p.Parents(sel)[1].(*ast.DeferStmt); ok {
			deferred = true
			continue
		}
		line := p.Fset().Position(sel.Pos()).Line
		p.Report(target.Pos(), fmt.Sprintf("the connection this subscription used was closed by a Close (line %d of the original) that goes with "+
			"the borrow: close the subscription there instead (ps.Close())", line), true)
	}
	as, ok := p.Parents(target)[0].(*ast.AssignStmt)
	if !deferred || !ok || as.Tok != token.DEFINE || len(as.Lhs) != 1 || !rules.IsStmtList(p.Parents(as)[0]) {
		return nil
	}
	psc, _ := as.Lhs[0].(*ast.Ident)
	obj := p.Info().Defs[psc]
	if obj == nil {
		return nil
	}
	for _, id := range p.Uses(obj) {
		if sel, ok := p.Parents(id)[0].(*ast.SelectorExpr); ok && sel.Sel.Name == "Close" {
			return nil // closed already
		}
	}
	e := rules.InsertAfter(as, func() dst.Node {
		return &dst.DeferStmt{Call: &dst.CallExpr{Fun: &dst.SelectorExpr{X: dst.NewIdent(psc.Name), Sel: dst.NewIdent("Close")}}}
	})
	return &e
}

// pubSubConnValue reports whether id is the connection of a PubSubConn
// literal, which the rule pubsub turns into a subscription on the pool
// the connection was borrowed from (borrowedFrom): the rule conn then
// removes the borrow like any other.
func pubSubConnValue(p *rules.Pass, id *ast.Ident) bool {
	var n ast.Node = id
	if kv, ok := p.Parents(id)[0].(*ast.KeyValueExpr); ok && kv.Value == id {
		n = kv
	}
	lit, ok := p.Parents(n)[0].(*ast.CompositeLit)
	if !ok || len(lit.Elts) != 1 || !isRedigoType(p.Info().TypeOf(lit), "PubSubConn") {
		return false
	}
	pool, _ := borrowedFrom(p, id)
	return pool != nil
}

func funOf(call *ast.CallExpr) ast.Expr {
	if call == nil {
		return nil
	}
	return call.Fun
}

// isUseOf reports whether id refers to a symbol m names.
func isUseOf(p *rules.Pass, id *ast.Ident, m *rules.Matcher) bool {
	obj := p.Info().Uses[id]
	if obj == nil {
		return false
	}
	_, ok := m.Match(obj)
	return ok
}

// pubSubMethod moves one method call of PubSubConn to *redis.PubSub's.
func pubSubMethod(p *rules.Pass, id *ast.Ident) {
	call := rules.CallOf(p, id)
	if call == nil {
		p.Report(id.Pos(), "PubSubConn."+id.Name+" used as a value: go-redis's methods take a context; call them by hand", true)
		return
	}
	switch id.Name {
	case "Close":
		p.Rewrite(id.Pos(), rules.Rename(id, "Close"))
		return
	case "ReceiveContext":
		receive(p, id, call, rules.Rename(id, "Receive"))
		return
	}
	if why := channelArgs(p, id.Name, call); why != "" {
		p.Report(call.Pos(), why, true)
		return
	}
	edits := []rules.Edit{withContext(p, call)}
	for _, a := range call.Args {
		if isChannelMethod(id.Name) && named(p.Info().TypeOf(a)) && !call.Ellipsis.IsValid() {
			edits = append(edits, rules.Wrap(a, func(e dst.Expr) dst.Expr {
				return &dst.CallExpr{Fun: dst.NewIdent("string"), Args: []dst.Expr{e}}
			}))
		}
	}
	switch id.Name {
	case "Receive":
		receive(p, id, call, edits...)
	case "ReceiveWithTimeout":
		receive(p, id, call, append(edits, rules.Rename(id, "ReceiveTimeout"))...)
	default:
		p.Rewrite(call.Pos(), edits...)
	}
}

// withContext returns the edit that puts the context in scope first among
// call's arguments.
func withContext(p *rules.Pass, call *ast.CallExpr) rules.Edit {
	ctx := p.ContextArg(call)
	return rules.Replace(call, func(old dst.Node) dst.Node {
		c := old.(*dst.CallExpr)
		c.Args = append([]dst.Expr{ctx()}, c.Args...)
		return c
	})
}

// channelArgs returns why the arguments of a (P)Subscribe or
// (P)Unsubscribe call cannot be go-redis's ...string, or "".
func channelArgs(p *rules.Pass, method string, call *ast.CallExpr) string {
	if !isChannelMethod(method) {
		return ""
	}
	for _, a := range call.Args {
		t := p.Info().TypeOf(a)
		if call.Ellipsis.IsValid() {
			if s, ok := t.Underlying().(*types.Slice); ok && types.Identical(s.Elem(), types.Typ[types.String]) {
				continue
			}
			return method + " with a slice that is not []string: go-redis takes the channels as ...string; convert them by hand"
		}
		if b, ok := t.Underlying().(*types.Basic); !ok || b.Info()&types.IsString == 0 {
			return method + " with a channel that is not a string: go-redis takes the channels as ...string; convert it by hand"
		}
	}
	return ""
}

func isChannelMethod(name string) bool {
	switch name {
	case "Subscribe", "PSubscribe", "Unsubscribe", "PUnsubscribe":
		return true
	}
	return false
}

// named reports whether t is a named type other than string, whose values
// go-redis's ...string parameter needs converted.
func named(t types.Type) bool {
	_, ok := t.(*types.Named)
	return ok
}

// receive rewrites a receive call with edits, and the statement that takes
// its message: go-redis returns the error as a second value, which the
// rewrite puts back into the message so that "case error" still sees it.
func receive(p *rules.Pass, id *ast.Ident, call *ast.CallExpr, edits ...rules.Edit) {
	parents := p.Parents(call)
	switch parent := parents[0].(type) {
	case *ast.TypeAssertExpr:
		if sw := typeSwitchOf(p, parent); sw != nil && sw.Init == nil && rules.IsStmtList(p.Parents(sw)[0]) {
			p.Rewrite(call.Pos(), append(edits, receiveSwitch(p, sw, call)...)...)
			return
		}
	case *ast.ExprStmt:
		p.Rewrite(call.Pos(), edits...) // the message was dropped: both values are
		return
	case *ast.AssignStmt:
		if v, ok := parent.Lhs[0].(*ast.Ident); ok && len(parent.Lhs) == 1 && v.Name == "_" {
			p.Rewrite(call.Pos(), append(edits, rules.Replace(parent, func(old dst.Node) dst.Node {
				a := old.(*dst.AssignStmt)
				a.Lhs = append(a.Lhs, dst.NewIdent("_"))
				return a
			}))...)
			return
		}
		if v, ok := parent.Lhs[0].(*ast.Ident); ok && parent.Tok == token.DEFINE && len(parent.Lhs) == 1 &&
			rules.IsStmtList(parents[1]) {
			p.Rewrite(call.Pos(), append(edits, receiveAssign(p, parent, v.Name)...)...)
			return
		}
	}
	p.Report(id.Pos(), "PubSubConn."+id.Name+"'s message used here: go-redis returns (message, error) instead of a message "+
		"that may be an error; take both values by hand (msg, err := ps.Receive(ctx))", true)
}

// typeSwitchOf returns the type switch whose guard is x.(type), or nil.
func typeSwitchOf(p *rules.Pass, x *ast.TypeAssertExpr) *ast.TypeSwitchStmt {
	if x.Type != nil {
		return nil
	}
	for _, n := range p.Parents(x)[:2] {
		if sw, ok := n.(*ast.TypeSwitchStmt); ok {
			return sw
		}
	}
	return nil
}

// receiveSwitch returns the edits that make
//
//	switch v := ps.Receive(ctx).(type) {
//
// into
//
//	msg, err := ps.Receive(ctx)
//	if err != nil {
//		msg = err
//	}
//	switch v := msg.(type) {
func receiveSwitch(p *rules.Pass, sw *ast.TypeSwitchStmt, call *ast.CallExpr) []rules.Edit {
	list := p.Parents(sw)[0]
	msg, errName := rules.FreeName(list, "msg"), rules.FreeName(list, "err")
	var moved *dst.TypeSwitchStmt
	var recv dst.Expr
	guard := rules.Replace(sw, func(old dst.Node) dst.Node {
		s := old.(*dst.TypeSwitchStmt)
		var x *dst.TypeAssertExpr
		switch a := s.Assign.(type) {
		case *dst.AssignStmt:
			x = a.Rhs[0].(*dst.TypeAssertExpr)
		case *dst.ExprStmt:
			x = a.X.(*dst.TypeAssertExpr)
		}
		recv, x.X, moved = x.X, dst.NewIdent(msg), s
		return s
	})
	insert := rules.Replace(list, func(old dst.Node) dst.Node {
		stmts := rules.StmtsOf(old)
		for i, s := range *stmts {
			if s != moved {
				continue
			}
			first := &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(msg), dst.NewIdent(errName)}, Tok: token.DEFINE, Rhs: []dst.Expr{recv}}
			first.Decs.NodeDecs, moved.Decs.NodeDecs = moved.Decs.NodeDecs, dst.NodeDecs{}
			first.Decs.After, moved.Decs.Before = dst.NewLine, dst.NewLine
			*stmts = append((*stmts)[:i], append([]dst.Stmt{first, errToMessage(msg, errName)}, (*stmts)[i:]...)...)
			break
		}
		return old
	})
	return []rules.Edit{guard, insert}
}

// receiveAssign returns the edits that make msg := ps.Receive(ctx) take
// the error too, and put it into msg.
func receiveAssign(p *rules.Pass, as *ast.AssignStmt, msg string) []rules.Edit {
	errName := rules.FreeName(p.Parents(as)[0], "err")
	return []rules.Edit{
		rules.Replace(as, func(old dst.Node) dst.Node {
			a := old.(*dst.AssignStmt)
			a.Lhs = append(a.Lhs, dst.NewIdent(errName))
			return a
		}),
		rules.InsertAfter(as, func() dst.Node { return errToMessage(msg, errName) }),
	}
}

// errToMessage returns: if err != nil { msg = err }.
func errToMessage(msg, err string) dst.Stmt {
	return &dst.IfStmt{
		Cond: &dst.BinaryExpr{X: dst.NewIdent(err), Op: token.NEQ, Y: dst.NewIdent("nil")},
		Body: &dst.BlockStmt{List: []dst.Stmt{&dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(msg)}, Tok: token.ASSIGN, Rhs: []dst.Expr{dst.NewIdent(err)}}}},
	}
}
