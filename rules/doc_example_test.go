package rules_test

// The rule of the package doc, kept identical to it by TestDocRule.

import (
	"go/ast"
	"go/token"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

var BytesEqual = &rules.GoRule{
	Name:          "bytes-equal",
	Doc:           "bytes.Compare(a, b) == 0 becomes bytes.Equal(a, b), and != 0 !bytes.Equal(a, b)",
	Paths:         []string{"bytes"},
	ImportersOnly: true, // package bytes has no types that reach a non-importer
	Run:           runBytesEqual,
}

var compare = rules.NewMatcher(rules.Ref{Paths: []string{"bytes"}, Pkg: "bytes", Name: "Compare"})

func runBytesEqual(p *rules.Pass) error {
	for _, u := range p.UsesOf(compare) {
		parents := p.Parents(u.Ident) // bytes.Compare, its call, what encloses the call
		if len(parents) < 3 {
			continue
		}
		call, _ := parents[1].(*ast.CallExpr)
		cmp, _ := parents[2].(*ast.BinaryExpr)
		if call == nil || call.Fun != parents[0] || cmp == nil || cmp.X != call ||
			!isZero(cmp.Y) || cmp.Op != token.EQL && cmp.Op != token.NEQ {
			continue
		}
		// Two edits, one inside the other: the outer keeps the inner's
		// result (the call, with Compare renamed) as its X.
		p.Rewrite(cmp.Pos(), rules.Rename(u.Ident, "Equal"), rules.Edit{Node: cmp, New: func(old dst.Node) dst.Node {
			x := old.(*dst.BinaryExpr).X
			if cmp.Op == token.NEQ {
				return &dst.UnaryExpr{Op: token.NOT, X: x}
			}
			return x
		}})
	}
	return nil
}

func isZero(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	return ok && lit.Value == "0"
}
