package rewrite_test

import (
	"go/ast"
	"go/token"
	"strings"
	"testing"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// TestListEdits checks the list edits a Go rule can make without the
// decorated tree: two statements of one block deleted by two sites (the
// comment of the first kept), a statement inserted after another, an
// element of a composite literal deleted and one inserted, next to an edit
// inside the block; and that deleting a statement another rule edits is
// refused as an overlap.
func TestListEdits(t *testing.T) {
	src := `package p

import "io/ioutil"

func F() []string {
	// keep me
	ioutil.ReadFile("a")
	ioutil.ReadFile("b")
	ioutil.ReadFile("c")
	return []string{"x", "y", "z"}
}
`
	lists := goRule("lists", func(p *rules.Pass, call *ast.CallExpr, _ *ast.SelectorExpr) {
		stmt := p.Parents(call)[0]
		switch call.Args[0].(*ast.BasicLit).Value {
		case `"a"`, `"b"`:
			p.Rewrite(call.Pos(), rules.Delete(stmt))
		case `"c"`:
			fn := call.Fun.(*ast.SelectorExpr).Sel
			p.Rewrite(call.Pos(), p.ReplaceUse(fn, "os", fn.Name), rules.InsertAfter(stmt, func() dst.Node {
				return &dst.ExprStmt{X: &dst.CallExpr{Fun: dst.NewIdent("println"), Args: []dst.Expr{&dst.BasicLit{Kind: token.STRING, Value: `"after"`}}}}
			}))
			ret := p.Parents(stmt)[0].(*ast.BlockStmt).List[3].(*ast.ReturnStmt)
			lit := ret.Results[0].(*ast.CompositeLit)
			p.Rewrite(lit.Pos(), rules.Delete(lit.Elts[0]), rules.InsertAfter(lit.Elts[2], func() dst.Node {
				return &dst.BasicLit{Kind: token.STRING, Value: `"w"`}
			}))
		}
	})
	res, err := runGoRules(t, map[string]string{"a.go": src}, lists)
	if err != nil {
		t.Fatal(err)
	}
	want := `func F() []string {
	// keep me
	os.ReadFile("c")
	println("after")
	return []string{"y", "z", "w"}
}
`
	if len(res.Files) != 1 || !strings.HasSuffix(string(res.Files[0].New), want) {
		t.Fatalf("want the file to end with\n%s\ngot %v", want, res.Files)
	}
	// Another rule's edit inside a deleted statement is lost: refused.
	_, err = runGoRules(t, map[string]string{"a.go": src}, toOS, lists)
	if err == nil || !strings.Contains(err.Error(), "edits overlap: the edit of rule t/lists at a.go:7:2 replaces code that rule t/to-os changes at a.go:7:2") {
		t.Errorf("Run = %v; want the overlap refused", err)
	}
}

// TestListEditOfNonListRefused checks that deleting a node that stands in
// no list is an error of the rule, naming it, and writes nothing.
func TestListEditOfNonListRefused(t *testing.T) {
	bad := goRule("bad", func(p *rules.Pass, call *ast.CallExpr, _ *ast.SelectorExpr) {
		p.Rewrite(call.Pos(), rules.Delete(call.Args[0]))
	})
	_, err := runGoRules(t, map[string]string{"a.go": readFile}, bad)
	if err == nil || !strings.Contains(err.Error(), "rule t/bad") || !strings.Contains(err.Error(), "cannot be deleted or followed") {
		t.Errorf("Run = %v; want an error naming the rule and the edit", err)
	}
}
