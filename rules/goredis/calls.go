package goredis

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// xtrimApprox renames XTrimApprox(ctx, key, n) to XTrimMaxLenApprox(ctx,
// key, n, 0): v9 takes a LIMIT too, 0 for none.
type xtrimApprox struct{ base }

func newXTrimApprox(b base) rules.Rule { return &xtrimApprox{b.with(6, 7, 8)} }

func (r *xtrimApprox) Apply(f rules.File) error {
	eachCall(f, func(call *ast.CallExpr, fn *types.Func, _ int) {
		if fn.Name() != "XTrimApprox" || !isMethodOf(fn, fn.Name(), clientTypes...) || f.Ignored(r, call.Pos()) {
			return
		}
		renameCallee(f, call, "XTrimMaxLenApprox")
		f.Replace(call, func(old dst.Node) dst.Node {
			c := old.(*dst.CallExpr)
			c.Args = append(c.Args, &dst.BasicLit{Kind: token.INT, Value: "0"})
			return c
		})
		f.Rewrote(r, call.Pos())
	})
	return nil
}

// renameCallee renames the method a call selects.
func renameCallee(f rules.File, call *ast.CallExpr, name string) {
	sel := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	f.Dst(sel.Sel).(*dst.Ident).Name = name
}

// pipelineClose deletes the statements "p.Close()" and "defer p.Close()"
// of a Pipeline or Pipeliner: v9 has no Pipeline.Close, which only
// discarded the queued commands. A Close whose result is used is reported.
type pipelineClose struct{ base }

func newPipelineClose(b base) rules.Rule { return &pipelineClose{b.with(6, 7, 8)} }

func (r *pipelineClose) Apply(f rules.File) error {
	eachCall(f, func(call *ast.CallExpr, fn *types.Func, _ int) {
		if fn.Name() != "Close" || !isMethodOf(fn, "Close", "Pipeline", "Pipeliner") || f.Ignored(r, call.Pos()) {
			return
		}
		stmt, list := closeStmt(f, call)
		if stmt == nil {
			f.Report(r, call.Pos(), "Pipeline.Close is gone in v9 (it only discarded the queued commands): drop it, or call Discard()", true)
			return
		}
		deleteStmt(f, list, stmt)
		f.Rewrote(r, call.Pos())
	})
	return nil
}

// closeStmt returns the statement "x.Close()" or "defer x.Close()" that
// call makes up, and the block or clause it stands in.
func closeStmt(f rules.File, call *ast.CallExpr) (ast.Stmt, ast.Node) {
	parents := f.Parents(call)
	if len(parents) < 2 {
		return nil, nil
	}
	var stmt ast.Stmt
	switch p := parents[0].(type) {
	case *ast.ExprStmt:
		stmt = p
	case *ast.DeferStmt:
		stmt = p
	default:
		return nil, nil
	}
	switch parents[1].(type) {
	case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
		return stmt, parents[1]
	}
	return nil, nil
}

// deleteStmt removes stmt from the statement list of block, giving its
// comments to the statement that follows (or, if it was the last, to the
// one before).
func deleteStmt(f rules.File, block ast.Node, stmt ast.Stmt) {
	target := f.Dst(stmt)
	f.Replace(block, func(old dst.Node) dst.Node {
		list := stmtList(old)
		for i, s := range *list {
			if s != target {
				continue
			}
			switch {
			case i+1 < len(*list):
				next := (*list)[i+1].Decorations()
				next.Start = append(s.Decorations().Start, next.Start...)
				if s.Decorations().Before == dst.EmptyLine {
					next.Before = dst.EmptyLine
				}
			case i > 0: // the last statement: its comments follow the one before
				prev := (*list)[i-1].Decorations()
				prev.End.Append("\n")
				for _, c := range append(s.Decorations().Start.All(), s.Decorations().End.All()...) {
					if c != "\n" {
						prev.End.Append(c)
					}
				}
			}
			*list = append((*list)[:i], (*list)[i+1:]...)
			break
		}
		return old
	})
}

func stmtList(n dst.Node) *[]dst.Stmt {
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
