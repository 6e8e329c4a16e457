package redigorule

import (
	"bytes"
	"go/ast"
	"go/printer"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"

	"github.com/migrate-tool/migrate/rules"
)

// A straight-line transaction on a borrowed connection (research §4):
//
//	c.Send("MULTI")
//	c.Send("INCR", k)
//	c.Send("EXPIRE", k, 60)
//	_, err := c.Do("EXEC")
//
// becomes
//
//	_, err := rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
//		pipe.Incr(ctx, k)
//		pipe.Expire(ctx, k, 60*time.Second)
//		return nil
//	})
//
// when EXEC's reply is dropped: TxPipelined returns the commands, not
// EXEC's array. Its error is the first failed command's (a nil reply,
// redis.Nil, counts), where redigo returned EXEC's own error and kept the
// commands' errors in the array: reported. WATCH is reported.

// execUse records c.Do("EXEC") when its reply is dropped.
func (b *borrow) execUse(p *rules.Pass, call *ast.CallExpr, parents []ast.Node) (ast.Node, string) {
	if b.exec != nil || len(call.Args) != 1 {
		return call, "runs EXEC twice"
	}
	switch pa := parents[0].(type) {
	case *ast.ExprStmt:
	case *ast.AssignStmt:
		if len(pa.Lhs) != 2 || !isIdentNamed(pa.Lhs[0], "_") {
			return call, "reads EXEC's reply, whose shape changes (rdb.TxPipelined returns the commands, each with its result)"
		}
	default:
		return call, "reads EXEC's reply, whose shape changes (rdb.TxPipelined returns the commands, each with its result)"
	}
	blk, ok := parents[1].(*ast.BlockStmt)
	if !ok {
		return call, "runs EXEC outside a statement of a block"
	}
	b.exec = &pipeEvent{kind: "Exec", call: call, stmt: parents[0].(ast.Stmt), block: blk, parents: parents}
	return nil, ""
}

// splitTx takes the transaction out of the pipeline events: a Send of
// MULTI, Sends, then the EXEC, in one block with nothing between. It
// returns why not, with where, or nil.
func (b *borrow) splitTx(p *rules.Pass) (ast.Node, string) {
	m := -1
	for i, e := range b.pipe {
		if e.kind == "Send" && commandName(p, e.call.Args[0]) == "MULTI" {
			m = i
			break
		}
	}
	switch {
	case b.exec == nil && m < 0:
		return nil, ""
	case b.exec == nil:
		return b.pipe[m].call, "sends MULTI without a Do(\"EXEC\") migrate can follow"
	case m < 0:
		return b.exec.call, "runs EXEC without a Send(\"MULTI\") before it"
	}
	k := m + 1
	for k < len(b.pipe) && b.pipe[k].kind == "Send" && b.pipe[k].call.Pos() < b.exec.call.Pos() {
		if oneConnection[commandName(p, b.pipe[k].call.Args[0])] {
			return b.pipe[k].call, "queues a command that needs one connection inside MULTI"
		}
		k++
	}
	if k == m+1 || (k < len(b.pipe) && b.pipe[k].call.Pos() < b.exec.call.Pos()) {
		return b.exec.call, "runs MULTI/EXEC with something other than Sends between them"
	}
	for _, e := range b.pipe[m:k] {
		if e.block != b.exec.block || sendCall(e.stmt) != e.call || e.call.Ellipsis.IsValid() {
			return e.call, "runs MULTI/EXEC across blocks, or with Sends of a shape migrate does not rewrite"
		}
	}
	for _, s := range b.cmds {
		if s.call.Pos() > b.pipe[m].call.Pos() && s.call.Pos() < b.exec.call.Pos() {
			return s.call, "sends a command with Do inside MULTI"
		}
	}
	b.tx = append([]*pipeEvent(nil), b.pipe[m+1:k]...)
	b.txStmts = []ast.Stmt{b.pipe[m].stmt}
	for _, e := range b.tx {
		b.txStmts = append(b.txStmts, e.stmt)
	}
	b.pipe = append(b.pipe[:m:m], b.pipe[k:]...)
	return nil, ""
}

