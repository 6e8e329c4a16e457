package goredis

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// XTrimApprox renames XTrimApprox(ctx, key, n) to XTrimMaxLenApprox(ctx,
// key, n, 0): v9 takes a LIMIT too, 0 for none.
var XTrimApprox = rule("xtrim-approx", "XTrimApprox(ctx, key, n) becomes XTrimMaxLenApprox(ctx, key, n, 0)", v678, runXTrimApprox)

var xtrimApprox = rules.Members(v678, clientTypes, "XTrimApprox")

func runXTrimApprox(p *rules.Pass) error {
	eachCall(p, xtrimApprox, func(call *ast.CallExpr, _ *types.Func, _ int) {
		p.Rewrite(call.Pos(), renameCallee(call, "XTrimMaxLenApprox"), rules.Replace(call, func(old dst.Node) dst.Node {
			c := old.(*dst.CallExpr)
			c.Args = append(c.Args, &dst.BasicLit{Kind: token.INT, Value: "0"})
			return c
		}))
	})
	return nil
}

// renameCallee returns the edit that renames the method a call selects.
func renameCallee(call *ast.CallExpr, name string) rules.Edit {
	return rules.Rename(ast.Unparen(call.Fun).(*ast.SelectorExpr).Sel, name)
}

// PipelineClose deletes the statements "p.Close()" and "defer p.Close()"
// of a Pipeline or Pipeliner: v9 has no Pipeline.Close, which only
// discarded the queued commands. A Close whose result is used is reported.
var PipelineClose = rule("pipeline-close", "the statements p.Close() and defer p.Close() of a pipeline are deleted; other uses are reported", v678, runPipelineClose)

var pipelineClose = rules.Members(v678, []string{"Pipeline", "Pipeliner"}, "Close")

func runPipelineClose(p *rules.Pass) error {
	eachCall(p, pipelineClose, func(call *ast.CallExpr, _ *types.Func, _ int) {
		if stmt := closeStmt(p, call); stmt != nil {
			p.Rewrite(call.Pos(), rules.Delete(stmt))
			return
		}
		p.Report(call.Pos(), "Pipeline.Close is gone in v9 (it only discarded the queued commands): drop it, or call Discard()", true)
	})
	return nil
}

// closeStmt returns the statement "x.Close()" or "defer x.Close()" that
// call makes up, when it stands in a block or clause; else nil.
func closeStmt(p *rules.Pass, call *ast.CallExpr) ast.Stmt {
	parents := p.Parents(call)
	if len(parents) < 2 || !rules.IsStmtList(parents[1]) {
		return nil
	}
	switch s := parents[0].(type) {
	case *ast.ExprStmt:
		return s
	case *ast.DeferStmt:
		return s
	}
	return nil
}
