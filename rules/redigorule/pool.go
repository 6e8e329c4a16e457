package redigorule

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// Rules returns the redigo rules written in Go.
func Rules() []*rules.GoRule {
	return append(append([]*rules.GoRule{CompatPool, CompatRaw}, coreRules()...), poolRules()...)
}

// CompatPool puts the switch into each redis.Pool literal's Dial or
// DialContext, and adds the package the switch hands connections out of.
var CompatPool = &rules.GoRule{
	Name: "redigo-compat-pool",
	Doc: "a redis.Pool literal's Dial (or DialContext) whose body is return redis.Dial/DialContext/DialURL/DialTimeout(...) " +
		"with known options becomes rediscompat.Dial(rediscompat.Options{...}, <the original func>), which dials " +
		"go-redis backed conns unless REDIS_CLIENT=redigo; the package rediscompat is added to the module. " +
		"Other dial functions, options go-redis cannot take, assignments of Pool.Dial and redis.NewPool are reported",
	Paths:         paths,
	ImportersOnly: true,
	Run:           runPool,
}

var dialFields = rules.Members(paths, []string{"Pool"}, "Dial", "DialContext")

func runPool(p *rules.Pass) error {
	cfg, err := parseConfig(p.Spec().Value)
	if err != nil {
		return err
	}
	var inPool []*ast.FuncLit
	for _, u := range p.UsesOf(dialFields) {
		parents := p.Parents(u.Ident)
		kv, ok := parents[0].(*ast.KeyValueExpr)
		if !ok || kv.Key != u.Ident {
			p.Report(u.Ident.Pos(), fmt.Sprintf("Pool.%s set outside a redis.Pool literal is not switched to go-redis: "+
				"wrap the function in %s.%s(%s.Options{...}, fn) by hand", u.Ident.Name, pkgName(cfg), u.Ident.Name, pkgName(cfg)), true)
			continue
		}
		if lit, ok := kv.Value.(*ast.FuncLit); ok {
			inPool = append(inPool, lit)
		} else if call, ok := kv.Value.(*ast.CallExpr); ok && isCompatCall(p, cfg, call) {
			for _, a := range call.Args {
				if lit, ok := a.(*ast.FuncLit); ok {
					inPool = append(inPool, lit)
				}
			}
		}
		rewritePool(p, cfg, u, kv)
	}
	reportDirectDials(p, cfg, inPool)
	return nil
}

// pkgName is the name of the added package.
func pkgName(c config) string {
	i := strings.LastIndex(c.dir, "/")
	return c.dir[i+1:]
}

// rewritePool wraps the dial function kv.Value, or reports why not.
func rewritePool(p *rules.Pass, cfg config, u rules.Use, kv *ast.KeyValueExpr) {
	if isCompatCall(p, cfg, kv.Value) {
		return // already switched: a second run changes nothing
	}
	lit, ok := kv.Value.(*ast.FuncLit)
	if !ok {
		p.Report(kv.Pos(), fmt.Sprintf("the pool's %s is not a func literal, so migrate cannot see how it dials: it stays on redigo; "+
			"wrap it in %s.%s(%s.Options{Network: ..., Addr: ...}, fn) by hand to switch it", u.Ident.Name, pkgName(cfg), u.Ident.Name, pkgName(cfg)), true)
		return
	}
	if !dialsRedigo(p, lit) {
		return // it hands out a connection it did not dial: a mock, a test double
	}
	d, why := analyzeDial(p, lit)
	if d == nil {
		p.Report(kv.Pos(), fmt.Sprintf("the pool's %s %s: it stays on redigo; make it return redis.Dial(network, addr, options...) "+
			"(AUTH and SELECT as DialPassword and DialDatabase) and run again, or wrap it in %s.%s(%s.Options{...}, fn) by hand",
			u.Ident.Name, why, pkgName(cfg), u.Ident.Name, pkgName(cfg)), true)
		return
	}
	oldPath := p.Info().Uses[u.Ident].Pkg().Path()
	site := rules.Site{Pos: kv.Pos(), Files: cfg.files(oldPath), Edits: []rules.Edit{wrapDial(p, cfg, u.Ident.Name, kv, d)}}
	if len(d.dropped) > 0 {
		site.Message = fmt.Sprintf("go-redis cannot take %s: with %s unset the pool's connections use go-redis's "+
			"(5 min keep-alive, the dial timeout covers the TLS handshake)", strings.Join(d.dropped, ", "), cfg.env)
	}
	p.Add(site)
}

// isCompatCall reports whether e is a call of the added package (a pool
// already switched).
func isCompatCall(p *rules.Pass, cfg config, e ast.Expr) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return false
	}
	pn, ok := p.Info().Uses[id].(*types.PkgName)
	return ok && pn.Imported().Path() == cfg.importPath(p.Module())
}

