package redigorule

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// goRedis is the import path of the client the redigo rule set moves to.
const goRedis = "github.com/redis/go-redis/v9"

// Client turns each redis.Pool the module builds into a go-redis client.
var Client = &rules.GoRule{
	Name: "redigo-client",
	Doc: "a redis.Pool literal or redis.NewPool(dial, maxIdle) whose Dial (or DialContext) returns " +
		"redis.Dial/DialContext/DialTimeout(...) with known options becomes redis.NewClient(&redis.Options{...}): " +
		"the dial options and pool fields mapped one to one, and redigo's defaults that go-redis does not share " +
		"set explicitly (DialTimeout 30 s, no read or write timeout, no retries, idle connections kept forever). " +
		"TestOnBorrow (dropped), MaxActive or MaxIdle unset or 0, Wait not constant, dial functions that do more " +
		"than dial, DialURL, and Pool fields set outside the literal are reported with a TODO",
	Paths:         paths,
	ImportersOnly: true,
	NewPaths:      []string{goRedis, "time", "crypto/tls", "context", "net"},
	Requires:      []*rules.Fact{compatPackage},
	Run:           runClient,
}

var poolFields = rules.Members(paths, []string{"Pool"},
	"Dial", "DialContext", "MaxIdle", "MaxActive", "Wait", "IdleTimeout", "MaxConnLifetime", "TestOnBorrow", "TestOnBorrowContext")

func runClient(p *rules.Pass) error {
	if inCompat(p) {
		return nil // phase 1\'s package stays on redigo until it is deleted
	}
	var lits []*ast.CompositeLit
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CompositeLit:
			if isRedigoType(p.Info().TypeOf(n), "Pool") {
				lits = append(lits, n)
				clientFromLit(p, n)
			}
		case *ast.CallExpr:
			if redigoFunc(p, n) == "NewPool" {
				clientFromNewPool(p, n)
			}
		}
		return true
	})
	for _, u := range p.UsesOf(poolFields) {
		if !inside(u.Ident, lits) {
			p.Report(u.Ident.Pos(), fmt.Sprintf("Pool.%s set or read outside a redis.Pool literal: go-redis's client is configured once, "+
				"in redis.Options; move the setting into the pool literal and run again, or set the Options field by hand", u.Ident.Name), true)
		}
	}
	return nil
}

func inside(n ast.Node, lits []*ast.CompositeLit) bool {
	for _, l := range lits {
		if l.Pos() <= n.Pos() && n.End() <= l.End() {
			return true
		}
	}
	return false
}

// clientOpts is the go-redis Options of one pool, being built: the fields
// by name, and the findings the mapping leaves.
type clientOpts struct {
	p      *rules.Pass
	pos    token.Pos
	fields map[string]func(old dst.Node) dst.Expr
	// from gives, for a field mapped from a pool literal's element, the
	// element, whose comments the field takes.
	from  map[string]func(old dst.Node) *dst.KeyValueExpr
	notes []string   // approximate mappings: findings without a TODO
	todos []string   // differences a person decides: findings with a TODO
	kept  []ast.Expr // the expressions of the pool that the client keeps
}

// optionOrder is the order of the Options literal's fields.
var optionOrder = []string{
	"Network", "Addr", "Username", "Password", "DB", "ClientName", "TLSConfig", "Dialer",
	"DialTimeout", "ReadTimeout", "WriteTimeout", "MaxRetries",
	"PoolSize", "MaxActiveConns", "MaxIdleConns", "ConnMaxIdleTime", "ConnMaxLifetime",
}

// set sets the field name to what val builds from e's decorated form.
func (o *clientOpts) set(name string, e ast.Expr, val func(old dst.Node) dst.Expr) {
	o.fields[name] = val
	o.kept = append(o.kept, e)
}

// setLit sets name to a fixed expression, such as -1 or 30 * time.Second.
func (o *clientOpts) setLit(name string, mk func() dst.Expr) {
	o.fields[name] = func(dst.Node) dst.Expr { return mk() }
}

