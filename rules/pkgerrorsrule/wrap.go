package pkgerrorsrule

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"github.com/dave/dst"
	"github.com/migrate-tool/migrate/rules"
)

// Wrap moves Wrap, Wrapf, WithMessage and WithMessagef to fmt.Errorf with
// ": %w". pkg/errors returns nil for a nil error and fmt.Errorf never does,
// so a call becomes fmt.Errorf only where its error cannot be nil (see
// nonNil), or, where it is the only result of a function returning error
// or assigns back to the variable it wraps, a statement that checks for nil
// first. Every other call is reported, and keeps pkg/errors.
var Wrap = &rules.GoRule{
	Name: "pkg-errors-wrap",
	Doc: "Wrap, Wrapf, WithMessage and WithMessagef become fmt.Errorf(\"...: %w\", ..., err) where err cannot be nil " +
		"(inside if err != nil, a sentinel made by New or Errorf, New or Errorf itself); return Wrap(x, m) in a " +
		"function returning only error, and err = Wrap(err, m), become guarded statements; other calls are reported",
	Paths:         []string{pkgPath},
	ImportersOnly: true,
	NewPaths:      []string{"fmt"},
	Requires:      []*rules.Fact{Sentinels},
	Run:           runWrap,
}

var wrapFuncs = rules.Funcs([]string{pkgPath}, "Wrap", "Wrapf", "WithMessage", "WithMessagef")

func runWrap(p *rules.Pass) error {
	for _, u := range p.UsesOf(wrapFuncs) {
		call := rules.CallOf(p, u.Ident)
		if call == nil || len(call.Args) < 2 {
			continue // a function value: the rule set's func-values rules report it
		}
		name := u.Obj.Name()
		args, why := plan(p, call, name == "Wrapf" || name == "WithMessagef")
		if why != "" {
			p.Report(call.Pos(), fmt.Sprintf("errors.%s left as is: %s; rewrite it with fmt.Errorf by hand", name, why), true)
			continue
		}
		q := p.Qualifier("fmt", call.Pos())
		errorf := rules.Edit{Node: call, Unuse: []*ast.Ident{qualifierOf(p, u.Ident)}, New: func(old dst.Node) dst.Node {
			c := old.(*dst.CallExpr)
			n := &dst.CallExpr{Fun: &dst.SelectorExpr{X: q, Sel: dst.NewIdent("Errorf")}, Args: args(c.Args)}
			n.Decs = c.Decs
			return n
		}}
		if nonNil(p, call.Args[0], call) {
			p.Rewrite(call.Pos(), errorf)
			continue
		}
		if edits := guardStmt(p, call); edits != nil {
			site := rules.Site{Pos: call.Pos(), Edits: append([]rules.Edit{errorf}, edits...)}
			if v := varOf(p, call.Args[0]); v != nil && isNilAt(p, v, call) {
				site.Message = fmt.Sprintf("%s is nil here, so errors.%s returned nil, and the nil check keeps that; "+
					"if an error was meant, return one", v.Name(), name)
			}
			p.Add(site)
			continue
		}
		p.Report(call.Pos(), fmt.Sprintf("errors.%s left as is: its error may be nil here, and %s(nil, ...) "+
			"returns nil where fmt.Errorf never does; check for nil, then use fmt.Errorf with %%w", name, name), true)
	}
	return nil
}

// guardStmt returns the edits that put the statement holding call, once
// call is fmt.Errorf, under a nil check: "return Wrap(x, m)" as the only
// result of a function returning error, and "v = Wrap(v, m)". The other
// arguments must be cheap to evaluate (no calls), since they are now
// evaluated only for a non-nil error. Elsewhere it returns nil.
func guardStmt(p *rules.Pass, call *ast.CallExpr) []rules.Edit {
	parents := p.Parents(call)
	if len(parents) < 2 || !rules.IsStmtList(parents[1]) || !cheap(p, call.Args[1:]) {
		return nil
	}
	v := varOf(p, call.Args[0])
	switch st := parents[0].(type) {
	case *ast.ReturnStmt:
		if len(st.Results) != 1 || !returnsOnlyError(p, parents[1:]) {
			return nil
		}
		return guardReturn(st, parents[1], v != nil, freeName(call.Args[1:], "err"))
	case *ast.AssignStmt:
		if st.Tok != token.ASSIGN || len(st.Lhs) != 1 || v == nil || !isVar(p, st.Lhs[0], v) {
			return nil
		}
		return []rules.Edit{rules.Replace(st, func(old dst.Node) dst.Node {
			return ifNotNil(old.(dst.Stmt), nil, dst.Clone(old.(*dst.AssignStmt).Lhs[0]).(dst.Expr))
		})}
	}
	return nil
}

