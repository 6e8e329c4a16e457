package rewrite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/migrate-tool/migrate/rewrite"
	"github.com/migrate-tool/migrate/rules"
	"github.com/migrate-tool/migrate/rules/builtin"
)

// panicky is a rule with a bug.
type panicky struct{}

func (panicky) ID() string               { return "boom" }
func (panicky) Paths() []string          { return []string{"io/ioutil"} }
func (panicky) Apply(f rules.File) error { panic("index out of range") }

func TestRulePanicIsAnError(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"go.mod": "module example.com/p\n\ngo 1.21\n",
		"a.go":   "package p\n\nimport \"io/ioutil\"\n\nvar D = ioutil.Discard\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set := &rules.Set{Name: "bug", Rules: []rules.Rule{panicky{}}}
	res, err := rewrite.Run(context.Background(), rewrite.Options{Dir: dir, Sets: []*rules.Set{set}})
	if err == nil || !strings.Contains(err.Error(), "rule bug/boom: crashed on a.go") || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("Run = %v, %v; want an error naming the rule and the file", res, err)
	}
}

// TestOldIsWhatWasParsed checks that a file's change is computed from the
// content its syntax tree was parsed from: Old is that content, not the
// file as it is when the rewrite reaches it, so that the write refuses a
// file saved meanwhile (in an editor) instead of replacing it with a
// rewrite of what it was.
func TestOldIsWhatWasParsed(t *testing.T) {
	dir := t.TempDir()
	src := map[string]string{
		"a.go": "package p\n\nimport \"io/ioutil\"\n\nvar A = ioutil.Discard\n",
		"b.go": "package p\n\nimport \"io/ioutil\"\n\nvar B = ioutil.Discard\n",
	}
	for name, data := range map[string]string{"go.mod": "module example.com/p\n\ngo 1.21\n", "a.go": src["a.go"], "b.go": src["b.go"]} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sets, err := builtin.Resolve(dir, []string{"ioutil"})
	if err != nil {
		t.Fatal(err)
	}
	// Once the first file is rewritten, save both in an "editor".
	save := func(stage string, done, _ int) {
		if stage == "rewriting" && done == 1 {
			for name, data := range src {
				os.WriteFile(filepath.Join(dir, name), []byte(data+"// saved in an editor\n"), 0o644)
			}
		}
	}
	res, err := rewrite.Run(context.Background(), rewrite.Options{Dir: dir, Sets: sets, Workers: 1, Progress: save})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 2 {
		t.Fatalf("%d files changed, want 2", len(res.Files))
	}
	for _, f := range res.Files {
		if got := string(f.Old); got != src[f.Rel] {
			t.Errorf("%s: Old = %q, want the content that was parsed, %q", f.Rel, got, src[f.Rel])
		}
	}
}