func intLit(v string) func() dst.Expr {
	return func() dst.Expr { return &dst.BasicLit{Kind: token.INT, Value: v} }
}

// seconds returns a builder of n * time.Second.
func (o *clientOpts) seconds(n string) func() dst.Expr {
	q := o.p.Qualifier("time", o.pos)
	return func() dst.Expr {
		return &dst.BinaryExpr{X: &dst.BasicLit{Kind: token.INT, Value: n}, Op: token.MUL, Y: &dst.SelectorExpr{X: q, Sel: dst.NewIdent("Second")}}
	}
}

// defaults sets what redigo's zero values mean where go-redis's differ.
func (o *clientOpts) defaults() {
	if o.fields["DialTimeout"] == nil {
		o.setLit("DialTimeout", o.seconds("30")) // redigo's default connect timeout
	}
	for _, f := range []string{"ReadTimeout", "WriteTimeout", "ConnMaxIdleTime"} {
		if o.fields[f] == nil {
			o.setLit(f, intLit("-1")) // none in redigo; -1 is none in go-redis
		}
	}
	o.setLit("MaxRetries", intLit("-1")) // redigo never retries
}

// build returns the edit's builder: redis.NewClient(&redis.Options{...}).
func (o *clientOpts) build() func(old dst.Node) dst.Node {
	q1, q2 := o.p.Qualifier(goRedis, o.pos), o.p.Qualifier(goRedis, o.pos)
	return func(old dst.Node) dst.Node {
		opts := &dst.CompositeLit{Type: &dst.SelectorExpr{X: q2, Sel: dst.NewIdent("Options")}}
		for _, name := range optionOrder {
			if mk := o.fields[name]; mk != nil {
				kv := &dst.KeyValueExpr{Key: dst.NewIdent(name), Value: mk(old)}
				if from := o.from[name]; from != nil {
					kv.Decs.Start, kv.Decs.End = from(old).Decs.Start, from(old).Decs.End
				}
				kv.Decs.Before, kv.Decs.After = dst.NewLine, dst.NewLine
				opts.Elts = append(opts.Elts, kv)
			}
		}
		call := &dst.CallExpr{Fun: &dst.SelectorExpr{X: q1, Sel: dst.NewIdent("NewClient")},
			Args: []dst.Expr{&dst.UnaryExpr{Op: token.AND, X: opts}}}
		call.Decs.NodeDecs = *old.Decorations()
		return call
	}
}

// add records the pool's site: the rewrite with its approximations, and
// one TODO per difference a person decides.
func (o *clientOpts) add(target ast.Node) {
	o.defaults()
	edit := rules.Replace(target, o.build())
	edit.Unuse = o.dropped(target)
	site := rules.Site{Pos: o.pos, Edits: []rules.Edit{edit}}
	if len(o.notes) > 0 {
		site.Message = "redis.NewClient approximates the pool: " + strings.Join(o.notes, "; ")
	}
	o.p.Add(site)
	for _, t := range o.todos {
		o.p.Report(o.pos, t, true)
	}
}

