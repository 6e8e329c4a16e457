package rewrite_test

import (
	"go/ast"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// addHelper adds a package "helper" to the module at each ioutil call, and
// makes the call helper.ReadFile: the import of a package that only the
// rule's new file declares.
func addHelper(name, content string) *rules.GoRule {
	return goRule(name, func(p *rules.Pass, call *ast.CallExpr, fn *ast.SelectorExpr) {
		q := p.Qualifier(p.Module()+"/internal/helper", fn.Pos())
		p.Add(rules.Site{Pos: fn.Pos(), Files: []rules.NewFile{{Path: "internal/helper/helper.go", Data: []byte(content)}},
			Edits: []rules.Edit{{Node: fn, Unuse: []*ast.Ident{fn.X.(*ast.Ident)}, New: func(dst.Node) dst.Node {
				return &dst.SelectorExpr{X: q, Sel: dst.NewIdent("ReadFile")}
			}}}})
	})
}

const helperSrc = "package helper\n\nimport \"os\"\n\n// ReadFile reads a file.\nfunc ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }\n"

// TestRuleAddsFile checks that a file a site names is a change with no Old
// (created once for two sites), that the edit can import its package, and
// that the run's check type-checks the result with the new package.
func TestRuleAddsFile(t *testing.T) {
	src := readFile + "\nfunc G() ([]byte, error) { return ioutil.ReadFile(\"b\") }\n"
	res, err := runGoRules(t, map[string]string{"p.go": src}, addHelper("add-helper", helperSrc))
	if err != nil {
		t.Fatal(err)
	}
	var created, changed int
	for _, f := range res.Files {
		switch {
		case f.Rel == filepath.FromSlash("internal/helper/helper.go") && f.Old == nil && string(f.New) == helperSrc:
			created++
		case f.Rel == "p.go" && strings.Contains(string(f.New), `"example.com/p/internal/helper"`) && strings.Count(string(f.New), "helper.ReadFile") == 2:
			changed++
		default:
			t.Errorf("unexpected change of %s (Old nil: %v):\n%s", f.Rel, f.Old == nil, f.New)
		}
	}
	if created != 1 || changed != 1 {
		t.Errorf("created %d, changed %d files; want 1 and 1", created, changed)
	}
}

// TestRuleAddsExistingFile checks that a file that exists is left alone:
// nothing when it holds the rule's content, a warning when it differs.
func TestRuleAddsExistingFile(t *testing.T) {
	for _, tc := range []struct{ existing, warning string }{
		{helperSrc, ""},
		{helperSrc + "\n// edited\n", "file exists and differs"},
	} {
		res, err := runGoRules(t, map[string]string{"p.go": readFile, "internal/helper/helper.go": tc.existing}, addHelper("add-helper", helperSrc))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range res.Files {
			if f.Old == nil {
				t.Errorf("existing file %s created again", f.Rel)
			}
		}
		var got string
		for _, f := range res.Findings {
			got += f.String() + "\n"
		}
		if (tc.warning == "") != (got == "") || !strings.Contains(got, tc.warning) {
			t.Errorf("findings = %q, want %q", got, tc.warning)
		}
	}
}

// TestRulesAddFileTwice checks that two rules adding one path with
// different contents stop the run.
func TestRulesAddFileTwice(t *testing.T) {
	_, err := runGoRules(t, map[string]string{"p.go": readFile}, addHelper("a", helperSrc), addHelper("b", helperSrc+"// other\n"))
	if err == nil || !strings.Contains(err.Error(), "with different contents") {
		t.Fatalf("err = %v, want one about different contents", err)
	}
}
