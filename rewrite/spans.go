package rewrite

import (
	"go/ast"
	"go/token"

	"golang.org/x/tools/go/ast/astutil"
)

// span is a stretch of a file's original lines where a rule edited the
// file or reported a site for a person: what the check of the rewrite
// holds type errors against.
type span struct {
	rule        string         // SET/ID
	pos         token.Position // where the rule acted, relative to the module root
	first, last int            // the original lines it covers
}

// fileSpans are the spans of one file, with its package.
type fileSpans struct {
	pkg             string // import path
	edits, reported []span
}

// span returns the span of rule acting at pos over [from, to].
func (f *fileCtx) span(rule string, pos, from, to token.Pos) span {
	return span{rule: rule, pos: f.position(pos), first: f.Fset().Position(from).Line, last: f.Fset().Position(to).Line}
}

// fileSpans returns the file's spans, or nil if it has none.
func (f *fileCtx) fileSpans() *fileSpans {
	if len(f.editSpans) == 0 && len(f.reported) == 0 {
		return nil
	}
	return &fileSpans{pkg: f.tf.pkgPath, edits: f.editSpans, reported: f.reported}
}

// siteSpan returns the part of the file that a site at pos stands for
// (see siteNode).
func (f *fileCtx) siteSpan(pos token.Pos) (token.Pos, token.Pos) {
	path, _ := astutil.PathEnclosingInterval(f.tf.syntax, pos, pos)
	if n, from, to := siteNode(path); n != nil {
		return from, to
	}
	return pos, pos
}

// siteNode returns the innermost statement, declaration, spec or field of
// path (a node and its parents, innermost first), and the part of it that
// a site within stands for: the whole, or of a compound statement or a
// function, only its header.
func siteNode(path []ast.Node) (ast.Node, token.Pos, token.Pos) {
	for _, n := range path {
		if from, to, ok := header(n); ok {
			return n, from, to
		}
		switch n.(type) {
		case *ast.BlockStmt, *ast.LabeledStmt:
			continue
		case ast.Stmt, ast.Spec, ast.Decl, *ast.Field:
			return n, n.Pos(), n.End()
		}
	}
	return nil, 0, 0
}

// header returns the span of a compound statement's or a function's
// header: up to the opening brace of its body.
func header(n ast.Node) (token.Pos, token.Pos, bool) {
	switch n := n.(type) {
	case *ast.IfStmt:
		return n.Pos(), n.Body.Lbrace, true
	case *ast.ForStmt:
		return n.Pos(), n.Body.Lbrace, true
	case *ast.RangeStmt:
		return n.Pos(), n.Body.Lbrace, true
	case *ast.SwitchStmt:
		return n.Pos(), n.Body.Lbrace, true
	case *ast.TypeSwitchStmt:
		return n.Pos(), n.Body.Lbrace, true
	case *ast.SelectStmt:
		return n.Pos(), n.Body.Lbrace, true
	case *ast.CaseClause:
		return n.Pos(), n.Colon, true
	case *ast.CommClause:
		return n.Pos(), n.Colon, true
	case *ast.FuncDecl:
		return n.Pos(), n.Type.End(), true
	}
	return 0, 0, false
}
