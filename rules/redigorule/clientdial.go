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

// clientOptions maps redigo's dial options to the redis.Options field
// that takes the option's argument as it is.
var clientOptions = map[string]string{
	"DialPassword": "Password", "DialUsername": "Username", "DialDatabase": "DB",
	"DialClientName": "ClientName", "DialConnectTimeout": "DialTimeout",
	"DialReadTimeout": "ReadTimeout", "DialWriteTimeout": "WriteTimeout",
	"DialContextFunc": "Dialer",
}

// dial maps the dial function lit (whose decorated form fnOf finds in the
// replaced node) to Options fields, or returns why it cannot.
func (o *clientOpts) dial(lit *ast.FuncLit, fnOf func(dst.Node) *dst.FuncLit) string {
	if !dialsRedigo(o.p, lit) {
		return "returns a connection it did not dial (a test double?): go-redis dials itself from redis.Options"
	}
	call, stmt := dialCall(o.p, lit)
	if call == nil && doesAuthOrSelect(lit) {
		var why string
		if call, why = o.dialAuth(lit, fnOf); why != "" {
			return why
		}
	}
	if call == nil {
		if doesAuthOrSelect(lit) {
			return "runs AUTH or SELECT itself: go-redis dials itself from redis.Options, with Password and DB"
		}
		return "does more than return a redis.Dial call: go-redis dials itself from redis.Options; other set-up goes in Options.OnConnect or Options.Dialer"
	}
	if call.Ellipsis.IsValid() {
		return "passes its options as a slice"
	}
	callOf := func(old dst.Node) *dst.CallExpr {
		switch st := fnOf(old).Body.List[stmt].(type) {
		case *dst.ReturnStmt:
			return st.Results[0].(*dst.CallExpr)
		case *dst.AssignStmt:
			return st.Rhs[0].(*dst.CallExpr)
		}
		panic("redigo-client: the dial statement changed shape")
	}
	arg := func(i int) func(dst.Node) dst.Expr {
		return func(old dst.Node) dst.Expr { return callOf(old).Args[i] }
	}
	for i, a := range call.Args {
		if i == 0 && redigoFunc(o.p, call) == "DialContext" {
			continue // the ctx parameter: go-redis passes its own
		}
		if usesLocal(o.p, a, lit) {
			return "builds its arguments from its own variables, which redis.Options, built once, cannot see"
		}
	}
	first := 0
	switch name := redigoFunc(o.p, call); name {
	case "Dial", "DialContext":
		if name == "DialContext" {
			first = 1
		}
		if !isConst(o.p, call.Args[first], `"tcp"`) {
			o.set("Network", call.Args[first], arg(first))
		}
		o.set("Addr", call.Args[first+1], arg(first+1))
		first += 2
	case "DialTimeout":
		if !isConst(o.p, call.Args[0], `"tcp"`) {
			o.set("Network", call.Args[0], arg(0))
		}
		o.set("Addr", call.Args[1], arg(1))
		o.timeout("DialTimeout", call.Args[2], arg(2))
		o.timeout("ReadTimeout", call.Args[3], arg(3))
		o.timeout("WriteTimeout", call.Args[4], arg(4))
		first = len(call.Args)
	case "DialURL", "DialURLContext":
		return "dials a URL: parse it with opt, err := redis.ParseURL(url) and pass opt (redigo took redis://secret@host's " +
			"secret as the password, go-redis takes it as the username; valkey:// is not accepted)"
	default:
		return "does not return a redis.Dial call"
	}
	return o.dialOptions(call, first, func(i int) func(dst.Node) dst.Expr {
		return func(old dst.Node) dst.Expr { return callOf(old).Args[i].(*dst.CallExpr).Args[0] }
	})
}

// dialOptions maps the options call.Args[first:]; optArg(i) finds the
// argument of option i in the replaced node.
func (o *clientOpts) dialOptions(call *ast.CallExpr, first int, optArg func(int) func(dst.Node) dst.Expr) string {
	seen := map[string]int{}
	for i := first; i < len(call.Args); i++ {
		opt, _ := call.Args[i].(*ast.CallExpr)
		name := redigoFunc(o.p, opt)
		if name == "" || len(opt.Args) != 1 {
			return fmt.Sprintf("passes %s, which migrate cannot map", exprString(call.Args[i]))
		}
		if _, dup := seen[name]; dup {
			return "passes redis." + name + " twice"
		}
		seen[name] = i
		switch name {
		case "DialKeepAlive":
			o.notes = append(o.notes, "DialKeepAlive is dropped (go-redis keeps alive every 5 min; a Dialer of your own can change it)")
		case "DialTLSHandshakeTimeout":
			o.notes = append(o.notes, "DialTLSHandshakeTimeout is dropped (go-redis's DialTimeout covers the handshake)")
		case "DialUseTLS", "DialTLSConfig", "DialTLSSkipVerify":
		case "DialNetDial":
			o.set("Dialer", opt.Args[0], o.netDialer(opt.Args[0], optArg(i)))
		default:
			f := clientOptions[name]
			if f == "" {
				return fmt.Sprintf("passes redis.%s, which migrate cannot map", name)
			}
			o.timeout(f, opt.Args[0], optArg(i))
		}
	}
	return o.tls(call, seen, optArg)
}

