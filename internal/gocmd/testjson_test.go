package gocmd

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestTestCounts runs the real go test -json on a module whose packages
// pass, fail, skip, panic, have no test files, have test files but no
// test, or do not build, and checks what is counted for each and the text
// kept for the report.
func TestTestCounts(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":      "module example.com/tj\n\ngo 1.21\n",
		"a/a.go":      "package a\n",
		"a/a_test.go": "package a\n\nimport \"testing\"\n\nfunc TestPass(t *testing.T) { t.Run(\"sub\", func(t *testing.T) {}) }\nfunc TestFail(t *testing.T) { t.Run(\"inner\", func(t *testing.T) { t.Fatal(\"boom\") }) }\nfunc TestSkip(t *testing.T) { t.Skip(\"later\") }\nfunc ExampleA() {\n\t// Output:\n}\n",
		"b/b.go":      "package b\n",
		"c/c.go":      "package c\n",
		"c/c_test.go": "package c\n\nfunc helper() {}\n",
		"d/d.go":      "package d\n",
		"d/d_test.go": "package d\n\nimport \"testing\"\n\nfunc TestD(t *testing.T) { undefined() }\n",
		"e/e_test.go": "package e\n\nimport \"testing\"\n\nfunc TestOK(t *testing.T) {}\nfunc TestPanic(t *testing.T) { var m map[string]int; m[\"a\"] = 1 }\n",
	}
	for name, data := range files {
		writeFile(t, filepath.Join(dir, name), data)
	}
	ctx := context.Background()
	env, err := NewEnv(ctx, dir, append(os.Environ(), "GOPROXY=off", "GOWORK=off", "GOFLAGS="))
	if err != nil {
		t.Fatal(err)
	}
	res := (&Runner{Dir: dir, Env: env}).Test(ctx, "test", "-count=1", "-vet=off", "./...")
	if res.Err == nil {
		t.Fatal("go test passed; want a failure")
	}
	got := map[string]PackageTests{}
	for _, p := range res.Packages {
		got[strings.TrimPrefix(p.Package, "example.com/tj/")] = *p
	}
	want := map[string]PackageTests{
		"a": {Passed: 2, Failed: 1, Skipped: 1, Fail: true, FailedTests: []string{"TestFail"}},
		"b": {NoTestFiles: true},
		"c": {},
		"d": {Fail: true, BuildFailed: true},
		"e": {Passed: 1, Failed: 1, Fail: true, FailedTests: []string{"TestPanic"}},
	}
	for name, w := range want {
		g := got[name]
		g.Package = ""
		if g.Passed != w.Passed || g.Failed != w.Failed || g.Skipped != w.Skipped || g.NoTestFiles != w.NoTestFiles ||
			g.BuildFailed != w.BuildFailed || g.Fail != w.Fail || !slices.Equal(g.FailedTests, w.FailedTests) {
			t.Errorf("package %s: got %+v, want %+v", name, g, w)
		}
	}
	if p := got["a"].PassedTests; !slices.Equal(p, []string{"TestPass", "ExampleA"}) {
		t.Errorf("package a: PassedTests %v, want [TestPass ExampleA]", p)
	}
	if len(got) != len(want) {
		t.Errorf("packages %v, want %d", res.Packages, len(want))
	}
	text := string(res.Output)
	for _, s := range []string{"--- FAIL: TestFail", "--- FAIL: TestFail/inner", "boom", "d_test.go:5:28: undefined: undefined",
		"FAIL\texample.com/tj/a", "panic: assignment to entry in nil map", "?   \texample.com/tj/b\t[no test files]"} {
		if !strings.Contains(text, s) {
			t.Errorf("the text lacks %q:\n%s", s, text)
		}
	}
	for _, s := range []string{"=== RUN", "--- PASS", "--- SKIP"} {
		if strings.Contains(text, s) {
			t.Errorf("the text holds %q, which go test without -v does not print:\n%s", s, text)
		}
	}
	// A failing test's output comes before its package's closing line.
	if i, j := strings.Index(text, "boom"), strings.Index(text, "FAIL\texample.com/tj/a"); i > j {
		t.Errorf("the package's FAIL line comes before its test's output:\n%s", text)
	}
}

// TestParseTestJSONText keeps lines that are not events, such as a
// message printed as text, in the text.
func TestParseTestJSONText(t *testing.T) {
	pkgs, text := ParseTestJSON([]byte("# example.com/x\nx.go:1:1: oops\n{\"Action\":\"start\",\"Package\":\"example.com/x\"}\n{\"Action\":\"output\",\"Package\":\"example.com/x\",\"Output\":\"FAIL\\texample.com/x [setup failed]\\n\"}\n{\"Action\":\"fail\",\"Package\":\"example.com/x\"}\n"))
	if len(pkgs) != 1 || !pkgs[0].Fail || pkgs[0].Ran() != 0 {
		t.Errorf("packages %+v, want one failed package where nothing ran", pkgs)
	}
	if want := "# example.com/x\nx.go:1:1: oops\nFAIL\texample.com/x [setup failed]\n"; string(text) != want {
		t.Errorf("text %q, want %q", text, want)
	}
}
