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
	Doc: "errors.Cause(err) == X becomes errors.Is(err, X), != X !errors.Is(err, X); a type assertion or " +
		"type switch on Cause is reported for errors.As, every other Cause reported",
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

// isEdit replaces cmp by errors.Is(err, X), negated for !=: the standard
// library's, or pkg/errors' Is (the same function) in a file that keeps
// pkg/errors, so that the file keeps one import named errors.
func isEdit(p *rules.Pass, cmp *ast.BinaryExpr, other ast.Expr, cause rules.Use) rules.Edit {
	qual := qualifierOf(p, cause.Ident)
	var q *dst.Ident
	unuse := []*ast.Ident{qual}
	if keepsPkg(p) && cause.Obj.Pkg().Scope().Lookup("Is") != nil && qual != cause.Ident {
		q, unuse = dst.NewIdent(qual.Name), nil // pkg/errors v0.9 and later have Is
	} else {
		q = p.Qualifier("errors", cmp.Pos())
	}
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

// causeMessage says what to do with a Cause that is not compared.
func causeMessage(p *rules.Pass, call *ast.CallExpr) string {
	const why = "errors.Cause left as is: it follows Cause() methods only, which fmt.Errorf's errors do not have"
	switch par := p.Parents(call)[0].(type) {
	case *ast.TypeAssertExpr:
		return why + "; use As (package errors) with a variable of the asserted type, and handle a nil error"
	case *ast.SwitchStmt:
		if par.Tag == call {
			return why + "; write a tagless switch with Is(err, X) (package errors) in each case"
		}
	}
	return why + "; use Is or As (package errors) on the error itself, or Unwrap in a loop where the innermost error is needed"
}
