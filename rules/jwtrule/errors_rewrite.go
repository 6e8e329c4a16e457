package jwtrule

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"github.com/dave/dst"
	"github.com/migrate-tool/migrate/rules"
)

// rewriteAssertion rewrites the bit tests to errors.Is and drops the
// assertion, marking the identifiers it consumed as done.
func rewriteAssertion(p *rules.Pass, a *assertion, done map[*ast.Ident]bool) {
	done[a.typeUse] = true
	var edits []rules.Edit
	if body, i := errGuard(p, a); body != nil {
		edits = append(edits, rules.Replace(body, hoist(i)))
	} else {
		edits = append(edits, rules.Replace(a.stmt, func(old dst.Node) dst.Node {
			s := old.(*dst.IfStmt)
			s.Init = nil
			if a.bareOk {
				s.Cond = &dst.BinaryExpr{X: dst.NewIdent(a.err.Name), Op: token.NEQ, Y: dst.NewIdent("nil")}
			} else {
				s.Cond = dropFirstAnd(s.Cond)
			}
			return s
		}))
	}
	var notes []string
	for _, t := range a.tests {
		for _, f := range t.flags {
			done[f] = true
			if f.Name == "ValidationErrorClaimsInvalid" {
				notes = append(notes, msgClaimsInvalid)
			}
		}
		edits = append(edits, rules.Replace(t.expr, isExpr(p, a.err.Name, t)))
	}
	site := rules.Site{Pos: a.stmt.Init.Pos(), Edits: edits}
	if len(notes) > 0 {
		site.Message = notes[0]
	}
	p.Add(site)
}

// errGuard returns the body of the "if err != nil {" that holds the
// assertion, and the assertion's index in it, when the assertion's "ok"
// alone is its condition and "err != nil" would repeat the guard: its
// statements then take its place. The assertion must have no else, its
// body declare nothing (its names would join the guard's block), and err
// not change before it.
func errGuard(p *rules.Pass, a *assertion) (*ast.BlockStmt, int) {
	if !a.bareOk || a.stmt.Else != nil || declares(a.stmt.Body) {
		return nil, 0
	}
	parents := p.Parents(a.stmt)
	if len(parents) < 2 {
		return nil, 0
	}
	body, ok := parents[0].(*ast.BlockStmt)
	guard, okIf := parents[1].(*ast.IfStmt)
	if !ok || !okIf || guard.Body != body || !isNotNil(p, guard.Cond, p.Info().Uses[a.err]) {
		return nil, 0
	}
	i := slices.Index(body.List, ast.Stmt(a.stmt))
	if i < len(body.List)-1 && terminates(a.stmt.Body) {
		return nil, 0 // what follows would be unreachable, and vet says so
	}
	for _, s := range body.List[:i] {
		if assigned(p, s, p.Info().Uses[a.err]) {
			return nil, 0
		}
	}
	return body, i
}

// terminates reports whether b ends in a return, a branch or a panic.
func terminates(b *ast.BlockStmt) bool {
	if len(b.List) == 0 {
		return false
	}
	switch s := b.List[len(b.List)-1].(type) {
	case *ast.ReturnStmt, *ast.BranchStmt:
		return true
	case *ast.ExprStmt:
		c, ok := s.X.(*ast.CallExpr)
		id, okID := c.Fun.(*ast.Ident)
		return ok && okID && id.Name == "panic"
	}
	return false
}

// isNotNil reports whether e is "v != nil".
func isNotNil(p *rules.Pass, e ast.Expr, v types.Object) bool {
	b, ok := e.(*ast.BinaryExpr)
	if !ok || b.Op != token.NEQ || !isNil(p, b.Y) {
		return false
	}
	id, ok := b.X.(*ast.Ident)
	return ok && p.Info().Uses[id] == v
}

// declares reports whether a statement of b declares a name in b's scope.
func declares(b *ast.BlockStmt) bool {
	for _, s := range b.List {
		switch s := s.(type) {
		case *ast.DeclStmt, *ast.LabeledStmt:
			return true
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE {
				return true
			}
		}
	}
	return false
}

// hoist returns the edit of a block that puts the statements of the if
// statement at index i in its place, its comments on the first of them.
func hoist(i int) func(dst.Node) dst.Node {
	return func(old dst.Node) dst.Node {
		b := old.(*dst.BlockStmt)
		inner := b.List[i].(*dst.IfStmt)
		stmts := inner.Body.List
		if len(stmts) > 0 {
			d := stmts[0].Decorations()
			d.Start = append(inner.Decs.Start, d.Start...)
			d.Before = inner.Decs.Before
		}
		b.List = slices.Concat(b.List[:i], stmts, b.List[i+1:])
		return b
	}
}

// dropFirstAnd removes the leftmost operand of a chain of &&.
func dropFirstAnd(e dst.Expr) dst.Expr {
	b := e.(*dst.BinaryExpr)
	if x, ok := b.X.(*dst.BinaryExpr); ok && x.Op == token.LAND {
		b.X = dropFirstAnd(x)
		return b
	}
	b.Y.Decorations().Before = dst.None
	return b.Y
}

// isExpr builds the errors.Is test that replaces t.
func isExpr(p *rules.Pass, errName string, t bitTest) func(dst.Node) dst.Node {
	return func(old dst.Node) dst.Node {
		var e dst.Expr
		for _, f := range t.flags {
			is := call(&dst.SelectorExpr{X: p.Qualifier("errors", t.expr.Pos()), Sel: dst.NewIdent("Is")},
				dst.NewIdent(errName), sel(p, t.expr.Pos(), sentinels[f.Name]))
			if e == nil {
				e = is
			} else {
				e = &dst.BinaryExpr{X: e, Op: token.LOR, Y: is}
			}
		}
		if t.none {
			if len(t.flags) > 1 {
				e = &dst.ParenExpr{X: e}
			}
			e = &dst.UnaryExpr{Op: token.NOT, X: e}
		} else if len(t.flags) > 1 && needsParens(p, t.expr) {
			e = &dst.ParenExpr{X: e}
		}
		e.Decorations().Start = old.Decorations().Start
		e.Decorations().End = old.Decorations().End
		return e
	}
}

// needsParens reports whether an || put in place of e binds less tightly
// than what surrounds e.
func needsParens(p *rules.Pass, e ast.Expr) bool {
	parents := p.Parents(e)
	if len(parents) == 0 {
		return false
	}
	switch n := parents[0].(type) {
	case *ast.BinaryExpr:
		return n.Op != token.LOR
	case *ast.UnaryExpr:
		return true
	}
	return false
}