// wrapDial returns the edit that makes kv's value
// pkg.Dial(pkg.Options{...}, value), with a comment on the switch.
func wrapDial(p *rules.Pass, cfg config, field string, kv *ast.KeyValueExpr, d *dial) rules.Edit {
	q1, q2 := p.Qualifier(cfg.importPath(p.Module()), kv.Pos()), p.Qualifier(cfg.importPath(p.Module()), kv.Pos())
	return rules.Replace(kv, func(old dst.Node) dst.Node {
		k := old.(*dst.KeyValueExpr)
		lit := k.Value.(*dst.FuncLit)
		var call *dst.CallExpr
		switch st := lit.Body.List[d.stmt].(type) {
		case *dst.ReturnStmt:
			call = st.Results[0].(*dst.CallExpr)
		case *dst.AssignStmt:
			call = st.Rhs[0].(*dst.CallExpr)
		}
		opts := &dst.CompositeLit{Type: &dst.SelectorExpr{X: q2, Sel: dst.NewIdent("Options")}}
		for _, f := range d.fields {
			v := dst.Clone(f.arg(call)).(dst.Expr)
			v.Decorations().Before, v.Decorations().After = dst.None, dst.None
			opts.Elts = append(opts.Elts, &dst.KeyValueExpr{Key: dst.NewIdent(f.name), Value: v})
		}
		k.Value = &dst.CallExpr{Fun: &dst.SelectorExpr{X: q1, Sel: dst.NewIdent(field)}, Args: []dst.Expr{opts, lit}}
		k.Decs.Before = dst.NewLine
		k.Decs.Start.Append(
			fmt.Sprintf("// %s=redigo dials with redigo as before (the rollback); unset or go-redis,", cfg.env),
			fmt.Sprintf("// the pool hands out %s conns on a shared go-redis client.", pkgName(cfg)))
		return k
	})
}

// dial is a dial function migrate can switch: the Options fields, each
// taken from the returned call's arguments, and the options go-redis
// cannot take.
type dial struct {
	fields  []field
	dropped []string
	stmt    int // the index of the statement holding the call
}

type field struct {
	name string
	// arg returns the field's value among the decorated call's nodes.
	arg func(call *dst.CallExpr) dst.Node
}

func argAt(i int) func(*dst.CallExpr) dst.Node {
	return func(c *dst.CallExpr) dst.Node { return c.Args[i] }
}

func optionArg(i int) func(*dst.CallExpr) dst.Node {
	return func(c *dst.CallExpr) dst.Node { return c.Args[i].(*dst.CallExpr).Args[0] }
}

// options maps redigo's dial options to the fields of Options.
var options = map[string]string{
	"DialPassword": "Password", "DialUsername": "Username", "DialDatabase": "DB",
	"DialClientName": "ClientName", "DialConnectTimeout": "ConnectTimeout",
	"DialReadTimeout": "ReadTimeout", "DialWriteTimeout": "WriteTimeout",
	"DialUseTLS": "UseTLS", "DialTLSConfig": "TLSConfig", "DialTLSSkipVerify": "TLSSkipVerify",
}

// approximate are the options go-redis has no setting for, whose loss
// changes no reply.
var approximate = map[string]bool{"DialKeepAlive": true, "DialTLSHandshakeTimeout": true}

// analyzeDial returns how lit dials, or why migrate cannot tell.
func analyzeDial(p *rules.Pass, lit *ast.FuncLit) (*dial, string) {
	call, stmt := dialCall(p, lit)
	if call == nil {
		if doesAuthOrSelect(lit) {
			return nil, "runs AUTH or SELECT itself"
		}
		return nil, "does more than return a redis.Dial call"
	}
	name := redigoFunc(p, call)
	if name == "" || call.Ellipsis.IsValid() {
		return nil, "does not return a redis.Dial call with its options listed"
	}
	d := &dial{stmt: stmt}
	var first int // the index of the first option
	switch name {
	case "Dial", "DialContext":
		i := 0
		if name == "DialContext" {
			i = 1
		}
		d.fields = []field{{"Network", argAt(i)}, {"Addr", argAt(i + 1)}}
		first = i + 2
	case "DialURL", "DialURLContext":
		i := 0
		if name == "DialURLContext" {
			i = 1
		}
		d.fields = []field{{"URL", argAt(i)}}
		first = i + 1
	case "DialTimeout":
		d.fields = []field{{"Network", argAt(0)}, {"Addr", argAt(1)}, {"ConnectTimeout", argAt(2)}, {"ReadTimeout", argAt(3)}, {"WriteTimeout", argAt(4)}}
		first = len(call.Args)
	default:
		return nil, "returns redis." + name + ", not redis.Dial"
	}
	seen := map[string]bool{}
	for i := first; i < len(call.Args); i++ {
		opt, _ := call.Args[i].(*ast.CallExpr)
		oname := redigoFunc(p, opt)
		switch {
		case approximate[oname]:
			d.dropped = append(d.dropped, "redis."+oname)
		case options[oname] == "" || len(opt.Args) != 1:
			return nil, fmt.Sprintf("passes %s, which go-redis cannot take as it is", exprString(call.Args[i]))
		case seen[oname]:
			return nil, "passes redis." + oname + " twice"
		default:
			seen[oname] = true
			d.fields = append(d.fields, field{options[oname], optionArg(i)})
		}
	}
	for i := 0; i < len(call.Args); i++ {
		if usesLocal(p, call.Args[i], lit) && !(i == 0 && (name == "DialContext" || name == "DialURLContext")) {
			return nil, "builds its options from its own variables"
		}
	}
	return d, ""
}

