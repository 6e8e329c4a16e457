package redigorule

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// The struct hashes (research §3.4): HMSET with redis.Args{}.Add(k).AddFlat(s)
// becomes HSet(ctx, k, s), and ScanStruct over the Values of HGETALL the Scan
// of HGetAll. go-redis reads and writes only the fields tagged redis:"...":
// the pool rules add the tags.

// flatArgs returns k and x of redis.Args{}.Add(k).AddFlat(x), or nils.
func flatArgs(p *rules.Pass, e ast.Expr) (k, x ast.Expr) {
	flat, ok := e.(*ast.CallExpr)
	if !ok || len(flat.Args) != 1 || argsMethod(p, flat) != "AddFlat" {
		return nil, nil
	}
	add, ok := flat.Fun.(*ast.SelectorExpr).X.(*ast.CallExpr)
	if !ok || len(add.Args) != 1 || argsMethod(p, add) != "Add" {
		return nil, nil
	}
	lit, ok := add.Fun.(*ast.SelectorExpr).X.(*ast.CompositeLit)
	if !ok || len(lit.Elts) != 0 {
		return nil, nil
	}
	return add.Args[0], flat.Args[0]
}

// argsMethod returns the name of the method of redigo's Args that call
// calls, or "".
func argsMethod(p *rules.Pass, call *ast.CallExpr) string {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	fn, ok := p.Info().Uses[sel.Sel].(*types.Func)
	if !ok || fn.Pkg() == nil || !rules.MatchPath(fn.Pkg().Path(), paths) || receiverName(fn) != "Args" {
		return ""
	}
	return fn.Name()
}

// hashable reports whether HSet flattens a value of type t as AddFlat did:
// a struct or a pointer to one (its tagged fields), or a map of strings.
func hashable(t types.Type) bool {
	if ptr, ok := t.Underlying().(*types.Pointer); ok {
		t = ptr.Elem()
	}
	switch u := t.Underlying().(type) {
	case *types.Struct:
		return true
	case *types.Map:
		k, ok := u.Key().(*types.Basic)
		if !ok || k.Kind() != types.String {
			return false
		}
		if v, ok := u.Elem().(*types.Basic); ok && v.Kind() == types.String {
			return true
		}
		i, ok := u.Elem().(*types.Interface)
		return ok && i.Empty()
	}
	return false
}

// structHash records c.Do("HMSET"|"HSET", redis.Args{}.Add(k).AddFlat(x)...)
// as rdb.HSet(ctx, k, x), when the reply is dropped; ok is false when the
// command has another shape.
func (b *borrow) structHash(p *rules.Pass, call *ast.CallExpr, parents []ast.Node, cmd command, first int) bool {
	if !cmd.spread || len(cmd.args) != 2 || (cmd.name != "HMSET" && cmd.name != "HSET") {
		return false
	}
	k, x := flatArgs(p, cmd.args[1])
	if k == nil || !hashable(p.Info().TypeOf(x)) {
		return false
	}
	kc, ok := asString(p, k)
	if !ok {
		return false
	}
	s := b.site(p, call, parents)
	if s.helper != "" || !s.discarded(parents) {
		return false
	}
	s.accessor, s.kept = "Result", []ast.Node{k, x}
	s.build = func(_ *planCtx, c *dst.CallExpr, ctx, pool dst.Expr) dst.Expr {
		flat := c.Args[first+1].(*dst.CallExpr)
		add := flat.Fun.(*dst.SelectorExpr).X.(*dst.CallExpr)
		key, val := kc(add.Args[0]), flat.Args[0]
		return &dst.CallExpr{Fun: &dst.SelectorExpr{X: pool, Sel: dst.NewIdent("HSet")}, Args: []dst.Expr{ctx, key, val}}
	}
	b.add(s, parents)
	return true
}

// scanHash records the read of a hash into a struct:
// v, err := redis.Values(c.Do("HGETALL", k)) becomes v, err := rdb.HGetAll(ctx, k).Result() when v is only measured
// (len) and scanned (redis.ScanStruct(v, &s), which becomes
// redis.NewMapStringStringResult(v, nil).Scan(&s)). ok is false for other
// shapes.
func (b *borrow) scanHash(p *rules.Pass, call *ast.CallExpr, parents []ast.Node, cmd command) bool {
	s := b.site(p, call, parents)
	if s.helper != "Values" || cmd.name != "HGETALL" || cmd.spread || len(cmd.args) != 2 {
		return false
	}
	kc, ok := asString(p, cmd.args[1])
	if !ok {
		return false
	}
	hgetall := func(c *dst.CallExpr, ctx, pool dst.Expr) dst.Expr {
		return &dst.CallExpr{Fun: &dst.SelectorExpr{X: pool, Sel: dst.NewIdent("HGetAll")}, Args: []dst.Expr{ctx, kc(c.Args[1])}}
	}
	helper := s.outer
	above := p.Parents(helper)
	scans, ok := valuesScanned(p, above[0], helper)
	if !ok {
		return false
	}
	s.accessor, s.kept = "Result", []ast.Node{cmd.args[1]}
	s.build = func(_ *planCtx, c *dst.CallExpr, ctx, pool dst.Expr) dst.Expr { return hgetall(c, ctx, pool) }
	b.add(s, parents)
	for _, sc := range scans {
		q := goredisQualifier(p, sc.Pos(), 1)
		b.extra = append(b.extra, replaceKeeping(p, sc, exprNodes(sc.Args), func(old dst.Node) dst.Node {
			o := old.(*dst.CallExpr)
			res := &dst.CallExpr{Fun: &dst.SelectorExpr{X: q(), Sel: dst.NewIdent("NewMapStringStringResult")}, Args: []dst.Expr{o.Args[0], dst.NewIdent("nil")}}
			e := &dst.CallExpr{Fun: &dst.SelectorExpr{X: res, Sel: dst.NewIdent("Scan")}, Args: []dst.Expr{o.Args[1]}}
			e.Decs.NodeDecs = o.Decs.NodeDecs
			return e
		}))
	}
	return true
}

// valuesScanned returns the ScanStruct calls of v when stmt is
// v, err := redis.Values(...) (or =, v declared there) and v is used only
// by len(v) and as the first argument of redis.ScanStruct.
func valuesScanned(p *rules.Pass, stmt ast.Node, helper ast.Expr) ([]*ast.CallExpr, bool) {
	as, ok := stmt.(*ast.AssignStmt)
	if !ok || as.Tok != token.DEFINE || len(as.Lhs) != 2 || len(as.Rhs) != 1 || as.Rhs[0] != helper {
		return nil, false
	}
	id, _ := as.Lhs[0].(*ast.Ident)
	if id == nil {
		return nil, false
	}
	v := p.Info().Defs[id]
	if v == nil {
		return nil, false
	}
	var scans []*ast.CallExpr
	for _, use := range p.Uses(v) {
		call, ok := p.Parents(use)[0].(*ast.CallExpr)
		switch {
		case ok && len(call.Args) == 1 && isBuiltin(p, call.Fun, "len"):
		case ok && len(call.Args) == 2 && call.Args[0] == use && redigoFunc(p, call) == "ScanStruct":
			scans = append(scans, call)
		default:
			return nil, false
		}
	}
	return scans, len(scans) > 0
}

func isBuiltin(p *rules.Pass, e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := p.Info().Uses[id].(*types.Builtin)
	return ok && b.Name() == name
}
