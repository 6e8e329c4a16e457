package rewrite_test

import (
	"context"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rewrite"
	"github.com/migrate-tool/migrate/rules"
)

// runGoRules runs the Go rules, each named in a rule set "t" under its own
// name as id, on a module made of files.
func runGoRules(t *testing.T, files map[string]string, rs ...*rules.GoRule) (*rewrite.Result, error) {
	t.Helper()
	if err := rules.Validate(rs...); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files["go.mod"] = "module example.com/p\n\ngo 1.21\n"
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	yaml := "name: t\npackages: {ioutil: io/ioutil}\nrules:\n"
	for _, r := range rs {
		yaml += "  - {id: " + r.Name + ", go: " + r.Name + "}\n"
	}
	set, err := rules.Parse([]byte(yaml), "t.yaml", rules.Table(rs...))
	if err != nil {
		t.Fatal(err)
	}
	return rewrite.Run(context.Background(), rewrite.Options{Dir: dir, Sets: []*rules.Set{set}, Env: goEnv(), Workers: 2})
}

// goRule returns a Go rule on io/ioutil that runs run on every call of an
// ioutil function.
func goRule(name string, run func(p *rules.Pass, call *ast.CallExpr, fn *ast.SelectorExpr)) *rules.GoRule {
	return &rules.GoRule{Name: name, Doc: "test rule " + name, Paths: []string{"io/ioutil"}, ImportersOnly: true,
		NewPaths: []string{"io", "os"},
		Run: func(p *rules.Pass) error {
			ast.Inspect(p.AST(), func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					if sel, ok := call.Fun.(*ast.SelectorExpr); ok && isIoutil(p.Info().Uses[sel.Sel]) {
						run(p, call, sel)
					}
				}
				return true
			})
			return nil
		}}
}

// toOS renames the function of each ioutil call to its os namesake.
var toOS = goRule("to-os", func(p *rules.Pass, _ *ast.CallExpr, fn *ast.SelectorExpr) {
	p.Rewrite(fn.Sel.Pos(), p.ReplaceUse(fn.Sel, "os", fn.Sel.Name))
})

const readFile = `package p

import "io/ioutil"

func F() ([]byte, error) { return ioutil.ReadFile("a") }
`

