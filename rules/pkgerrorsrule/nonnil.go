package pkgerrorsrule

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/migrate-tool/migrate/rules"
)

// Sentinels is the fact of a package's sentinel errors: its package-level
// variables initialised by New or Errorf (of pkg/errors, errors or fmt)
// that nothing in the package assigns, so never nil.
var Sentinels = &rules.Fact{
	Name:    "pkg-errors-sentinels",
	Doc:     "the package-level error variables made by New or Errorf and never assigned",
	Compute: computeSentinels,
}

func computeSentinels(pkg *rules.Package) (any, error) {
	out := map[*types.Var]bool{}
	for _, f := range pkg.Syntax {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				if len(vs.Values) != len(vs.Names) {
					continue
				}
				for i, name := range vs.Names {
					call, ok := ast.Unparen(vs.Values[i]).(*ast.CallExpr)
					if v, _ := pkg.Info.Defs[name].(*types.Var); v != nil && ok && isMaker(pkg.Info, call) {
						out[v] = true
					}
				}
			}
		}
	}
	for _, f := range pkg.Syntax {
		ast.Inspect(f, func(n ast.Node) bool {
			for _, id := range assigned(n) {
				if v, _ := pkg.Info.Uses[id].(*types.Var); v != nil {
					delete(out, v)
				}
			}
			return true
		})
	}
	return out, nil
}

// assigned returns the identifiers n assigns to or takes the address of.
func assigned(n ast.Node) []*ast.Ident {
	var out []*ast.Ident
	add := func(e ast.Expr) {
		if id, ok := ast.Unparen(e).(*ast.Ident); ok {
			out = append(out, id)
		}
	}
	switch n := n.(type) {
	case *ast.AssignStmt:
		for _, l := range n.Lhs {
			add(l)
		}
	case *ast.IncDecStmt:
		add(n.X)
	case *ast.UnaryExpr:
		if n.Op == token.AND {
			add(n.X)
		}
	case *ast.RangeStmt:
		if n.Tok == token.ASSIGN {
			add(n.Key)
			if n.Value != nil {
				add(n.Value)
			}
		}
	}
	return out
}

// nonNil reports whether the error e, an argument of the call at, is
// provably not nil there: a new error (New, Errorf, &T{...}), a sentinel
// of the package, or a variable the enclosing if (or case) checked for nil
// with nothing assigning it since.
func nonNil(p *rules.Pass, e ast.Expr, at ast.Node) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		return isMaker(p.Info(), e)
	case *ast.UnaryExpr:
		return e.Op == token.AND
	case *ast.Ident:
		v, _ := p.Info().Uses[e].(*types.Var)
		if v == nil {
			return false
		}
		if p.Fact(Sentinels).(map[*types.Var]bool)[v] {
			return true
		}
		return guarded(p, v, at)
	}
	return false
}

// guarded reports whether at sits where v was checked to be non-nil, in
// the same function, with nothing assigning v between the check and at
// (nor after at in a loop around it inside the checked code): the body of
// an if whose condition has the conjunct v != nil (or errors.As(v, ...)),
// the else branch of one with the disjunct v == nil, a case v != nil of a
// switch with no tag, or after an "if v == nil { return ... }" of the
// same block or an enclosing one.
func guarded(p *rules.Pass, v *types.Var, at ast.Node) bool { return checked(p, v, at, token.NEQ) }

// isNilAt reports whether v is nil at at, by the same checks as guarded
// with == and != swapped: a Wrap of it there always returned nil.
func isNilAt(p *rules.Pass, v *types.Var, at ast.Node) bool { return checked(p, v, at, token.EQL) }

// checked reports whether at sits where v was found "v op nil" (op is !=
// or ==), as guarded describes for !=.
func checked(p *rules.Pass, v *types.Var, at ast.Node, op token.Token) bool {
	not := token.EQL
	if op == token.EQL {
		not = token.NEQ
	}
	var child ast.Node = at
	var loop ast.Node
	for _, n := range p.Parents(at) {
		var check ast.Node
		switch n := n.(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return false
		case *ast.ForStmt, *ast.RangeStmt:
			loop = n
		case *ast.IfStmt:
			if child == n.Body && hasTerm(p, n.Cond, v, token.LAND, op) ||
				child == n.Else && hasTerm(p, n.Cond, v, token.LOR, not) {
				check = n.Cond
			}
		case *ast.CaseClause:
			if sw, ok := p.Parents(n)[1].(*ast.SwitchStmt); ok && sw.Tag == nil && len(n.List) == 1 &&
				hasTerm(p, n.List[0], v, token.LAND, op) {
				check = n.List[0]
			}
		case *ast.BlockStmt:
			check = earlyReturn(p, v, n.List, child, not)
		}
		if check != nil {
			end := at.Pos()
			if loop != nil {
				end = loop.End()
			}
			return !assignedBetween(p, v, check.End(), end, at)
		}
		child = n
	}
	return false
}