// clientFromLit maps a redis.Pool literal, or reports why it stays.
func clientFromLit(p *rules.Pass, lit *ast.CompositeLit) {
	target, pointer := ast.Node(lit), true
	if u, ok := p.Parents(lit)[0].(*ast.UnaryExpr); ok && u.Op == token.AND {
		target = u
	} else if _, ok := p.Info().TypeOf(lit).(*types.Pointer); !ok {
		pointer = false
	}
	litOf := func(old dst.Node) *dst.CompositeLit {
		if u, ok := old.(*dst.UnaryExpr); ok {
			return u.X.(*dst.CompositeLit)
		}
		return old.(*dst.CompositeLit)
	}
	o := &clientOpts{p: p, pos: lit.Pos(), fields: map[string]func(dst.Node) dst.Expr{},
		from: map[string]func(dst.Node) *dst.KeyValueExpr{}}
	keys := map[string]int{}
	for i, e := range lit.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		id, _ := kv.Key.(*ast.Ident)
		if !ok || id == nil {
			p.Report(lit.Pos(), "a redis.Pool literal without field names: write it with names (Dial: ..., MaxIdle: ...) and run again", true)
			return
		}
		keys[id.Name] = i
	}
	elt := func(i int) func(dst.Node) *dst.KeyValueExpr {
		return func(old dst.Node) *dst.KeyValueExpr { return litOf(old).Elts[i].(*dst.KeyValueExpr) }
	}
	field := func(i int) func(dst.Node) dst.Expr {
		return func(old dst.Node) dst.Expr { return elt(i)(old).Value }
	}
	expr := func(name string) ast.Expr {
		if i, ok := keys[name]; ok {
			return lit.Elts[i].(*ast.KeyValueExpr).Value
		}
		return nil
	}
	dialKey := "Dial"
	if _, ok := keys["DialContext"]; ok {
		if _, both := keys["Dial"]; both {
			p.Report(lit.Pos(), "the redis.Pool sets both Dial and DialContext (redigo uses DialContext): keep one and run again", true)
			return
		}
		dialKey = "DialContext"
	}
	i, ok := keys[dialKey]
	if !ok {
		p.Report(lit.Pos(), "the redis.Pool has no Dial, so migrate cannot tell the address: build redis.NewClient(&redis.Options{Addr: ...}) by hand", true)
		return
	}
	fn, _ := expr(dialKey).(*ast.FuncLit)
	fnOf := func(old dst.Node) *dst.FuncLit { return litOf(old).Elts[i].(*dst.KeyValueExpr).Value.(*dst.FuncLit) }
	if inner := compatDial(p, expr(dialKey)); inner != nil {
		// Phase 1's switch around the original dial function: map the
		// function, and drop the switch with its package's import.
		fn = inner
		fnOf = func(old dst.Node) *dst.FuncLit {
			return litOf(old).Elts[i].(*dst.KeyValueExpr).Value.(*dst.CallExpr).Args[1].(*dst.FuncLit)
		}
	}
	if fn == nil {
		p.Report(lit.Pos(), fmt.Sprintf("the pool's %s is not a func literal, so migrate cannot see how it dials: make it "+
			"func() (redis.Conn, error) { return redis.Dial(network, addr, options...) } and run again, or build redis.NewClient(&redis.Options{...}) by hand", dialKey), true)
		return
	}
	if why := o.dial(fn, fnOf); why != "" {
		p.Report(lit.Pos(), fmt.Sprintf("the pool's %s %s; build redis.NewClient(&redis.Options{...}) by hand", dialKey, why), true)
		return
	}
	for i, e := range lit.Elts {
		name := e.(*ast.KeyValueExpr).Key.(*ast.Ident).Name
		if name != dialKey && !o.poolField(name, expr(name), field(i)) {
			return
		}
	}
	o.limits(expr("MaxActive"), field(keys["MaxActive"]), expr("Wait"))
	if expr("MaxIdle") == nil {
		o.poolField("MaxIdle", nil, nil)
	}
	for i, e := range lit.Elts {
		o.keepComments(e.(*ast.KeyValueExpr).Key.(*ast.Ident).Name, elt(i))
	}
	if !pointer {
		o.todos = append(o.todos, "redis.Pool was a value here and redis.NewClient returns a *redis.Client: "+
			"declare what holds it as *redis.Client and use it without &")
		reportAddressTaken(p, lit)
	}
	o.add(target)
}

// reportAddressTaken reports &v for the variable v that the value literal
// lit initializes: v becomes a *redis.Client, and &v a pointer to it.
func reportAddressTaken(p *rules.Pass, lit *ast.CompositeLit) {
	var name *ast.Ident
	switch parent := p.Parents(lit)[0].(type) {
	case *ast.ValueSpec:
		for i, v := range parent.Values {
			if v == lit && i < len(parent.Names) {
				name = parent.Names[i]
			}
		}
	case *ast.AssignStmt:
		for i, v := range parent.Rhs {
			if v == lit && i < len(parent.Lhs) {
				name, _ = parent.Lhs[i].(*ast.Ident)
			}
		}
	}
	obj := p.Info().ObjectOf(name)
	if name == nil || obj == nil {
		return
	}
	for _, id := range p.Uses(obj) {
		if u, ok := p.Parents(id)[0].(*ast.UnaryExpr); ok && u.Op == token.AND {
			p.Report(u.Pos(), "&"+id.Name+" was a *redis.Pool and is now a **redis.Client: "+id.Name+" holds a *redis.Client; drop the &", true)
		}
	}
}