// TestOverlappingEditsRefused checks that an edit that replaces a node
// without keeping another rule's edit inside it stops the run with an
// error naming both rules.
func TestOverlappingEditsRefused(t *testing.T) {
	fresh := goRule("fresh-call", func(p *rules.Pass, call *ast.CallExpr, _ *ast.SelectorExpr) {
		p.Rewrite(call.Pos(), rules.Edit{Node: call, New: func(dst.Node) dst.Node {
			return &dst.CallExpr{Fun: dst.NewIdent("load"), Args: []dst.Expr{&dst.BasicLit{Kind: token.STRING, Value: `"b"`}}}
		}})
	})
	res, err := runGoRules(t, map[string]string{"a.go": readFile}, toOS, fresh)
	if err == nil {
		t.Fatalf("Run succeeded with %d changed files; want an overlap error", len(res.Files))
	}
	for _, want := range []string{"edits overlap", "rule t/fresh-call at a.go:5:35", "rule t/to-os changes at a.go:5:35", "bug in the rule set"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// TestNestedAndSameNodeEditsCompose checks the edits that do not overlap:
// an edit of a node around another that keeps its inside, and two edits of
// one node, composed in rule order.
func TestNestedAndSameNodeEditsCompose(t *testing.T) {
	arg := func(name, lit string) *rules.GoRule {
		return goRule(name, func(p *rules.Pass, call *ast.CallExpr, _ *ast.SelectorExpr) {
			p.Rewrite(call.Pos(), rules.Edit{Node: call, New: func(old dst.Node) dst.Node {
				c := old.(*dst.CallExpr) // the output must compile: extend the argument
				c.Args[0] = &dst.BinaryExpr{X: c.Args[0], Op: token.ADD, Y: &dst.BasicLit{Kind: token.STRING, Value: lit}}
				return c
			}})
		})
	}
	res, err := runGoRules(t, map[string]string{"a.go": readFile}, toOS, arg("arg-x", `"x"`), arg("arg-y", `"y"`))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 || !strings.Contains(string(res.Files[0].New), `os.ReadFile("a" + "x" + "y")`) {
		t.Fatalf("want one file calling os.ReadFile(\"a\" + \"x\" + \"y\"), got %v", res.Files)
	}
	if got := res.Sites; got["t/to-os"] != 1 || got["t/arg-x"] != 1 || got["t/arg-y"] != 1 {
		t.Errorf("Sites = %v, want one per rule", got)
	}
}

// TestGoRuleSitesFilteredAndCounted checks what the engine does for every
// Go rule: a site on a //migrate:ignore line is dropped whole (its edits,
// its finding, the import its qualifier would add) and listed as ignored
// once; the others are counted once each and reported.
func TestGoRuleSitesFilteredAndCounted(t *testing.T) {
	src := `package p

import "io/ioutil"

func F() {
	ioutil.ReadAll(nil)
	//migrate:ignore t kept for the old toolchain
	ioutil.ReadFile("a")
	ioutil.ReadAll(nil) //migrate:ignore other another set's
}
`
	rule := goRule("to-new", func(p *rules.Pass, call *ast.CallExpr, fn *ast.SelectorExpr) {
		path := map[string]string{"ReadAll": "io", "ReadFile": "os"}[fn.Sel.Name]
		p.Add(rules.Site{Pos: fn.Sel.Pos(), Edits: []rules.Edit{p.ReplaceUse(fn.Sel, path, fn.Sel.Name)}, Message: "check " + fn.Sel.Name})
		p.Report(fn.Sel.Pos(), "second note on "+fn.Sel.Name, true)
	})
	res, err := runGoRules(t, map[string]string{"a.go": src}, rule)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sites["t/to-new"] != 2 || len(res.Uses) != 2 || res.Files[0].Sites != 2 {
		t.Errorf("Sites = %v, %d uses, %d in the file; want 2 sites, counted once each", res.Sites, len(res.Uses), res.Files[0].Sites)
	}
	got := string(res.Files[0].New)
	for _, want := range []string{"\"io\"\n", "\tio.ReadAll(nil)\n", "\tioutil.ReadFile(\"a\")\n", "io.ReadAll(nil) //migrate:ignore other", "// TODO(migrate): second note on ReadAll\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, `"os"`) || strings.Contains(got, "ReadFile\n") {
		t.Errorf("the ignored site left a trace (an import of os, or a TODO):\n%s", got)
	}
	var kinds []string
	for _, f := range res.Findings {
		kinds = append(kinds, string(f.Kind)+"@"+strings.TrimPrefix(f.String(), "a.go:"))
	}
	want := []string{
		"manual@6:9: check ReadAll (t/to-new)", "manual@6:9: second note on ReadAll (t/to-new)",
		"ignored@8:9: left as is by //migrate:ignore: kept for the old toolchain (t/to-new)",
		"manual@9:9: check ReadAll (t/to-new)", "manual@9:9: second note on ReadAll (t/to-new)",
	}
	if strings.Join(kinds, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(kinds, "\n"), strings.Join(want, "\n"))
	}
}

// TestFactsOncePerPackage checks that a fact is computed once per package,
// however many files and rules ask for it, and that a rule may only ask
// for the facts it requires.
func TestFactsOncePerPackage(t *testing.T) {
	var computed atomic.Int32
	fact := &rules.Fact{Name: "files", Doc: "the number of files of the package", Compute: func(p *rules.Package) (any, error) {
		computed.Add(1)
		return len(p.Syntax), nil
	}}
	var seen atomic.Int32
	uses := func(name string) *rules.GoRule {
		r := goRule(name, func(p *rules.Pass, _ *ast.CallExpr, _ *ast.SelectorExpr) {
			seen.Add(int32(p.Fact(fact).(int)))
		})
		r.Requires = []*rules.Fact{fact}
		return r
	}
	files := map[string]string{"a.go": readFile, "b.go": strings.ReplaceAll(readFile, "F()", "G()"), "q/q.go": strings.ReplaceAll(readFile, "package p", "package q")}
	if _, err := runGoRules(t, files, uses("one"), uses("two")); err != nil {
		t.Fatal(err)
	}
	// Package p has two files, q one: each of the two rules sees 2+2+1.
	if computed.Load() != 2 || seen.Load() != 10 {
		t.Errorf("fact computed %d times and summed to %d; want once per package (2), and 10", computed.Load(), seen.Load())
	}

	undeclared := goRule("undeclared", func(p *rules.Pass, _ *ast.CallExpr, _ *ast.SelectorExpr) { p.Fact(fact) })
	_, err := runGoRules(t, map[string]string{"a.go": readFile}, undeclared)
	if err == nil || !strings.Contains(err.Error(), "rule t/undeclared") || !strings.Contains(err.Error(), "does not list in Requires") {
		t.Errorf("Run = %v; want an error naming the rule and its missing Requires", err)
	}
}

// TestImportMovedTwiceRefused checks that two rules moving one import to
// different paths stop the run, naming both.
func TestImportMovedTwiceRefused(t *testing.T) {
	move := func(name, to string) *rules.GoRule {
		return &rules.GoRule{Name: name, Doc: "moves io/ioutil", Paths: []string{"io/ioutil"}, ImportersOnly: true,
			Run: func(p *rules.Pass) error {
				for _, spec := range p.AST().Imports {
					p.Rewrite(spec.Pos(), rules.SetImportPath(spec, to, "ioutil"))
				}
				return nil
			}}
	}
	_, err := runGoRules(t, map[string]string{"a.go": readFile}, move("to-a", "example.com/a"), move("to-b", "example.com/b"))
	if err == nil || !strings.Contains(err.Error(), "rules t/to-a and t/to-b move the import at a.go:3:8 to different paths") {
		t.Errorf("Run = %v; want an error naming both rules", err)
	}
}

func isIoutil(obj types.Object) bool {
	return obj != nil && obj.Pkg() != nil && obj.Pkg().Path() == "io/ioutil"
}