// timeout sets the field f to e, but for a timeout that is the constant 0:
// none in redigo, while go-redis's 0 is its default (3 s to read, 5 s to
// connect). -1 is none for reads and writes; go-redis always has a
// connect timeout, which defaults then sets to redigo's default.
func (o *clientOpts) timeout(f string, e ast.Expr, val func(dst.Node) dst.Expr) {
	switch {
	case !isConst(o.p, e, "0"):
		o.set(f, e, val)
	case f == "ReadTimeout" || f == "WriteTimeout":
		o.setLit(f, intLit("-1"))
	case f == "DialTimeout":
		o.notes = append(o.notes, "the connect timeout 0 was none in redigo; go-redis always has one: DialTimeout is redigo's default, 30 s")
	default:
		o.set(f, e, val)
	}
}

// tls maps DialUseTLS, DialTLSConfig and DialTLSSkipVerify: the last two
// do nothing in redigo without DialUseTLS(true).
func (o *clientOpts) tls(call *ast.CallExpr, seen map[string]int, optArg func(int) func(dst.Node) dst.Expr) string {
	i, use := seen["DialUseTLS"]
	cfg, hasCfg := seen["DialTLSConfig"]
	skip, hasSkip := seen["DialTLSSkipVerify"]
	switch {
	case use && isConst(o.p, call.Args[i].(*ast.CallExpr).Args[0], "true"):
	case use && !isConst(o.p, call.Args[i].(*ast.CallExpr).Args[0], "false"):
		return "passes DialUseTLS with a value only known when it runs: go-redis uses TLS when TLSConfig is set, " +
			"so set it under the same condition"
	default:
		if hasCfg || hasSkip {
			o.notes = append(o.notes, "DialTLSConfig and DialTLSSkipVerify are dropped: without DialUseTLS(true) they did nothing in redigo")
		}
		return ""
	}
	switch {
	case hasCfg:
		o.set("TLSConfig", call.Args[cfg].(*ast.CallExpr).Args[0], optArg(cfg))
		if hasSkip {
			o.notes = append(o.notes, "DialTLSSkipVerify is dropped: redigo ignored it when DialTLSConfig was given")
		}
	default:
		q := o.p.Qualifier("crypto/tls", o.pos)
		var kept ast.Expr
		if hasSkip {
			kept = call.Args[skip].(*ast.CallExpr).Args[0]
		}
		o.set("TLSConfig", kept, func(old dst.Node) dst.Expr {
			c := &dst.CompositeLit{Type: &dst.SelectorExpr{X: q, Sel: dst.NewIdent("Config")}}
			if hasSkip {
				c.Elts = []dst.Expr{&dst.KeyValueExpr{Key: dst.NewIdent("InsecureSkipVerify"), Value: optArg(skip)(old)}}
			}
			return &dst.UnaryExpr{Op: token.AND, X: c}
		})
	}
	return ""
}

// netDialer returns the builder of a Dialer that calls f, a
// func(network, addr string) (net.Conn, error), ignoring the context.
func (o *clientOpts) netDialer(f ast.Expr, val func(dst.Node) dst.Expr) func(dst.Node) dst.Expr {
	qc, qn := o.p.Qualifier("context", o.pos), o.p.Qualifier("net", o.pos)
	network, addr := rules.FreeName(f, "network"), rules.FreeName(f, "addr")
	return func(old dst.Node) dst.Expr {
		params := &dst.FieldList{List: []*dst.Field{
			{Names: []*dst.Ident{dst.NewIdent("_")}, Type: &dst.SelectorExpr{X: qc, Sel: dst.NewIdent("Context")}},
			{Names: []*dst.Ident{dst.NewIdent(network), dst.NewIdent(addr)}, Type: dst.NewIdent("string")},
		}}
		results := &dst.FieldList{List: []*dst.Field{
			{Type: &dst.SelectorExpr{X: qn, Sel: dst.NewIdent("Conn")}}, {Type: dst.NewIdent("error")},
		}}
		body := &dst.BlockStmt{List: []dst.Stmt{&dst.ReturnStmt{Results: []dst.Expr{
			&dst.CallExpr{Fun: val(old), Args: []dst.Expr{dst.NewIdent(network), dst.NewIdent(addr)}},
		}}}}
		return &dst.FuncLit{Type: &dst.FuncType{Params: params, Results: results}, Body: body}
	}
}

