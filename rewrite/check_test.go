package rewrite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/migrate-tool/migrate/rewrite"
	"github.com/migrate-tool/migrate/rules"
)

// checkModule writes an app module beside an old and a new library
// (wired in with replace), with the given files in the app, and returns
// the app's directory and the rule set parsed from ruleFile.
func checkModule(t *testing.T, ruleFile string, app map[string]string) (string, []*rules.Set) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"old/go.mod": "module example.com/old\n\ngo 1.21\n",
		"old/old.go": "package old\n\nvar V = 1\n\nfunc Get(k, v string) string { return k + v }\n",
		"new/go.mod": "module example.com/new\n\ngo 1.21\n",
		"new/new.go": "package new\n\nvar V = \"one\"\n\nfunc Get(k, v string) string { return k + v }\n",
		"app/go.mod": "module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/new v1.0.0\n\texample.com/old v1.0.0\n)\n\n" +
			"replace example.com/old => ../old\n\nreplace example.com/new => ../new\n",
	}
	for name, data := range app {
		files["app/"+name] = data
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := rules.Parse([]byte("name: mine\npackages:\n  old: example.com/old\n  new: example.com/new\nrules:\n"+ruleFile), "rules.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "app"), []*rules.Set{set}
}

func runCheck(t *testing.T, dir string, sets []*rules.Set) (*rewrite.Result, error) {
	t.Helper()
	return rewrite.Run(context.Background(), rewrite.Options{Dir: dir, Sets: sets, Env: goEnv()})
}

// TestCheckBreak: a call template that drops an argument is a break at
// the site its rule rewrote.
func TestCheckBreak(t *testing.T) {
	dir, sets := checkModule(t, "  - id: get\n    call: old.Get($k, $v)\n    to: new.Get($k)\n", map[string]string{
		"a.go": "package app\n\nimport \"example.com/old\"\n\nfunc F() string {\n\treturn old.Get(\"k\", \"v\")\n}\n",
	})
	_, err := runCheck(t, dir, sets)
	var be *rewrite.BreakError
	if !errors.As(err, &be) {
		t.Fatalf("Run = %v; want a *rewrite.BreakError", err)
	}
	b := be.Breaks[0]
	if len(be.Breaks) != 1 || b.Pos.String() != "a.go:6:20" || b.Rule != "mine/get" || !b.Exact || b.At.String() != "a.go:6:9" {
		t.Errorf("breaks = %+v; want one at a.go:6:20, rule mine/get's edit at a.go:6:9", be.Breaks)
	}
}

// TestCheckOtherFile: a rename that changes a variable's type breaks an
// unchanged file of the package; the break names the package's edit.
func TestCheckOtherFile(t *testing.T) {
	dir, sets := checkModule(t, "  - id: v\n    rename: old.V\n    to: new.V\n", map[string]string{
		"a.go": "package app\n\nimport \"example.com/old\"\n\nvar X = old.V\n",
		"b.go": "package app\n\nvar Y int = X\n",
	})
	_, err := runCheck(t, dir, sets)
	var be *rewrite.BreakError
	if !errors.As(err, &be) {
		t.Fatalf("Run = %v; want a *rewrite.BreakError", err)
	}
	b := be.Breaks[0]
	if b.Pos.Filename != "b.go" || b.Pos.Line != 3 || b.Rule != "mine/v" || b.Exact || b.At.Filename != "a.go" {
		t.Errorf("breaks = %+v; want one in b.go:3, nearest edit mine/v's in a.go", be.Breaks)
	}
}

// TestCheckPreexisting: a type error the code had before the rewrite (in
// a test file the load did not need) is not the rules' doing.
func TestCheckPreexisting(t *testing.T) {
	dir, sets := checkModule(t, "  - id: v\n    rename: old.Get\n    to: new.Get\n", map[string]string{
		"a.go":      "package app\n\nimport \"example.com/old\"\n\nvar X = old.Get(\"a\", \"b\")\n",
		"b_test.go": "package app\n\nvar broken int = \"not an int\"\n",
	})
	res, err := runCheck(t, dir, sets)
	if err != nil {
		t.Fatalf("Run = %v; want the rewrite, the test file's error being older than it", err)
	}
	if len(res.Files) != 1 {
		t.Errorf("%d files changed, want 1", len(res.Files))
	}
}

// TestCheckBrokenTests: a test build that did not type-check before the
// run is listed and its test files left as they are; a type error the
// rewrite causes in them is in a package already listed, while one in the
// plain package's files is still a break.
func TestCheckBrokenTests(t *testing.T) {
	const rule = "  - id: v\n    rename: old.V\n    to: new.V\n"
	files := map[string]string{
		"a.go":      "package app\n\nimport \"example.com/old\"\n\nvar X = old.V\n",
		"a_test.go": "package app\n\nimport \"example.com/old\"\n\nvar _ = old.V + missing\n",
		"b_test.go": "package app\n\nvar Y int = X\n",
	}
	dir, sets := checkModule(t, rule, files)
	res, err := runCheck(t, dir, sets)
	if err != nil {
		t.Fatalf("Run = %v; want the rewrite, with a_test.go listed", err)
	}
	if len(res.Files) != 1 || res.Files[0].Rel != "a.go" {
		t.Errorf("changed %v; want a.go only", res.Files)
	}
	if len(res.Findings) != 1 || res.Findings[0].Kind != rewrite.Broken || res.Findings[0].Pos.Filename != "a_test.go" {
		t.Errorf("findings = %v; want a_test.go listed as broken", res.Findings)
	}

	files["c.go"] = "package app\n\nvar Z int = X\n"
	dir, sets = checkModule(t, rule, files)
	_, err = runCheck(t, dir, sets)
	var be *rewrite.BreakError
	if !errors.As(err, &be) {
		t.Fatalf("Run = %v; want a *rewrite.BreakError at c.go", err)
	}
	if b := be.Breaks[0]; len(be.Breaks) != 1 || b.Pos.Filename != "c.go" {
		t.Errorf("breaks = %+v; want one, in c.go", be.Breaks)
	}
}
