package redigorule

import (
	"go/ast"
	"go/types"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

var (
	messageTypeNames = rules.Funcs(paths, "Message", "PMessage", "Subscription", "Pong")
	messageData      = rules.Members(paths, []string{"Message", "PMessage"}, "Data")
	pongData         = rules.Members(paths, []string{"Pong"}, "Data")
	messageSame      = rules.Or(rules.Members(paths, []string{"Message", "PMessage"}, "Channel", "Pattern"),
		rules.Members(paths, []string{"Subscription"}, "Kind", "Channel", "Count"))
)

// messageTypes makes the pub/sub message types go-redis's pointers, and
// their fields go-redis's.
func messageTypes(p *rules.Pass) {
	for _, u := range p.UsesOf(messageTypeNames) {
		if _, ok := u.Obj.(*types.TypeName); ok {
			messageType(p, u.Ident)
		}
	}
	for _, u := range p.UsesOf(messageSame) {
		p.Rewrite(u.Ident.Pos(), rules.Rename(u.Ident, u.Ident.Name)) // same name and meaning in go-redis
	}
	for _, u := range p.UsesOf(pongData) {
		if !fieldRead(p, u.Ident) {
			continue
		}
		p.Rewrite(u.Ident.Pos(), rules.Rename(u.Ident, "Payload"))
	}
	for _, u := range p.UsesOf(messageData) {
		if fieldRead(p, u.Ident) {
			messageDataRead(p, u.Ident)
		}
	}
}

// fieldRead reports whether id is a field selected for reading; else it
// reports the site.
func fieldRead(p *rules.Pass, id *ast.Ident) bool {
	sel, ok := p.Parents(id)[0].(*ast.SelectorExpr)
	if ok && sel.Sel == id && !isAssigned(p, sel) {
		return true
	}
	p.Report(id.Pos(), "the message's Data is set here: go-redis's message has Payload (a string); set it by hand", true)
	return false
}

// messageDataRead makes v.Data []byte(v.Payload), and string(v.Data)
// v.Payload.
func messageDataRead(p *rules.Pass, id *ast.Ident) {
	sel := p.Parents(id)[0].(*ast.SelectorExpr)
	if conv, ok := p.Parents(sel)[0].(*ast.CallExpr); ok && len(conv.Args) == 1 && conv.Args[0] == sel && isStringType(p, conv.Fun) {
		p.Rewrite(id.Pos(), rules.Rename(id, "Payload"), rules.Unwrap(conv, func(e dst.Expr) dst.Expr {
			return e.(*dst.CallExpr).Args[0]
		}))
		return
	}
	p.Rewrite(id.Pos(), rules.Rename(id, "Payload"), rules.Wrap(sel, func(e dst.Expr) dst.Expr {
		return &dst.CallExpr{Fun: &dst.ArrayType{Elt: dst.NewIdent("byte")}, Args: []dst.Expr{e}}
	}))
}

// isStringType reports whether e denotes the type string.
func isStringType(p *rules.Pass, e ast.Expr) bool {
	tv := p.Info().Types[e]
	return tv.IsType() && types.Identical(tv.Type, types.Typ[types.String])
}

// messageType makes a use of redis.Message (PMessage, Subscription, Pong)
// go-redis's pointer: in a case of a type switch, an assertion and a
// declaration; a literal is reported.
func messageType(p *rules.Pass, id *ast.Ident) {
	name := id.Name
	if name == "PMessage" {
		name = "Message"
	}
	var typ ast.Expr = id
	if sel, ok := p.Parents(id)[0].(*ast.SelectorExpr); ok && sel.Sel == id {
		typ = sel
	}
	switch parent := p.Parents(typ)[0].(type) {
	case *ast.StarExpr:
		p.Rewrite(id.Pos(), rules.Rename(id, name))
		return
	case *ast.CompositeLit, *ast.CallExpr:
		p.Report(id.Pos(), "redis."+id.Name+" built here: go-redis hands out *redis."+name+" (Data is Payload, a string); "+
			"build it by hand", true)
		return
	case *ast.CaseClause:
		if id.Name == "PMessage" && caseHasMessage(p, parent) {
			p.Report(id.Pos(), "garyburd's PMessage and Message are one type in go-redis, *redis.Message (Pattern set for a pattern "+
				"subscription): merge the two cases by hand", true)
			return
		}
	}
	p.Rewrite(id.Pos(), rules.Rename(id, name), rules.Wrap(typ, func(e dst.Expr) dst.Expr { return &dst.StarExpr{X: e} }))
}

// caseHasMessage reports whether the type switch around clause has a case
// of redigo's Message.
func caseHasMessage(p *rules.Pass, clause *ast.CaseClause) bool {
	body, ok := p.Parents(clause)[0].(*ast.BlockStmt)
	if !ok {
		return false
	}
	for _, s := range body.List {
		for _, e := range s.(*ast.CaseClause).List {
			if isRedigoType(p.Info().TypeOf(e), "Message") {
				return true
			}
		}
	}
	return false
}
