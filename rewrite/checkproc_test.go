package rewrite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/migrate-tool/migrate/rewrite"
	"github.com/migrate-tool/migrate/rewrite/rewritetest"
	"github.com/migrate-tool/migrate/rules/builtin"
)

// TestCheckInProcess runs the golden cases whose rewrite does not compile
// at a reported site twice, the check type-checking the rewrite in
// process and then with go list, and compares what the two runs say: the
// in-process check must be a faster way to the same answer.
func TestCheckInProcess(t *testing.T) {
	files, _ := filepath.Glob("../testdata/rewrite/*.txtar")
	n := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), rewrite.NoCompile) {
			continue
		}
		n++
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			inProcess := runCase(t, file, nil)
			goList := runCase(t, file, rewrite.CheckWithGoList)
			if inProcess != goList {
				t.Errorf("the in-process check says:\n%s\ngo list's says:\n%s", inProcess, goList)
			}
		})
	}
	if n < 10 {
		t.Fatalf("only %d golden cases have sites that do not compile; the comparison needs more", n)
	}
}

// runCase runs the golden case in file, with opt applied to its options,
// and returns its findings and error as text.
func runCase(t *testing.T, file string, opt func(*rewrite.Options)) string {
	t.Helper()
	c, err := rewritetest.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := c.Extract(dir); err != nil {
		t.Fatal(err)
	}
	sets, err := builtin.Resolve(dir, strings.Split(c.Settings["rules"], ","))
	if err != nil {
		t.Fatal(err)
	}
	o := c.Options(dir, sets, goEnv())
	if opt != nil {
		opt(&o)
	}
	res, err := rewrite.Run(context.Background(), o)
	if err != nil {
		return "error: " + strings.ReplaceAll(err.Error(), dir, "$DIR")
	}
	var b strings.Builder
	for _, f := range res.Findings {
		b.WriteString(f.String() + "\n")
	}
	return b.String()
}