// guardReturn returns the edits that make "return fmt.Errorf(..., x)"
// "if x != nil { return ... }; return nil" for a variable x, and "if name
// := x; name != nil { return fmt.Errorf(..., name) }; return nil" for
// any other expression. The "return nil" is added by an edit of the
// statement list holding ret (list), after the if that replaced ret.
func guardReturn(ret *ast.ReturnStmt, list ast.Node, isVar bool, name string) []rules.Edit {
	var made dst.Stmt
	guard := rules.Replace(ret, func(old dst.Node) dst.Node {
		r := old.(*dst.ReturnStmt)
		c := r.Results[0].(*dst.CallExpr)
		last := len(c.Args) - 1
		if isVar {
			made = ifNotNil(r, nil, dst.Clone(c.Args[last]).(dst.Expr))
			return made
		}
		init := &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(name)}, Tok: token.DEFINE, Rhs: []dst.Expr{c.Args[last]}}
		c.Args[last] = dst.NewIdent(name)
		made = ifNotNil(r, init, dst.NewIdent(name))
		return made
	})
	after := rules.Replace(list, func(old dst.Node) dst.Node {
		stmts := rules.StmtsOf(old)
		if i := slices.Index(*stmts, made); i >= 0 {
			ret := &dst.ReturnStmt{Results: []dst.Expr{dst.NewIdent("nil")}}
			ret.Decs.Before, ret.Decs.After = dst.NewLine, made.Decorations().After
			made.Decorations().After = dst.NewLine
			*stmts = slices.Insert(*stmts, i+1, dst.Stmt(ret))
		}
		return old
	})
	return []rules.Edit{guard, after}
}

// ifNotNil returns "if init; x != nil { st }", st's comments moved to the if.
func ifNotNil(st dst.Stmt, init dst.Stmt, x dst.Expr) dst.Stmt {
	n := &dst.IfStmt{Init: init, Cond: &dst.BinaryExpr{X: x, Op: token.NEQ, Y: dst.NewIdent("nil")},
		Body: &dst.BlockStmt{List: []dst.Stmt{st}}}
	n.Decs.NodeDecs = *st.Decorations()
	*st.Decorations() = dst.NodeDecs{Before: dst.NewLine, After: dst.NewLine}
	return n
}

// varOf returns the variable e names, or nil.
func varOf(p *rules.Pass, e ast.Expr) *types.Var {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return nil
	}
	v, _ := p.Info().Uses[id].(*types.Var)
	return v
}

// returnsOnlyError reports whether the function around a statement (its
// parents given) has one result, of type error.
func returnsOnlyError(p *rules.Pass, parents []ast.Node) bool {
	for _, n := range parents {
		var ft *ast.FuncType
		switch n := n.(type) {
		case *ast.FuncLit:
			ft = n.Type
		case *ast.FuncDecl:
			ft = n.Type
		default:
			continue
		}
		if ft.Results == nil || ft.Results.NumFields() != 1 {
			return false
		}
		return types.Identical(p.Info().TypeOf(ft.Results.List[0].Type), types.Universe.Lookup("error").Type())
	}
	return false
}

// cheap reports whether evaluating es has no effect and cannot panic:
// identifiers, constants, selectors, conversions, arithmetic; no calls,
// receives, indexes, dereferences or type assertions.
func cheap(p *rules.Pass, es []ast.Expr) bool {
	ok := true
	for _, e := range es {
		ast.Inspect(e, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				ok = ok && (p.Info().Types[n].Value != nil || isConversion(p, n))
			case *ast.UnaryExpr:
				ok = ok && n.Op != token.ARROW
			case *ast.FuncLit, *ast.IndexExpr, *ast.IndexListExpr, *ast.StarExpr, *ast.TypeAssertExpr, *ast.SliceExpr:
				ok = false
			}
			return ok
		})
	}
	return ok
}

func isConversion(p *rules.Pass, c *ast.CallExpr) bool {
	tv, ok := p.Info().Types[c.Fun]
	return ok && tv.IsType()
}

// freeName returns name, or name0, name1...: the first that no identifier
// in es spells.
func freeName(es []ast.Expr, name string) string {
	return rules.FreeName(&ast.CompositeLit{Elts: es}, name)
}