// earlyReturn returns the last statement before child in list that is "if
// v op nil { ...; return }" (or a disjunct v op nil, and a body ending in
// return, panic, break, continue or goto), or nil.
func earlyReturn(p *rules.Pass, v *types.Var, list []ast.Stmt, child ast.Node, op token.Token) ast.Node {
	var found ast.Node
	for _, st := range list {
		if st == child {
			return found
		}
		ifs, ok := st.(*ast.IfStmt)
		if ok && ifs.Else == nil && ifs.Init == nil && hasTerm(p, ifs.Cond, v, token.LOR, op) && terminates(p, ifs.Body) {
			found = ifs
		}
	}
	return nil
}

// terminates reports whether a block ends in a statement that leaves it:
// return, break, continue, goto or a call of panic.
func terminates(p *rules.Pass, b *ast.BlockStmt) bool {
	if len(b.List) == 0 {
		return false
	}
	switch st := b.List[len(b.List)-1].(type) {
	case *ast.ReturnStmt, *ast.BranchStmt:
		return true
	case *ast.ExprStmt:
		call, ok := st.X.(*ast.CallExpr)
		if !ok {
			return false
		}
		fun, ok := call.Fun.(*ast.Ident)
		return ok && p.Info().Uses[fun] == types.Universe.Lookup("panic")
	}
	return false
}

// hasTerm reports whether cond is "v op nil" (either way round), or a chain
// of join (&& or ||) with such a term.
func hasTerm(p *rules.Pass, cond ast.Expr, v *types.Var, join, op token.Token) bool {
	if call, ok := ast.Unparen(cond).(*ast.CallExpr); ok && join == token.LAND && op == token.NEQ {
		return isAs(p, call) && len(call.Args) == 2 && isVar(p, call.Args[0], v)
	}
	b, ok := ast.Unparen(cond).(*ast.BinaryExpr)
	if !ok {
		return false
	}
	if b.Op == join {
		return hasTerm(p, b.X, v, join, op) || hasTerm(p, b.Y, v, join, op)
	}
	if b.Op != op {
		return false
	}
	return isVar(p, b.X, v) && isNil(p, b.Y) || isVar(p, b.Y, v) && isNil(p, b.X)
}

func isVar(p *rules.Pass, e ast.Expr, v *types.Var) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && p.Info().Uses[id] == v
}

func isNil(p *rules.Pass, e ast.Expr) bool {
	tv, ok := p.Info().Types[e]
	return ok && tv.IsNil()
}

// assignedBetween reports whether something assigns v (or takes its
// address) in [from, to), other than the assignment whose value holds at.
func assignedBetween(p *rules.Pass, v *types.Var, from, to token.Pos, at ast.Node) bool {
	for _, id := range p.Uses(v) {
		if id.Pos() < from || id.Pos() >= to {
			continue
		}
		parent := p.Parents(id)[0]
		for _, a := range assigned(parent) {
			if a != id {
				continue
			}
			if as, ok := parent.(*ast.AssignStmt); ok && contains(as.Rhs, at) {
				continue
			}
			return true
		}
	}
	return false
}

func contains(es []ast.Expr, n ast.Node) bool {
	for _, e := range es {
		if e.Pos() <= n.Pos() && n.End() <= e.End() {
			return true
		}
	}
	return false
}

// isAs reports whether call calls As of errors or pkg/errors, which
// returns false for a nil error.
func isAs(p *rules.Pass, call *ast.CallExpr) bool {
	fn := calleeOf(p.Info(), call)
	return fn != nil && fn.Pkg() != nil && fn.Name() == "As" && (fn.Pkg().Path() == "errors" || fn.Pkg().Path() == pkgPath)
}