// txEdits returns the edits of the transaction: the Sends go, and EXEC
// becomes rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {...}).
func (b *borrow) txEdits(p *rules.Pass) []rules.Edit {
	var edits []rules.Edit
	for _, st := range b.txStmts {
		edits = append(edits, rules.Delete(st))
	}
	names := b.names.in(p, b.stmt)
	pipe := freshName(names, "pipe")
	ctx := p.ContextArg(b.exec.call)
	var body []func() dst.Stmt
	for _, e := range b.tx {
		cmd := command{name: commandName(p, e.call.Args[0]), args: e.call.Args}
		pl, _ := planCommand(p, cmd, "", true)
		for _, note := range pl.notes {
			p.Report(e.call.Pos(), note, true)
		}
		for _, msg := range leftoverMessages(redigoLeft(p, exprNodes(cmd.args)...)) {
			p.Report(e.call.Pos(), msg, true)
		}
		args := sourceArgs(p, e.call.Args)
		sctx := p.ContextArg(e.call)
		pc := &planCtx{goredis: goredisQualifier(p, e.call.Pos(), len(e.call.Args))}
		body = append(body, func() dst.Stmt {
			return &dst.ExprStmt{X: &dst.CallExpr{Fun: &dst.SelectorExpr{X: dst.NewIdent(pipe), Sel: dst.NewIdent(pl.method)},
				Args: append([]dst.Expr{sctx()}, pl.args(pc, args())...)}}
		})
	}
	q := goredisQualifier(p, b.exec.call.Pos(), 1)
	pool := poolAt(p, b.pool, b.exec.call.Pos())
	p.Report(b.exec.call.Pos(), "rdb.TxPipelined returns the first failed command's error (a nil reply, redis.Nil, counts), "+
		"where redigo's EXEC returned its own and kept the commands' errors in its reply: check what err means here", true)
	edits = append(edits, replaceKeeping(p, b.exec.call, nil, func(old dst.Node) dst.Node {
		var stmts []dst.Stmt
		for _, mk := range body {
			stmts = append(stmts, mk())
		}
		stmts = append(stmts, &dst.ReturnStmt{Results: []dst.Expr{dst.NewIdent("nil")}})
		fn := &dst.FuncLit{
			Type: &dst.FuncType{
				Params:  &dst.FieldList{List: []*dst.Field{{Names: []*dst.Ident{dst.NewIdent(pipe)}, Type: &dst.SelectorExpr{X: q(), Sel: dst.NewIdent("Pipeliner")}}}},
				Results: &dst.FieldList{List: []*dst.Field{{Type: dst.NewIdent("error")}}},
			},
			Body: &dst.BlockStmt{List: stmts},
		}
		e := &dst.CallExpr{Fun: &dst.SelectorExpr{X: pool(), Sel: dst.NewIdent("TxPipelined")}, Args: []dst.Expr{ctx(), fn}}
		e.Decs.NodeDecs = old.(*dst.CallExpr).Decs.NodeDecs
		return e
	}))
	return edits
}

// sourceArgs returns a builder of decorated copies of args, printed and
// parsed again: the Sends they come from are deleted, so their decorated
// nodes are not at hand.
func sourceArgs(p *rules.Pass, args []ast.Expr) func() []dst.Expr {
	var srcs []string
	for _, a := range args {
		var buf bytes.Buffer
		if err := printer.Fprint(&buf, p.Fset(), a); err != nil {
			return nil
		}
		srcs = append(srcs, buf.String())
	}
	return func() []dst.Expr {
		var out []dst.Expr
		for _, s := range srcs {
			f, err := decorator.Parse("package p\n\nvar _ = " + s + "\n")
			if err != nil {
				panic("redigo-conn: reparse " + s + ": " + err.Error())
			}
			out = append(out, f.Decls[0].(*dst.GenDecl).Specs[0].(*dst.ValueSpec).Values[0])
		}
		return out
	}
}