// redigoFunc returns the name of the redigo function call calls, or "".
func redigoFunc(p *rules.Pass, call *ast.CallExpr) string {
	if call == nil {
		return ""
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	fn, ok := p.Info().Uses[sel.Sel].(*types.Func)
	if !ok || fn.Pkg() == nil || !rules.MatchPath(fn.Pkg().Path(), paths) || fn.Type().(*types.Signature).Recv() != nil {
		return ""
	}
	return fn.Name()
}

// usesLocal reports whether e refers to something declared inside lit,
// which the Options literal, built outside it, cannot see.
func usesLocal(p *rules.Pass, e ast.Node, lit *ast.FuncLit) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if obj := p.Info().Uses[id]; obj != nil && obj.Pos() >= lit.Pos() && obj.Pos() < lit.End() {
				found = true
			}
		}
		return !found
	})
	return found
}

// doesAuthOrSelect reports whether lit sends AUTH or SELECT.
func doesAuthOrSelect(lit *ast.FuncLit) bool {
	found := false
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		if b, ok := n.(*ast.BasicLit); ok && b.Kind == token.STRING {
			switch strings.ToUpper(strings.Trim(b.Value, "\"`")) {
			case "AUTH", "SELECT":
				found = true
			}
		}
		return !found
	})
	return found
}

func exprString(e ast.Expr) string {
	s := types.ExprString(e)
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// reportDirectDials reports the connections dialed outside a pool's dial
// function: they stay on redigo whatever the switch says.
func reportDirectDials(p *rules.Pass, cfg config, inPool []*ast.FuncLit) {
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		switch name := redigoFunc(p, call); name {
		case "Dial", "DialContext", "DialURL", "DialURLContext", "DialTimeout", "NewConn":
			for _, lit := range inPool {
				if lit.Pos() <= call.Pos() && call.End() <= lit.End() {
					return true
				}
			}
			p.Report(call.Pos(), fmt.Sprintf("redis.%s outside a pool's dial function: this connection stays on redigo whatever %s says", name, cfg.env), false)
		case "NewPool":
			p.Report(call.Pos(), fmt.Sprintf("redis.NewPool is not switched to go-redis: write &redis.Pool{Dial: fn, MaxIdle: n} and run again, or wrap fn in %s.Dial(%s.Options{...}, fn) by hand", pkgName(cfg), pkgName(cfg)), true)
		}
		return true
	})
}

// dialCall returns the call a dial function returns, and the index of its
// statement, in one of two shapes:
//
//	return CALL
//
//	c, err := CALL
//	if err != nil {
//		return ... // anything
//	}
//	return c, err // or c, nil
func dialCall(p *rules.Pass, lit *ast.FuncLit) (*ast.CallExpr, int) {
	list := lit.Body.List
	if len(list) == 1 {
		if ret, ok := list[0].(*ast.ReturnStmt); ok && len(ret.Results) == 1 {
			call, _ := ret.Results[0].(*ast.CallExpr)
			return call, 0
		}
		return nil, 0
	}
	if len(list) != 3 {
		return nil, 0
	}
	as, ok1 := list[0].(*ast.AssignStmt)
	check, ok2 := list[1].(*ast.IfStmt)
	ret, ok3 := list[2].(*ast.ReturnStmt)
	if !ok1 || !ok2 || !ok3 || len(as.Lhs) != 2 || len(as.Rhs) != 1 || len(ret.Results) != 2 ||
		check.Init != nil || check.Else != nil || len(check.Body.List) != 1 {
		return nil, 0
	}
	c, err := p.Info().ObjectOf(ident(as.Lhs[0])), p.Info().ObjectOf(ident(as.Lhs[1]))
	cond, _ := check.Cond.(*ast.BinaryExpr)
	if _, isRet := check.Body.List[0].(*ast.ReturnStmt); c == nil || err == nil || cond == nil || !isRet ||
		cond.Op != token.NEQ || p.Info().ObjectOf(ident(cond.X)) != err || !isNil(cond.Y) ||
		p.Info().ObjectOf(ident(ret.Results[0])) != c ||
		!(isNil(ret.Results[1]) || p.Info().ObjectOf(ident(ret.Results[1])) == err) {
		return nil, 0
	}
	call, _ := as.Rhs[0].(*ast.CallExpr)
	return call, 0
}

func ident(e ast.Expr) *ast.Ident {
	if id, ok := e.(*ast.Ident); ok {
		return id
	}
	return &ast.Ident{Name: "_"}
}

func isNil(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "nil"
}

// dialsRedigo reports whether lit calls one of redigo's dial functions.
func dialsRedigo(p *rules.Pass, lit *ast.FuncLit) bool {
	found := false
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && strings.HasPrefix(redigoFunc(p, call), "Dial") {
			found = true
		}
		return !found
	})
	return found
}
