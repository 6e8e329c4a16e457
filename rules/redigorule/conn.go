package redigorule

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

const goredisPath = "github.com/redis/go-redis/v9"

// Conn removes borrowed connections and sends their commands through the
// client.
var Conn = &rules.GoRule{
	Name: "redigo-conn",
	Doc: "c := pool.Get() (or c, err := pool.GetContext(ctx) with its error check) and defer c.Close() go when c is only " +
		"the receiver of Do (or the connection of redis.DoContext): each command runs on the pool's client with the " +
		"context in scope (context.TODO(), reported, where there is none), as the typed method when its name is a " +
		"constant and its arguments have the method's exact shape, else as rdb.Do(ctx, ...), and the reply helper " +
		"around it becomes the accessor that keeps its meaning; a connection passed on, stored, or used for " +
		"MULTI/WATCH/SELECT is reported and left",
	Paths:    paths,
	NewPaths: []string{"context", "time", goredisPath},
	Run:      runConn,
}

var getM = rules.Members(paths, []string{"Pool"}, "Get", "GetContext")

func runConn(p *rules.Pass) error {
	for _, u := range p.UsesOf(getM) {
		b := borrowOf(p, u)
		if b == nil {
			continue
		}
		if escape, why := b.collect(p); escape != nil {
			p.Report(escape.Pos(), fmt.Sprintf("the connection %s %s: migrate leaves this borrowed connection as it is; "+
				"run its commands on the client (rdb.Do(ctx, ...) or typed methods), or rdb.Conn() where one connection is needed",
				b.conn.Name(), why), true)
			continue
		}
		b.rewrite(p)
	}
	return nil
}

// borrow is a connection taken from a pool in a statement of its own.
type borrow struct {
	stmt   *ast.AssignStmt
	pool   ast.Expr // the pool, an identifier or a selector of identifiers
	conn   *types.Var
	errChk ast.Stmt // the "if err != nil" after GetContext, removed with it
	drop   []ast.Node
	cmds   []*cmdSite
}

// cmdSite is a command sent on the connection.
type cmdSite struct {
	call   *ast.CallExpr // c.Do(...) or redis.DoContext(c, ctx, ...)
	outer  ast.Expr      // the node replaced: the helper call around call, or call
	helper string
	first  int  // the index of the command name among call's arguments
	ctxArg bool // call's argument 1 is the context (DoContext)
	plan   plan
	exprSt bool // the call is a statement: its result is dropped
}

// borrowOf returns the borrow u (Pool.Get or GetContext) makes, or nil
// when it is not one migrate removes (the leftover rule reports it).
func borrowOf(p *rules.Pass, u rules.Use) *borrow {
	parents := p.Parents(u.Ident)
	if len(parents) < 4 {
		return nil
	}
	sel, _ := parents[0].(*ast.SelectorExpr)
	call, _ := parents[1].(*ast.CallExpr)
	as, _ := parents[2].(*ast.AssignStmt)
	if sel == nil || call == nil || call.Fun != sel || as == nil || as.Tok != token.DEFINE || len(as.Rhs) != 1 || as.Rhs[0] != call || !pure(p, sel.X) {
		return nil
	}
	if _, ok := parents[3].(*ast.BlockStmt); !ok {
		return nil
	}
	want := map[string]int{"Get": 1, "GetContext": 2}[u.Ident.Name]
	if len(as.Lhs) != want {
		return nil
	}
	id, _ := as.Lhs[0].(*ast.Ident)
	if id == nil {
		return nil
	}
	v, _ := p.Info().Defs[id].(*types.Var)
	if v == nil {
		return nil
	}
	b := &borrow{stmt: as, pool: sel.X, conn: v}
	if want == 2 && !b.errCheck(p, parents[3].(*ast.BlockStmt)) {
		return nil
	}
	return b
}