// compatDial returns the dial function inside phase 1's switch,
// pkg.Dial(pkg.Options{...}, func...) or pkg.DialContext(...) with pkg a
// package of the module (redigo-compat's rediscompat), or nil.
func compatDial(p *rules.Pass, e ast.Expr) *ast.FuncLit {
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) != 2 {
		return nil
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || (sel.Sel.Name != "Dial" && sel.Sel.Name != "DialContext") {
		return nil
	}
	x, _ := sel.X.(*ast.Ident)
	pn, _ := p.Info().Uses[x].(*types.PkgName)
	inner, _ := call.Args[1].(*ast.FuncLit)
	if pn == nil || inner == nil || !strings.HasPrefix(pn.Imported().Path(), p.Module()+"/") {
		return nil
	}
	return inner
}

// dropped returns the package names, other than redigo's, used in target
// outside the expressions the client keeps: the rewrite removes them (the context of
// a DialContext, the time.Time of TestOnBorrow, phase 1's switch), and an
// import none of whose uses is left goes.
func (o *clientOpts) dropped(target ast.Node) []*ast.Ident {
	var ids []*ast.Ident
	ast.Inspect(target, func(n ast.Node) bool {
		if n == nil {
			return false
		}
		for _, e := range o.kept {
			if e != nil && e.Pos() <= n.Pos() && n.End() <= e.End() {
				return false
			}
		}
		if id, ok := n.(*ast.Ident); ok {
			// redigo's import stays, moved to go-redis: the client's
			// qualifiers use it.
			if pn, isPkg := o.p.Info().Uses[id].(*types.PkgName); isPkg && !rules.MatchPath(pn.Imported().Path(), paths) {
				ids = append(ids, id)
			}
		}
		return true
	})
	return ids
}

// keepComments gives the comments of the pool field name to the Options
// field it became.
func (o *clientOpts) keepComments(name string, elt func(dst.Node) *dst.KeyValueExpr) {
	to := map[string][]string{"MaxIdle": {"MaxIdleConns"}, "MaxActive": {"MaxActiveConns", "PoolSize"},
		"Wait": {"PoolSize"}, "IdleTimeout": {"ConnMaxIdleTime"}, "MaxConnLifetime": {"ConnMaxLifetime"}}[name]
	for _, f := range to {
		if o.fields[f] != nil && o.from[f] == nil {
			o.from[f] = elt
			return
		}
	}
}

// clientFromNewPool maps redis.NewPool(dial, maxIdle), or reports why it
// stays.
func clientFromNewPool(p *rules.Pass, call *ast.CallExpr) {
	fn, _ := call.Args[0].(*ast.FuncLit)
	if fn == nil {
		p.Report(call.Pos(), "redis.NewPool's dial function is not a func literal, so migrate cannot see how it dials: "+
			"build redis.NewClient(&redis.Options{Addr: ..., MaxIdleConns: ...}) by hand", true)
		return
	}
	o := &clientOpts{p: p, pos: call.Pos(), fields: map[string]func(dst.Node) dst.Expr{},
		from: map[string]func(dst.Node) *dst.KeyValueExpr{}}
	fnOf := func(old dst.Node) *dst.FuncLit { return old.(*dst.CallExpr).Args[0].(*dst.FuncLit) }
	if why := o.dial(fn, fnOf); why != "" {
		p.Report(call.Pos(), "redis.NewPool's dial function "+why+"; build redis.NewClient(&redis.Options{...}) by hand", true)
		return
	}
	o.poolField("MaxIdle", call.Args[1], func(old dst.Node) dst.Expr { return old.(*dst.CallExpr).Args[1] })
	o.limits(nil, nil, nil)
	o.add(call)
}

