package redigorule

import (
	"go/ast"
	"go/token"
	"strconv"
	"unicode"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// A straight-line pipeline on a borrowed connection (research §4):
//
//	c.Send("GET", a)
//	c.Send("INCR", b)
//	c.Flush()
//	x, err := redis.String(c.Receive())
//	n, err := redis.Int64(c.Receive())
//
// becomes, on a go-redis pipeline made where the connection was borrowed,
//
//	getCmd := pipe.Get(ctx, a)
//	incrCmd := pipe.Incr(ctx, b)
//	pipe.Exec(ctx)
//	x, err := getCmd.Result()
//	n, err := incrCmd.Result()
//
// Exec's error is the first failed command's (redis.Nil for a miss), so
// it is dropped: each command's error is read where redigo read it, with
// Receive. Any other shape (a loop, a branch, a Do between the Sends and
// their Receives, Receive with nothing sent) is reported.

// pipeEvent is a Send, Flush or Receive on the connection.
type pipeEvent struct {
	kind    string // Send, Flush, Receive
	call    *ast.CallExpr
	stmt    ast.Stmt // the statement of the block that holds the call
	block   *ast.BlockStmt
	parents []ast.Node // the call's parents
}

// pipeUse records a Send, Flush or Receive; it returns why not when the
// call does not stand in a statement of a block of the function.
func (b *borrow) pipeUse(p *rules.Pass, kind string, call *ast.CallExpr, parents []ast.Node) (ast.Node, string) {
	var child ast.Node = call
	for _, n := range parents {
		switch n := n.(type) {
		case *ast.FuncLit:
			return call, "calls " + kind + " inside a function literal"
		case *ast.BlockStmt:
			b.pipe = append(b.pipe, &pipeEvent{kind: kind, call: call, stmt: child.(ast.Stmt), block: n, parents: parents})
			return nil, ""
		}
		child = n
	}
	return call, "calls " + kind + " outside a block"
}

// checkPipeline returns why the pipeline is not a straight line, with
// where, or nil: every Send, Flush and Receive in statements of one block,
// in runs of Sends, one Flush, as many Receives, no command sent with Do
// from the first Send of a run to its last Receive, and each Send and
// Flush a statement of a shape that can be rewritten.
func (b *borrow) checkPipeline() (ast.Node, string) {
	evs := b.pipe
	block := evs[0].block
	for _, e := range evs {
		if e.block != block {
			return e.call, "sends with Send/Flush/Receive across blocks (a loop or a branch): build the pipeline by hand with rdb.Pipelined"
		}
		if e.kind != "Receive" && sendCall(e.stmt) != e.call {
			return e.call, "checks the error of " + e.kind + " in a form migrate does not rewrite"
		}
	}
	for i := 0; i < len(evs); {
		start := i
		for i < len(evs) && evs[i].kind == "Send" {
			i++
		}
		sends := i - start
		if sends == 0 || i == len(evs) || evs[i].kind != "Flush" {
			return evs[min(i, len(evs)-1)].call, "sends with Send/Flush/Receive in a shape that is not Sends, one Flush, then a Receive for each Send"
		}
		i++
		r := i
		for i < len(evs) && evs[i].kind == "Receive" {
			i++
		}
		if i-r != sends {
			return evs[start].call, "receives a number of replies that differs from the number of Sends before Flush"
		}
		for _, s := range b.cmds {
			if s.call.Pos() > evs[start].call.Pos() && s.call.Pos() < evs[i-1].call.Pos() {
				return s.call, "sends a command with Do between pipelined Sends and their Receives"
			}
		}
	}
	return nil, ""
}

// sendCall returns the call of a Send or Flush statement: a statement,
// _ = call, or if err := call; err != nil { ... } without else.
func sendCall(st ast.Stmt) *ast.CallExpr {
	switch st := st.(type) {
	case *ast.ExprStmt:
		c, _ := st.X.(*ast.CallExpr)
		return c
	case *ast.AssignStmt:
		if len(st.Lhs) == 1 && len(st.Rhs) == 1 && isIdentNamed(st.Lhs[0], "_") {
			c, _ := st.Rhs[0].(*ast.CallExpr)
			return c
		}
	case *ast.IfStmt:
		as, ok := st.Init.(*ast.AssignStmt)
		cond, _ := st.Cond.(*ast.BinaryExpr)
		if !ok || st.Else != nil || len(as.Lhs) != 1 || len(as.Rhs) != 1 || cond == nil || cond.Op != token.NEQ ||
			!isIdentNamed(cond.Y, "nil") || !isIdentNamed(cond.X, identName(as.Lhs[0])) {
			return nil
		}
		c, _ := as.Rhs[0].(*ast.CallExpr)
		return c
	}
	return nil
}

func identName(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// sendCallDst returns the decorated call of a Send or Flush statement.
func sendCallDst(st dst.Stmt) *dst.CallExpr {
	switch st := st.(type) {
	case *dst.ExprStmt:
		return st.X.(*dst.CallExpr)
	case *dst.AssignStmt:
		return st.Rhs[0].(*dst.CallExpr)
	case *dst.IfStmt:
		return st.Init.(*dst.AssignStmt).Rhs[0].(*dst.CallExpr)
	}
	return nil
}

// pipelineEdits returns the edits of the pipeline: the borrow becomes
// pipe := rdb.Pipeline(), each Send name := pipe.Cmd(ctx, ...), each Flush
// pipe.Exec(ctx), and each Receive (with its reply helper) name.Accessor().
func (b *borrow) pipelineEdits(p *rules.Pass) []rules.Edit {
	names := b.names.in(p, b.stmt)
	pipe := freshName(names, "pipe")
	pool := poolAt(p, b.pool, b.stmt.Pos())
	edits := []rules.Edit{rules.Replace(b.stmt, func(old dst.Node) dst.Node {
		st := &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(pipe)}, Tok: token.DEFINE,
			Rhs: []dst.Expr{&dst.CallExpr{Fun: &dst.SelectorExpr{X: pool(), Sel: dst.NewIdent("Pipeline")}}}}
		st.Decs.NodeDecs = old.(*dst.AssignStmt).Decs.NodeDecs
		return st
	})}
	var sends []*pipeEvent
	for _, e := range b.pipe {
		switch e.kind {
		case "Send":
			sends = append(sends, e)
		case "Flush":
			ctx := p.ContextArg(e.call)
			edits = append(edits, rules.Replace(e.stmt, func(old dst.Node) dst.Node {
				st := &dst.ExprStmt{X: &dst.CallExpr{Fun: &dst.SelectorExpr{X: dst.NewIdent(pipe), Sel: dst.NewIdent("Exec")}, Args: []dst.Expr{ctx()}}}
				st.Decs.NodeDecs = *old.Decorations()
				st.Decs.Start.Append("// Each command's error is read below: Exec returns the first failed command's (redis.Nil for a miss).")
				return st
			}))
		case "Receive":
			send := sends[0]
			sends = sends[1:]
			edits = append(edits, b.pipePair(p, send, e, names, pipe)...)
		}
	}
	return edits
}

