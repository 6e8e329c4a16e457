package rules

import (
	"go/ast"
	"strconv"

	"github.com/dave/dst"
)

// CallOf returns the call whose function id names ("f(...)", "x.f(...)",
// "(x.f)(...)"), or nil when id is used otherwise (a method value, say).
func CallOf(v View, id *ast.Ident) *ast.CallExpr {
	var child ast.Node = id
	for _, p := range v.Parents(id) {
		switch p := p.(type) {
		case *ast.SelectorExpr:
			if p.Sel != child {
				return nil
			}
		case *ast.ParenExpr:
		case *ast.CallExpr:
			if p.Fun != child {
				return nil
			}
			return p
		default:
			return nil
		}
		child = p
	}
	return nil
}

// FreeName returns name, or name0, name1, ...: the first that no
// identifier inside n spells. A parameter of that name added to a function
// literal n then hides nothing its body uses and collides with nothing it
// declares.
func FreeName(n ast.Node, name string) string {
	taken := map[string]bool{}
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			taken[id.Name] = true
		}
		return true
	})
	for i, try := 0, name; ; i++ {
		if !taken[try] {
			return try
		}
		try = name + strconv.Itoa(i)
	}
}

// StmtsOf returns the statement list of a block or of a case or select
// clause (an empty one for any other node), for edits that add or remove
// statements.
func StmtsOf(n dst.Node) *[]dst.Stmt {
	switch n := n.(type) {
	case *dst.BlockStmt:
		return &n.List
	case *dst.CaseClause:
		return &n.Body
	case *dst.CommClause:
		return &n.Body
	}
	return new([]dst.Stmt)
}
