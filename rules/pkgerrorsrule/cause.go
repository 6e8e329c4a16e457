package pkgerrorsrule

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"
	"github.com/migrate-tool/migrate/rules"
)

// Cause moves the comparisons of errors.Cause to errors.Is and reports
// every other use of Cause. Is matches at any depth and through Is
// methods, so it finds what Cause found and more; Cause follows Cause()
// methods only, which the errors of fmt.Errorf do not have, so a Cause
// left in place stops early once the Wrap sites move.
var Cause = &rules.GoRule{
	Name: "pkg-errors-cause",
	Doc: "errors.Cause(err) == X becomes errors.Is(err, X), != X !errors.Is(err, X), switch errors.Cause(err) " +
		"{ case X: } switch { case errors.Is(err, X): }; a type assertion or type switch on Cause is reported " +
		"for errors.As, every other Cause reported",
	Paths:         []string{pkgPath},
	ImportersOnly: true,
	NewPaths:      []string{"errors"},
	Requires:      []*rules.Fact{Sentinels},
	Run:           runCause,
}

var causeFunc = rules.Funcs([]string{pkgPath}, "Cause")

func runCause(p *rules.Pass) error {
	for _, u := range p.UsesOf(causeFunc) {
		call := rules.CallOf(p, u.Ident)
		if call == nil || len(call.Args) != 1 {
			continue // a function value: the rule set's func-values rules report it
		}
		if cmp, other := comparison(p, call); cmp != nil {
			p.Rewrite(call.Pos(), isEdit(p, cmp, other, u))
			continue
		}
		if sw := causeSwitch(p, call); sw != nil {
			p.Rewrite(call.Pos(), switchEdit(p, sw, u))
			continue
		}
		p.Report(call.Pos(), causeMessage(p, call), true)
	}
	return nil
}

// comparison returns the comparison call == X or call != X (either way
// round) that errors.Is can make, and X; X must be an error, not nil.
func comparison(p *rules.Pass, call *ast.CallExpr) (*ast.BinaryExpr, ast.Expr) {
	var child ast.Node = call
	for _, n := range p.Parents(call) {
		if par, ok := n.(*ast.ParenExpr); ok {
			child = par
			continue
		}
		b, ok := n.(*ast.BinaryExpr)
		if !ok || b.Op != token.EQL && b.Op != token.NEQ {
			return nil, nil
		}
		other := b.Y
		if b.Y == child {
			other = b.X
		}
		errType := types.Universe.Lookup("error").Type()
		if isNil(p, other) || !types.AssignableTo(p.Info().TypeOf(other), errType) {
			return nil, nil
		}
		return b, other
	}
	return nil, nil
}

// isQualifier returns how the replacement of a Cause names Is: the standard
// library's errors (imported by the engine, at pos), or pkg/errors' Is
// (the same function) in a file that keeps pkg/errors, so that the file
// keeps one import named errors. It also returns what the edit Unuses.
func isQualifier(p *rules.Pass, cause rules.Use) (func(pos token.Pos) *dst.Ident, []*ast.Ident) {
	qual := qualifierOf(p, cause.Ident)
	if keepsPkg(p) && cause.Obj.Pkg().Scope().Lookup("Is") != nil && qual != cause.Ident {
		// pkg/errors v0.9 and later have Is
		return func(token.Pos) *dst.Ident { return dst.NewIdent(qual.Name) }, nil
	}
	return func(pos token.Pos) *dst.Ident { return p.Qualifier("errors", pos) }, []*ast.Ident{qual}
}

// isEdit replaces cmp by errors.Is(err, X), negated for !=.
func isEdit(p *rules.Pass, cmp *ast.BinaryExpr, other ast.Expr, cause rules.Use) rules.Edit {
	qualify, unuse := isQualifier(p, cause)
	q := qualify(cmp.Pos())
	causeOnLeft := cmp.Y == other
	return rules.Edit{Node: cmp, Unuse: unuse, New: func(old dst.Node) dst.Node {
		b := old.(*dst.BinaryExpr)
		cause, x := b.X, b.Y
		if !causeOnLeft {
			cause, x = b.Y, b.X
		}
		for {
			par, ok := cause.(*dst.ParenExpr)
			if !ok {
				break
			}
			cause = par.X
		}
		var n dst.Expr = &dst.CallExpr{Fun: &dst.SelectorExpr{X: q, Sel: dst.NewIdent("Is")},
			Args: []dst.Expr{cause.(*dst.CallExpr).Args[0], x}}
		if cmp.Op == token.NEQ {
			n = &dst.UnaryExpr{Op: token.NOT, X: n}
		}
		*n.Decorations() = b.Decs.NodeDecs
		return n
	}}
}

// causeSwitch returns the switch whose tag is call, Cause(v) of a
// variable, when each case is an error other than nil: errors.Is can
// test each case. Else nil.
func causeSwitch(p *rules.Pass, call *ast.CallExpr) *ast.SwitchStmt {
	sw, ok := p.Parents(call)[0].(*ast.SwitchStmt)
	if !ok || sw.Tag != call || varOf(p, call.Args[0]) == nil {
		return nil
	}
	errType := types.Universe.Lookup("error").Type()
	for _, c := range sw.Body.List {
		for _, e := range c.(*ast.CaseClause).List {
			if isNil(p, e) || !types.AssignableTo(p.Info().TypeOf(e), errType) {
				return nil
			}
		}
	}
	return sw
}

// switchEdit makes "switch Cause(v) { case X, Y: }" "switch { case
// errors.Is(v, X), errors.Is(v, Y): }".
func switchEdit(p *rules.Pass, sw *ast.SwitchStmt, cause rules.Use) rules.Edit {
	qualify, unuse := isQualifier(p, cause)
	var quals [][]*dst.Ident
	for _, c := range sw.Body.List {
		var qs []*dst.Ident
		for _, e := range c.(*ast.CaseClause).List {
			qs = append(qs, qualify(e.Pos()))
		}
		quals = append(quals, qs)
	}
	return rules.Edit{Node: sw, Unuse: unuse, New: func(old dst.Node) dst.Node {
		s := old.(*dst.SwitchStmt)
		v := s.Tag.(*dst.CallExpr).Args[0]
		s.Tag = nil
		for i, c := range s.Body.List {
			cc := c.(*dst.CaseClause)
			for j, e := range cc.List {
				cc.List[j] = &dst.CallExpr{Fun: &dst.SelectorExpr{X: quals[i][j], Sel: dst.NewIdent("Is")},
					Args: []dst.Expr{dst.Clone(v).(dst.Expr), e}}
			}
		}
		return s
	}}
}

// causeMessage says what to do with a Cause that is not compared.
func causeMessage(p *rules.Pass, call *ast.CallExpr) string {
	const why = "errors.Cause left as is: it follows Cause() methods only, which fmt.Errorf's errors do not have"
	switch par := p.Parents(call)[0].(type) {
	case *ast.TypeAssertExpr:
		return why + "; use As (package errors) with a variable of the asserted type, and handle a nil error"
	case *ast.SwitchStmt:
		if par.Tag == call {
			return why + "; write a tagless switch with Is(err, X) (package errors) in each case, and handle nil"
		}
	}
	return why + "; use Is or As (package errors) on the error itself, or Unwrap in a loop where the innermost error is needed"
}