// errCheck finds the "if err != nil { ... }" that follows a GetContext,
// which goes with it: the error is only a dial or pool error, which
// go-redis returns from each command. It reports false when err is used
// elsewhere.
func (b *borrow) errCheck(p *rules.Pass, block *ast.BlockStmt) bool {
	errID, _ := b.stmt.Lhs[1].(*ast.Ident)
	if errID == nil {
		return false
	}
	if errID.Name == "_" {
		return true
	}
	var next ast.Stmt
	for i, s := range block.List {
		if s == b.stmt && i+1 < len(block.List) {
			next = block.List[i+1]
		}
	}
	ifs, _ := next.(*ast.IfStmt)
	if ifs == nil || ifs.Init != nil || ifs.Else != nil {
		return false
	}
	cond, _ := ifs.Cond.(*ast.BinaryExpr)
	if cond == nil || cond.Op != token.NEQ || !isIdentNamed(cond.X, errID.Name) || !isIdentNamed(cond.Y, "nil") {
		return false
	}
	if obj := p.Info().Defs[errID]; obj != nil {
		for _, use := range p.Uses(obj) {
			if use.Pos() < ifs.Pos() || use.Pos() >= ifs.End() {
				return false
			}
		}
	}
	b.errChk = ifs
	return true
}

func isIdentNamed(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// pure reports whether e names the pool without computing anything: an
// identifier, or a selector of fields of one.
func pure(p *rules.Pass, e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		_, ok := p.Info().Uses[e].(*types.Var)
		return ok
	case *ast.SelectorExpr:
		if id, ok := e.X.(*ast.Ident); ok {
			if _, ok := p.Info().Uses[id].(*types.PkgName); ok {
				return true
			}
		}
		s := p.Info().Selections[e]
		return s != nil && s.Kind() == types.FieldVal && pure(p, e.X)
	case *ast.ParenExpr:
		return pure(p, e.X)
	}
	return false
}

// dstOf builds a decorated copy of a pure expression.
func dstOf(e ast.Expr) dst.Expr {
	switch e := e.(type) {
	case *ast.Ident:
		return dst.NewIdent(e.Name)
	case *ast.SelectorExpr:
		return &dst.SelectorExpr{X: dstOf(e.X), Sel: dst.NewIdent(e.Sel.Name)}
	case *ast.ParenExpr:
		return dstOf(e.X)
	}
	panic(fmt.Sprintf("dstOf: %T is not pure", e))
}

// collect classifies each use of the connection; it returns the first use
// migrate cannot rewrite, and why.
func (b *borrow) collect(p *rules.Pass) (ast.Node, string) {
	for _, id := range p.Uses(b.conn) {
		if n, why := b.use(p, id); n != nil {
			return n, why
		}
	}
	return nil, ""
}

// use classifies one use of the connection.
func (b *borrow) use(p *rules.Pass, id *ast.Ident) (ast.Node, string) {
	parents := p.Parents(id)
	if sel, ok := parents[0].(*ast.SelectorExpr); ok && sel.X == id {
		call, _ := parents[1].(*ast.CallExpr)
		if call == nil || call.Fun != sel {
			return id, "is used as a value (" + sel.Sel.Name + ")"
		}
		switch sel.Sel.Name {
		case "Close":
			return b.closeUse(parents[2], call)
		case "Do":
			return b.command(p, call, parents[2:], 0, false)
		case "Send", "Flush", "Receive":
			return call, "sends with Send/Flush/Receive (a pipeline)"
		}
		return call, "calls " + sel.Sel.Name
	}
	if call, ok := parents[0].(*ast.CallExpr); ok && len(call.Args) > 0 && call.Args[0] == id {
		switch redigoFunc(p, call) {
		case "DoContext":
			if len(call.Args) > 2 {
				return b.command(p, call, parents[1:], 2, true)
			}
		case "DoWithTimeout":
			return call, "runs a command with redis.DoWithTimeout, whose timeout go-redis cannot take per command (a typed blocking method, or context.WithTimeout with ContextTimeoutEnabled)"
		}
		return call, "is passed to a function"
	}
	return id, "is passed on, stored or returned"
}

// closeUse removes c.Close() as a statement, deferred or not.
func (b *borrow) closeUse(parent ast.Node, call *ast.CallExpr) (ast.Node, string) {
	switch st := parent.(type) {
	case *ast.DeferStmt, *ast.ExprStmt:
		b.drop = append(b.drop, st)
		return nil, ""
	case *ast.AssignStmt:
		if len(st.Lhs) == 1 && isIdentNamed(st.Lhs[0], "_") {
			b.drop = append(b.drop, st)
			return nil, ""
		}
	}
	return call, "checks the error of Close"
}