// pipePair returns the edits of one Send and the Receive of its reply.
func (b *borrow) pipePair(p *rules.Pass, send, recv *pipeEvent, names map[string]bool, pipe string) []rules.Edit {
	cmd := command{name: commandName(p, send.call.Args[0]), args: send.call.Args, spread: send.call.Ellipsis.IsValid()}
	s := b.site(p, recv.call, recv.parents)
	_, stmt := recv.parents[0].(*ast.ExprStmt)
	pl, kept := planCommand(p, cmd, s.helper, stmt || s.discarded(recv.parents))
	if kept {
		s.outer, s.helper = recv.call, ""
	}
	if stmt {
		pl.accessor = "Err"
	}
	name := freshName(names, cmdVarName(pl.method))
	for _, note := range pl.notes {
		p.Report(send.call.Pos(), note, true)
	}
	for _, msg := range leftoverMessages(redigoLeft(p, exprNodes(cmd.args)...)) {
		p.Report(send.call.Pos(), msg, true)
	}
	ctx := p.ContextArg(send.call)
	pc := &planCtx{goredis: goredisQualifier(p, send.call.Pos(), len(send.call.Args))}
	sendEdit := replaceKeeping(p, send.stmt, exprNodes(cmd.args), func(old dst.Node) dst.Node {
		c := sendCallDst(old.(dst.Stmt))
		call := &dst.CallExpr{Fun: &dst.SelectorExpr{X: dst.NewIdent(pipe), Sel: dst.NewIdent(pl.method)},
			Args: append([]dst.Expr{ctx()}, pl.args(pc, c.Args)...), Ellipsis: pl.spread}
		st := &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(name)}, Tok: token.DEFINE, Rhs: []dst.Expr{call}}
		st.Decs.NodeDecs = *old.Decorations()
		return st
	})
	recvEdit := replaceKeeping(p, s.outer, nil, func(old dst.Node) dst.Node {
		e := &dst.CallExpr{Fun: &dst.SelectorExpr{X: dst.NewIdent(name), Sel: dst.NewIdent(pl.accessor)}}
		e.Decs.NodeDecs = old.(*dst.CallExpr).Decs.NodeDecs
		return e
	})
	return []rules.Edit{sendEdit, recvEdit}
}

// cmdVarName names the variable of a pipelined command: getCmd for Get,
// cmd for Do.
func cmdVarName(method string) string {
	if method == "Do" {
		return "cmd"
	}
	r := []rune(method)
	r[0] = unicode.ToLower(r[0])
	return string(r) + "Cmd"
}

// fileNames holds, for each function of a file, the identifiers it uses
// and those the rewrite declares, so that the names it picks are fresh
// for every borrow of the function.
type fileNames map[ast.Node]map[string]bool

// in returns the names of the function around n.
func (fn fileNames) in(p *rules.Pass, n ast.Node) map[string]bool {
	var f ast.Node = p.AST()
	for _, a := range p.Parents(n) {
		if _, ok := a.(*ast.FuncDecl); ok {
			f = a
			break
		}
	}
	if names := fn[f]; names != nil {
		return names
	}
	names := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			names[id.Name] = true
		}
		return true
	})
	fn[f] = names
	return names
}

// freshName returns base, or base2, base3... the first not in names, and
// adds it.
func freshName(names map[string]bool, base string) string {
	name := base
	for i := 2; names[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	names[name] = true
	return name
}