// poolField maps one field of redis.Pool (e nil: the field is unset), or
// reports and returns false when the pool cannot be rewritten.
func (o *clientOpts) poolField(name string, e ast.Expr, val func(dst.Node) dst.Expr) bool {
	zero := e == nil || isConst(o.p, e, "0")
	switch name {
	case "MaxIdle":
		if zero {
			o.todos = append(o.todos, "the pool kept no idle connection (MaxIdle unset or 0) and go-redis keeps every one "+
				"(MaxIdleConns 0 is no limit): set MaxIdleConns if the server's connection count matters")
			return true
		}
		o.set("MaxIdleConns", e, val)
	case "IdleTimeout":
		if !zero {
			o.set("ConnMaxIdleTime", e, val)
		}
	case "MaxConnLifetime":
		o.set("ConnMaxLifetime", e, val)
	case "TestOnBorrow", "TestOnBorrowContext":
		o.todos = append(o.todos, fmt.Sprintf("the pool's %s is dropped: go-redis checks an idle connection's health before "+
			"reusing it; a check of your own goes in a hook (rdb.AddHook) or Options.OnConnect", name))
	case "MaxActive", "Wait":
		// limits maps them together
	default:
		o.p.Report(o.pos, "the redis.Pool sets "+name+", which migrate does not know: build redis.NewClient by hand", true)
		return false
	}
	return true
}

// limits maps MaxActive and Wait.
func (o *clientOpts) limits(active ast.Expr, val func(dst.Node) dst.Expr, wait ast.Expr) {
	if active == nil || isConst(o.p, active, "0") {
		o.todos = append(o.todos, "the pool opened connections without limit (MaxActive unset or 0); go-redis opens "+
			"PoolSize at most (10 per GOMAXPROCS unless set) and then waits PoolTimeout for a free one: set PoolSize to the load you expect")
		return
	}
	switch {
	case wait != nil && isConst(o.p, wait, "true"):
		o.set("PoolSize", active, val)
		o.notes = append(o.notes, "with Wait the pool waited for a free connection as long as it took, and go-redis waits "+
			"PoolTimeout (ReadTimeout + 1 s, 30 s without a read timeout), then fails with redis.ErrPoolTimeout")
	case wait == nil || isConst(o.p, wait, "false"):
		// Fail fast past MaxActive, as redigo: one more turn than
		// connections, so that the extra Get fails with ErrPoolExhausted
		// instead of waiting for a turn.
		o.set("MaxActiveConns", active, val)
		o.set("PoolSize", active, func(old dst.Node) dst.Expr { return plusOne(o.p, active, val(old)) })
	default:
		o.set("PoolSize", active, val)
		o.todos = append(o.todos, "the pool's Wait is not a constant: go-redis's PoolSize waits PoolTimeout for a free "+
			"connection (Wait: true); to fail at once past the limit (Wait: false) set MaxActiveConns to it and PoolSize one higher")
	}
}

// plusOne returns e + 1, folded when e is a constant.
func plusOne(p *rules.Pass, e ast.Expr, d dst.Expr) dst.Expr {
	if tv := p.Info().Types[e]; tv.Value != nil {
		if v, ok := constant.Int64Val(constant.ToInt(tv.Value)); ok {
			return &dst.BasicLit{Kind: token.INT, Value: fmt.Sprint(v + 1)}
		}
	}
	return &dst.BinaryExpr{X: dst.Clone(d).(dst.Expr), Op: token.ADD, Y: &dst.BasicLit{Kind: token.INT, Value: "1"}}
}

// isConst reports whether e is a constant whose value prints as v.
func isConst(p *rules.Pass, e ast.Expr, v string) bool {
	tv := p.Info().Types[e]
	return tv.Value != nil && tv.Value.ExactString() == v
}

// poolRules are the redigo set's rules for pools, pub/sub, struct hashes
// and test helpers.
func poolRules() []*rules.GoRule {
	return []*rules.GoRule{Client, PoolMethods, PubSub, StructTags, TestHelpers}
}