// dialAuth maps a dial function that dials, checks the error, then
// authenticates or selects a database and returns the connection:
//
//	c, err := redis.Dial(...)
//	if err != nil { return nil, err }
//	if password != "" { // optional
//		if _, err := c.Do("AUTH", password); err != nil { c.Close(); return nil, err }
//	}
//	return c, err
//
// AUTH's arguments become Password (and Username), SELECT's DB: go-redis
// sends AUTH only for a Password that is not empty, as the test did. It
// returns the dial call, or why it cannot map the function ("" and a nil
// call when it has another shape).
func (o *clientOpts) dialAuth(lit *ast.FuncLit, fnOf func(dst.Node) *dst.FuncLit) (*ast.CallExpr, string) {
	list := lit.Body.List
	if len(list) < 4 {
		return nil, ""
	}
	call, _ := dialCall(o.p, &ast.FuncLit{Type: lit.Type, Body: &ast.BlockStmt{List: []ast.Stmt{list[0], list[1], list[len(list)-1]}}})
	as, _ := list[0].(*ast.AssignStmt)
	if call == nil || as == nil {
		return nil, ""
	}
	conn := o.p.Info().ObjectOf(ident(as.Lhs[0]))
	for i := 2; i < len(list)-1; i++ {
		st, tested := list[i], ast.Expr(nil)
		if outer, ok := st.(*ast.IfStmt); ok && outer.Init == nil && outer.Else == nil && len(outer.Body.List) == 1 {
			if cond, ok := outer.Cond.(*ast.BinaryExpr); ok && cond.Op == token.NEQ && isConst(o.p, cond.Y, `""`) {
				st, tested = outer.Body.List[0], cond.X
			}
		}
		do := authDo(o.p, st, conn)
		if do == nil {
			return nil, ""
		}
		// Only a test of the password itself is what go-redis does.
		if tested != nil && exprString(tested) != exprString(do.Args[len(do.Args)-1]) {
			return nil, ""
		}
		nested := tested != nil
		at := i
		argOf := func(j int) func(dst.Node) dst.Expr {
			return func(old dst.Node) dst.Expr {
				s := fnOf(old).Body.List[at]
				if nested {
					s = s.(*dst.IfStmt).Body.List[0]
				}
				return s.(*dst.IfStmt).Init.(*dst.AssignStmt).Rhs[0].(*dst.CallExpr).Args[j]
			}
		}
		for _, a := range do.Args[1:] {
			if usesLocal(o.p, a, lit) {
				return nil, "builds its arguments from its own variables, which redis.Options, built once, cannot see"
			}
		}
		switch name := strings.ToUpper(constString(o.p, do.Args[0])); {
		case name == "AUTH" && len(do.Args) == 2:
			o.set("Password", do.Args[1], argOf(1))
		case name == "AUTH" && len(do.Args) == 3:
			o.set("Username", do.Args[1], argOf(1))
			o.set("Password", do.Args[2], argOf(2))
		case name == "SELECT" && len(do.Args) == 2 && isInt(o.p, do.Args[1]):
			o.set("DB", do.Args[1], argOf(1))
		default:
			return nil, "runs AUTH or SELECT itself in a form migrate cannot map: go-redis dials itself from redis.Options, with Password and DB"
		}
	}
	return call, ""
}

// authDo returns the c.Do call of st when st is
// if _, err := c.Do(...); err != nil { [c.Close()]; return ... }.
func authDo(p *rules.Pass, st ast.Stmt, conn types.Object) *ast.CallExpr {
	ifs, ok := st.(*ast.IfStmt)
	if !ok || ifs.Else != nil || conn == nil {
		return nil
	}
	init, ok := ifs.Init.(*ast.AssignStmt)
	if !ok || len(init.Lhs) != 2 || len(init.Rhs) != 1 || !isIdentNamed(init.Lhs[0], "_") {
		return nil
	}
	cond, ok := ifs.Cond.(*ast.BinaryExpr)
	if !ok || cond.Op != token.NEQ || p.Info().ObjectOf(ident(cond.X)) != p.Info().ObjectOf(ident(init.Lhs[1])) || !isNil(cond.Y) {
		return nil
	}
	for j, s := range ifs.Body.List {
		if _, ret := s.(*ast.ReturnStmt); ret && j == len(ifs.Body.List)-1 {
			continue
		}
		es, ok := s.(*ast.ExprStmt)
		if !ok {
			return nil
		}
		c, ok := es.X.(*ast.CallExpr)
		if sel, isSel := c.Fun.(*ast.SelectorExpr); !ok || !isSel || sel.Sel.Name != "Close" || p.Info().ObjectOf(ident(sel.X)) != conn {
			return nil
		}
	}
	do, ok := init.Rhs[0].(*ast.CallExpr)
	if !ok || len(do.Args) < 2 || do.Ellipsis.IsValid() {
		return nil
	}
	sel, ok := do.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Do" || p.Info().ObjectOf(ident(sel.X)) != conn || constString(p, do.Args[0]) == "" {
		return nil
	}
	return do
}

// isInt reports whether e is an integer of type int, or an untyped
// constant: what Options.DB takes.
func isInt(p *rules.Pass, e ast.Expr) bool {
	b, ok := p.Info().TypeOf(e).(*types.Basic)
	return ok && (b.Kind() == types.Int || b.Kind() == types.UntypedInt)
}
