package rules

import "go/ast"

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
