package redigorule

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"

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
	Requires: []*rules.Fact{scriptKeys, compatPackage},
	Run:      runConn,
}

var getM = rules.Members(paths, []string{"Pool"}, "Get", "GetContext")

func runConn(p *rules.Pass) error {
	if inCompat(p) {
		return nil
	}
	names := fileNames{}
	for _, u := range p.UsesOf(getM) {
		b := borrowOf(p, u)
		if b == nil {
			continue
		}
		b.names = names
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
	extra  []rules.Edit // edits outside the commands (ScanStruct of a hash read)
	pipe   []*pipeEvent // Send, Flush and Receive, in order
	names  fileNames    // the names of the file's functions
	exec   *pipeEvent   // Do("EXEC"), whose reply is dropped
	tx     []*pipeEvent // the Sends between MULTI and EXEC
	// txStmts are the statements of the Sends of MULTI and of tx.
	txStmts []ast.Stmt
}

// cmdSite is a command sent on the connection: the call, the node its
// rewrite replaces (the helper call around it, or the call), and how to
// build the go-redis call from the decorated one.
type cmdSite struct {
	call     *ast.CallExpr
	outer    ast.Expr
	helper   string
	ctxAt    int // the index of the call's context argument, or -1
	accessor string
	notes    []string
	kept     []ast.Node // the original nodes the rewrite keeps inside it
	zs       int        // the redis.Z literals the call builds
	path     []int      // the argument indexes from outer down to call
	build    func(pc *planCtx, call *dst.CallExpr, ctx, pool dst.Expr) dst.Expr
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
		// Past the check, err must be declared again by a := of the
		// block (it redeclared the GetContext's), which then declares it.
		redecl := token.NoPos
		for _, s := range block.List {
			if as, ok := s.(*ast.AssignStmt); ok && s.Pos() > ifs.End() && as.Tok == token.DEFINE && redecl == token.NoPos &&
				slices.ContainsFunc(as.Lhs, func(e ast.Expr) bool { return isIdentNamed(e, errID.Name) }) {
				redecl = s.Pos()
			}
		}
		for _, use := range p.Uses(obj) {
			inCheck := use.Pos() >= ifs.Pos() && use.Pos() < ifs.End()
			if !inCheck && (redecl == token.NoPos || use.Pos() < redecl) {
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

// poolAt returns the builder of a decorated copy of the pure expression
// e, for an edit at pos: a package name in e (a pool in a package-level
// variable of another package) becomes a qualifier the engine resolves,
// since the statement e stood in may be deleted with its import's uses.
// Call it while the rule runs, once for each copy it puts in the file.
func poolAt(p *rules.Pass, e ast.Expr, pos token.Pos) func() dst.Expr {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return poolAt(p, e.X, pos)
	case *ast.SelectorExpr:
		x, name := poolAt(p, e.X, pos), e.Sel.Name
		return func() dst.Expr { return &dst.SelectorExpr{X: x(), Sel: dst.NewIdent(name)} }
	case *ast.Ident:
		if pn, ok := p.Info().Uses[e].(*types.PkgName); ok {
			q := p.Qualifier(pn.Imported().Path(), pos)
			return func() dst.Expr { return q }
		}
	}
	return func() dst.Expr { return dstOf(e) }
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
	if n, why := b.splitTx(p); n != nil {
		return n, why
	}
	for _, e := range b.pipe {
		if e.kind != "Send" {
			continue
		}
		if name := commandName(p, e.call.Args[0]); oneConnection[name] {
			return e.call, "sends " + name + ", which needs one connection (on a client each command may use another): use rdb.TxPipelined, rdb.Watch, Options.DB or rdb.Conn()"
		}
	}
	if len(b.pipe) > 0 {
		return b.checkPipeline()
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
			return b.closeUse(p, parents[2], call)
		case "Do":
			return b.command(p, call, parents[2:], 0, false)
		case "Send", "Flush", "Receive":
			return b.pipeUse(p, sel.Sel.Name, call, parents[2:])
		}
		return call, "calls " + sel.Sel.Name
	}
	if call, ok := parents[0].(*ast.CallExpr); ok {
		if m := scriptMethod(p, call); m != "" {
			at := map[string]int{"Do": 0, "Load": 0, "DoContext": 1}[m]
			if (m == "Do" || m == "Load" || m == "DoContext") && len(call.Args) > at && call.Args[at] == id {
				return b.scriptUse(p, call, parents[1:], m, at)
			}
			return call, "runs a script with " + m + " (in a pipeline, go-redis's EvalSha cannot fall back to EVAL): use script.Run, or EvalSha/Eval in rdb.Pipelined"
		}
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
	if pubSubConnValue(p, id) {
		return nil, "" // the rule pubsub subscribes on the pool instead
	}
	return id, "is passed on, stored or returned"
}

// closeUse removes c.Close() as a statement, deferred or not, and
// defer func() { c.Close() }() whole.
func (b *borrow) closeUse(p *rules.Pass, parent ast.Node, call *ast.CallExpr) (ast.Node, string) {
	switch st := parent.(type) {
	case *ast.DeferStmt:
		b.drop = append(b.drop, st)
		return nil, ""
	case *ast.ExprStmt:
		b.drop = append(b.drop, deferredAlone(p, st))
		return nil, ""
	case *ast.AssignStmt:
		if len(st.Lhs) == 1 && isIdentNamed(st.Lhs[0], "_") {
			b.drop = append(b.drop, deferredAlone(p, st))
			return nil, ""
		}
	}
	return call, "checks the error of Close"
}

// deferredAlone returns the defer statement of func() { st }(), where st
// is the literal's only statement, or st.
func deferredAlone(p *rules.Pass, st ast.Stmt) ast.Node {
	parents := p.Parents(st)
	if len(parents) < 4 {
		return st
	}
	body, _ := parents[0].(*ast.BlockStmt)
	lit, _ := parents[1].(*ast.FuncLit)
	call, _ := parents[2].(*ast.CallExpr)
	def, _ := parents[3].(*ast.DeferStmt)
	if body == nil || len(body.List) != 1 || lit == nil || call == nil || call.Fun != lit || len(call.Args) != 0 || def == nil {
		return st
	}
	return def
}

// command records a command sent on the connection: call's argument
// first is the command name; parents are call's parents.
func (b *borrow) command(p *rules.Pass, call *ast.CallExpr, parents []ast.Node, first int, ctxArg bool) (ast.Node, string) {
	cmd := command{name: commandName(p, call.Args[first]), args: call.Args[first:], spread: call.Ellipsis.IsValid()}
	if cmd.name == "EXEC" && !ctxArg {
		return b.execUse(p, call, parents)
	}
	if oneConnection[cmd.name] {
		return call, "runs " + cmd.name + ", which needs one connection (on a client each command may use another): use rdb.TxPipelined, rdb.Watch, Options.DB or rdb.Conn()"
	}
	if !ctxArg && (b.structHash(p, call, parents, cmd, first) || b.scanHash(p, call, parents, cmd)) {
		return nil, ""
	}
	s := b.site(p, call, parents)
	if ctxArg {
		s.ctxAt = 1
	}
	pl, helperKept := planCommand(p, cmd, s.helper, s.discarded(parents))
	if helperKept {
		s.outer, s.helper, s.path = call, "", nil
	}
	s.accessor, s.notes, s.zs, s.kept = pl.accessor, pl.notes, len(call.Args), exprNodes(cmd.args)
	if ctxArg {
		s.notes = append(s.notes, "redis.DoContext honoured the context's deadline; go-redis does only with Options.ContextTimeoutEnabled: true (and never past ReadTimeout): set it where the client is built")
		s.kept = append(s.kept, call.Args[1])
	}
	s.build = func(pc *planCtx, c *dst.CallExpr, ctx, pool dst.Expr) dst.Expr {
		fun := &dst.SelectorExpr{X: pool, Sel: dst.NewIdent(pl.method)}
		return &dst.CallExpr{Fun: fun, Args: append([]dst.Expr{ctx}, pl.args(pc, c.Args[first:])...), Ellipsis: pl.spread}
	}
	b.add(s, parents)
	return nil, ""
}

// site starts the cmdSite of call, with the reply helper around it.
func (b *borrow) site(p *rules.Pass, call *ast.CallExpr, parents []ast.Node) *cmdSite {
	s := &cmdSite{call: call, outer: call, ctxAt: -1}
	if pa, ok := parents[0].(*ast.CallExpr); ok {
		if h := redigoFunc(p, pa); replyHelpers[h] && len(pa.Args) == 1 {
			s.helper, s.outer, s.path = h, pa, []int{0}
		}
	}
	return s
}

// discarded reports whether the reply of the call whose parents are
// given is dropped: a statement, or assigned to _.
func (s *cmdSite) discarded(parents []ast.Node) bool {
	if s.helper != "" {
		return false
	}
	switch pa := parents[0].(type) {
	case *ast.ExprStmt:
		return true
	case *ast.AssignStmt:
		return len(pa.Lhs) == 2 && isIdentNamed(pa.Lhs[0], "_")
	}
	return false
}

// add records s; a call that is a statement drops its accessor.
func (b *borrow) add(s *cmdSite, parents []ast.Node) {
	if _, ok := parents[0].(*ast.ExprStmt); ok && s.helper == "" {
		s.accessor = ""
	}
	b.cmds = append(b.cmds, s)
}

// rewrite records the borrow's edits: the statements that go, and each
// command on the client.
func (b *borrow) rewrite(p *rules.Pass) {
	edits := []rules.Edit{rules.Delete(b.stmt)}
	if len(b.pipe) > 0 {
		edits = b.pipelineEdits(p)
	}
	if b.exec != nil {
		edits = append(edits, b.txEdits(p)...)
	}
	if b.errChk != nil {
		edits = append(edits, rules.Delete(b.errChk))
	}
	for _, n := range b.drop {
		edits = append(edits, rules.Delete(n))
	}
	edits = append(edits, b.extra...)
	for _, s := range b.cmds {
		pc := &planCtx{goredis: goredisQualifier(p, s.call.Pos(), s.zs)}
		edits = append(edits, b.commandEdit(p, s, pc))
		for _, note := range s.notes {
			p.Report(s.call.Pos(), note, true)
		}
		for _, msg := range leftoverMessages(redigoLeft(p, s.kept...)) {
			p.Report(s.call.Pos(), msg, true)
		}
	}
	p.Rewrite(b.stmt.Pos(), edits...)
}

// commandEdit returns the edit that sends s on the client.
func (b *borrow) commandEdit(p *rules.Pass, s *cmdSite, pc *planCtx) rules.Edit {
	var ctx func() dst.Expr
	if s.ctxAt < 0 {
		ctx = p.ContextArg(s.call)
	}
	pool := poolAt(p, b.pool, s.call.Pos())
	return replaceKeeping(p, s.outer, s.kept, func(old dst.Node) dst.Node {
		o := old.(*dst.CallExpr)
		call := o
		for _, i := range s.path {
			call = call.Args[i].(*dst.CallExpr)
		}
		var ctxExpr dst.Expr
		if s.ctxAt >= 0 {
			ctxExpr = call.Args[s.ctxAt]
		} else {
			ctxExpr = ctx()
		}
		e := s.build(pc, call, ctxExpr, pool())
		if s.accessor != "" {
			e = &dst.CallExpr{Fun: &dst.SelectorExpr{X: e, Sel: dst.NewIdent(s.accessor)}}
		}
		e.Decorations().Start, e.Decorations().End = o.Decs.Start, o.Decs.End
		e.Decorations().Before, e.Decorations().After = o.Decs.Before, o.Decs.After
		return e
	})
}

// goredisQualifier returns the builder of up to n identifiers naming
// go-redis where an edit at pos puts them: the engine imports the package,
// or finds the import it is moved to.
func goredisQualifier(p *rules.Pass, pos token.Pos, n int) func() dst.Expr {
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

// replaceKeeping returns the edit that replaces n by what with builds,
// which keeps the nodes kept of n: the redigo package names in n outside
// them are no longer used.
func replaceKeeping(p *rules.Pass, n ast.Node, kept []ast.Node, with func(dst.Node) dst.Node) rules.Edit {
	return rules.Edit{Node: n, New: with, Unuse: qualifiersOutside(p, n, kept)}
}

// qualifiersOutside returns the identifiers naming a redigo package in n
// that lie outside every node of kept.
func qualifiersOutside(p *rules.Pass, n ast.Node, kept []ast.Node) []*ast.Ident {
	var ids []*ast.Ident
	ast.Inspect(n, func(c ast.Node) bool {
		for _, k := range kept {
			if c == k {
				return false
			}
		}
		if id, ok := c.(*ast.Ident); ok {
			if pn, ok := p.Info().Uses[id].(*types.PkgName); ok && rules.MatchPath(pn.Imported().Path(), paths) {
				ids = append(ids, id)
			}
		}
		return true
	})
	return ids
}

// scriptMethod returns the name of the redigo Script method call calls,
// or "".
func scriptMethod(p *rules.Pass, call *ast.CallExpr) string {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	fn, ok := p.Info().Uses[sel.Sel].(*types.Func)
	if !ok || fn.Pkg() == nil || !rules.MatchPath(fn.Pkg().Path(), paths) || receiverName(fn) != "Script" {
		return ""
	}
	return fn.Name()
}

func exprNodes(es []ast.Expr) []ast.Node {
	var ns []ast.Node
	for _, e := range es {
		ns = append(ns, e)
	}
	return ns
}

// redigoLeft returns the redigo objects used inside nodes that a command's
// rewrite keeps, which no rule rewrites there (the leftover rule does not
// look inside a replaced node): the site reports them.
func redigoLeft(p *rules.Pass, nodes ...ast.Node) []types.Object {
	var objs []types.Object
	seen := map[types.Object]bool{}
	for _, n := range nodes {
		ast.Inspect(n, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok {
				return true
			}
			obj := p.Info().Uses[id]
			if obj == nil || obj.Pkg() == nil || !rules.MatchPath(obj.Pkg().Path(), paths) || seen[obj] ||
				sameInGoRedis[symbolName(obj)] || obj.Name() == "ErrNil" || rewrittenNewScript(p, id) {
				return true
			}
			seen[obj] = true
			objs = append(objs, obj)
			return true
		})
	}
	return objs
}

// rewrittenNewScript reports whether id names NewScript in a call the
// script rule rewrites.
func rewrittenNewScript(p *rules.Pass, id *ast.Ident) bool {
	call := calledBy(p, id)
	return id.Name == "NewScript" && call != nil && len(call.Args) == 2 && keyCount(p.Info(), call) >= 0
}