// command records a command sent on the connection: call's argument
// first is the command name; parents are call's parents.
func (b *borrow) command(p *rules.Pass, call *ast.CallExpr, parents []ast.Node, first int, ctxArg bool) (ast.Node, string) {
	cmd := command{name: commandName(p, call.Args[first]), args: call.Args[first:], spread: call.Ellipsis.IsValid()}
	if oneConnection[cmd.name] {
		return call, "runs " + cmd.name + ", which needs one connection (on a client each command may use another): use rdb.TxPipelined, rdb.Watch, Options.DB or rdb.Conn()"
	}
	s := &cmdSite{call: call, outer: call, first: first, ctxArg: ctxArg}
	discarded := false
	switch pa := parents[0].(type) {
	case *ast.CallExpr:
		if h := redigoFunc(p, pa); replyHelpers[h] && len(pa.Args) == 1 {
			s.helper, s.outer = h, pa
		}
	case *ast.ExprStmt:
		discarded, s.exprSt = true, true
	case *ast.AssignStmt:
		discarded = len(pa.Lhs) == 2 && isIdentNamed(pa.Lhs[0], "_")
	}
	pl, helperKept := planCommand(p, cmd, s.helper, discarded)
	if helperKept {
		s.outer, s.helper = call, ""
	}
	if s.exprSt {
		pl.accessor = ""
	}
	s.plan = pl
	b.cmds = append(b.cmds, s)
	return nil, ""
}

// rewrite records the borrow's edits: the statements that go, and each
// command on the client.
func (b *borrow) rewrite(p *rules.Pass) {
	edits := []rules.Edit{rules.Delete(b.stmt)}
	if b.errChk != nil {
		edits = append(edits, rules.Delete(b.errChk))
	}
	for _, n := range b.drop {
		edits = append(edits, rules.Delete(n))
	}
	for _, s := range b.cmds {
		pc := &planCtx{goredis: goredisQualifier(p, s.call.Pos(), len(s.call.Args))}
		edits = append(edits, b.commandEdit(p, s, pc))
		for _, note := range s.plan.notes {
			p.Report(s.call.Pos(), note, true)
		}
	}
	p.Rewrite(b.stmt.Pos(), edits...)
}

// commandEdit returns the edit that sends s on the client.
func (b *borrow) commandEdit(p *rules.Pass, s *cmdSite, pc *planCtx) rules.Edit {
	var ctx func() dst.Expr
	if !s.ctxArg {
		ctx = p.ContextArg(s.call)
	}
	pool := b.pool
	return rules.Replace(s.outer, func(old dst.Node) dst.Node {
		o := old.(*dst.CallExpr)
		call := o
		if s.helper != "" {
			call = o.Args[0].(*dst.CallExpr)
		}
		args := call.Args[s.first:]
		var ctxExpr dst.Expr
		if s.ctxArg {
			ctxExpr = call.Args[1]
		} else {
			ctxExpr = ctx()
		}
		fun := &dst.SelectorExpr{X: dstOf(pool), Sel: dst.NewIdent(s.plan.method)}
		var e dst.Expr = &dst.CallExpr{Fun: fun, Args: append([]dst.Expr{ctxExpr}, s.plan.args(pc, args)...), Ellipsis: s.plan.spread}
		if s.plan.accessor != "" {
			e = &dst.CallExpr{Fun: &dst.SelectorExpr{X: e, Sel: dst.NewIdent(s.plan.accessor)}}
		}
		e.Decorations().Start, e.Decorations().End = o.Decs.Start, o.Decs.End
		e.Decorations().Before, e.Decorations().After = o.Decs.Before, o.Decs.After
		return e
	})
}

// goredisQualifier returns the builder of the identifier naming go-redis
// in the file, for up to n uses: the name of the redigo import, which
// moves there, or a qualifier the engine imports.
func goredisQualifier(p *rules.Pass, pos token.Pos, n int) func() dst.Expr {
	for _, spec := range p.AST().Imports {
		path := spec.Path.Value[1 : len(spec.Path.Value)-1]
		if !rules.MatchPath(path, paths) {
			continue
		}
		name := "redis"
		if spec.Name != nil {
			name = spec.Name.Name
		}
		if name != "." && name != "_" {
			return func() dst.Expr { return dst.NewIdent(name) }
		}
	}
	var qs []*dst.Ident
	for range n {
		qs = append(qs, p.Qualifier(goredisPath, pos))
	}
	return func() dst.Expr {
		q := qs[0]
		qs = qs[1:]
		return q
	}
}
