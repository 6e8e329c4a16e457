package redigorule

import (
	"go/ast"
	"go/types"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// PoolMethods moves the pool's own methods to the client's.
var PoolMethods = &rules.GoRule{
	Name: "redigo-pool-methods",
	Doc: "pool.Close() stays (the client's Close); pool.ActiveCount() becomes int(pool.PoolStats().TotalConns), " +
		"pool.IdleCount() int(pool.PoolStats().IdleConns), pool.Stats() pool.PoolStats() when a field is read from it " +
		"and *pool.PoolStats() otherwise, and redigo's PoolStats fields go-redis's: ActiveCount int(TotalConns), " +
		"IdleCount int(IdleConns), WaitCount int64(WaitCount), WaitDuration time.Duration(WaitDurationNs); " +
		"a PoolStats field set, or a method used as a value, is reported",
	Paths:    paths,
	NewPaths: []string{"time"},
	Requires: []*rules.Fact{compatPackage},
	Run:      runPoolMethods,
}

var (
	poolMethods    = rules.Members(paths, []string{"Pool"}, "Close", "ActiveCount", "IdleCount", "Stats")
	poolStatFields = rules.Members(paths, []string{"PoolStats"}, "ActiveCount", "IdleCount", "WaitCount", "WaitDuration")
	poolStatsType  = rules.Funcs(paths, "PoolStats")
)

// statField is what a redigo PoolStats field becomes: go-redis's field,
// converted back to redigo's type.
var statField = map[string]struct{ name, conv, pkg string }{
	"ActiveCount":  {"TotalConns", "int", ""},
	"IdleCount":    {"IdleConns", "int", ""},
	"WaitCount":    {"WaitCount", "int64", ""},
	"WaitDuration": {"WaitDurationNs", "Duration", "time"},
}

func runPoolMethods(p *rules.Pass) error {
	if inCompat(p) {
		return nil // phase 1\'s package stays on redigo until it is deleted
	}
	for _, u := range p.UsesOf(poolMethods) {
		call := rules.CallOf(p, u.Ident)
		if call == nil {
			p.Report(u.Ident.Pos(), "pool."+u.Ident.Name+" used as a value: go-redis's client has PoolStats() and Close(); call them by hand", true)
			continue
		}
		switch u.Ident.Name {
		case "Close":
			p.Rewrite(u.Ident.Pos(), rules.Rename(u.Ident, "Close")) // the client's Close
		case "ActiveCount", "IdleCount":
			field := statField[u.Ident.Name]
			p.Rewrite(u.Ident.Pos(), rules.Replace(call, func(old dst.Node) dst.Node {
				c := old.(*dst.CallExpr)
				c.Fun.(*dst.SelectorExpr).Sel.Name = "PoolStats"
				return &dst.CallExpr{Fun: dst.NewIdent(field.conv), Args: []dst.Expr{&dst.SelectorExpr{X: c, Sel: dst.NewIdent(field.name)}}}
			}))
		case "Stats":
			rewriteStats(p, u.Ident, call)
		}
	}
	for _, u := range p.UsesOf(poolStatFields) {
		rewriteStatField(p, u.Ident)
	}
	for _, u := range p.UsesOf(poolStatsType) {
		if _, ok := u.Obj.(*types.TypeName); ok {
			p.Rewrite(u.Ident.Pos(), rules.Rename(u.Ident, "PoolStats")) // go-redis's, with the fields above
		}
	}
	return nil
}

// rewriteStats makes pool.Stats() pool.PoolStats() where a field is read
// from it, and *pool.PoolStats() (a value, as redigo's) elsewhere.
func rewriteStats(p *rules.Pass, id *ast.Ident, call *ast.CallExpr) {
	if sel, ok := p.Parents(call)[0].(*ast.SelectorExpr); ok && sel.X == call {
		p.Rewrite(id.Pos(), rules.Rename(id, "PoolStats"))
		return
	}
	p.Rewrite(id.Pos(), rules.Rename(id, "PoolStats"), rules.Wrap(call, func(e dst.Expr) dst.Expr {
		return &dst.StarExpr{X: e}
	}))
}

// rewriteStatField makes s.ActiveCount int(s.TotalConns), and so on.
func rewriteStatField(p *rules.Pass, id *ast.Ident) {
	sel, ok := p.Parents(id)[0].(*ast.SelectorExpr)
	if !ok || sel.Sel != id {
		p.Report(id.Pos(), "redigo's PoolStats."+id.Name+" in a literal: go-redis's PoolStats has other fields "+
			"(TotalConns, IdleConns, WaitCount, WaitDurationNs); build it by hand", true)
		return
	}
	if isAssigned(p, sel) {
		p.Report(id.Pos(), "redigo's PoolStats."+id.Name+" is set here: go-redis's field is "+statField[id.Name].name+
			", of another type; set it by hand", true)
		return
	}
	field := statField[id.Name]
	var q *dst.Ident
	if field.pkg != "" {
		q = p.Qualifier(field.pkg, sel.Pos())
	}
	p.Rewrite(id.Pos(), rules.Replace(sel, func(old dst.Node) dst.Node {
		s := old.(*dst.SelectorExpr)
		s.Sel.Name = field.name
		var conv dst.Expr = dst.NewIdent(field.conv)
		if q != nil {
			conv = &dst.SelectorExpr{X: q, Sel: dst.NewIdent(field.conv)}
		}
		return &dst.CallExpr{Fun: conv, Args: []dst.Expr{s}}
	}))
}

// isAssigned reports whether e is assigned to, incremented, or has its
// address taken.
func isAssigned(p *rules.Pass, e ast.Expr) bool {
	switch parent := p.Parents(e)[0].(type) {
	case *ast.AssignStmt:
		for _, l := range parent.Lhs {
			if l == e {
				return true
			}
		}
	case *ast.IncDecStmt:
		return true
	case *ast.UnaryExpr:
		return parent.X == e
	}
	return false
}
