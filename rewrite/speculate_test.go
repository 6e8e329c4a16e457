package rewrite

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/migrate-tool/migrate/internal/resultcache"
)

// TestSpeculation checks the early go list of the first load: the walk
// finds the directories go list would match that hold a file importing an
// old path, and a listing of more roots than the scan found loads the same
// packages as the exact listing; one that misses a root is not used.
func TestSpeculation(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":             "module example.com/m\n\ngo 1.21\n",
		"a/a.go":             "package a\n\nimport (\n\t\"io/ioutil\"\n\n\t\"example.com/m/c\"\n)\n\nvar D = ioutil.Discard\n\nfunc F() int { return c.H() }\n",
		"a/a_test.go":        "package a\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) { _ = F() }\n",
		"b/b.go":             "package b\n\nfunc G() int { return 1 }\n",
		"b/tool.go":          "//go:build ignore\n\npackage main\n\nimport \"io/ioutil\"\n\nvar _ = ioutil.Discard\n",
		"c/c.go":             "package c\n\nfunc H() int { return 2 }\n",
		"vendor/v/v.go":      "package v\n\nimport \"io/ioutil\"\n\nvar _ = ioutil.Discard\n",
		"a/testdata/t/t.go":  "package t\n\nimport \"io/ioutil\"\n\nvar _ = ioutil.Discard\n",
		"_skip/s.go":         "package s\n\nimport \"io/ioutil\"\n\nvar _ = ioutil.Discard\n",
		"nested/go.mod":      "module example.com/nested\n\ngo 1.21\n",
		"nested/n.go":        "package nested\n\nimport \"io/ioutil\"\n\nvar _ = ioutil.Discard\n",
		"c/.hidden/h/h.go":   "package h\n\nimport \"io/ioutil\"\n\nvar _ = ioutil.Discard\n",
		"c/_underscore.go":   "package c\n\nimport \"io/ioutil\"\n\nvar _ = ioutil.Discard\n",
		"b/deeper/deeper.go": "package deeper\n\nimport \"io/ioutil\"\n\nvar _ = ioutil.Discard\n",
	}
	writeTree(t, dir, files)
	walked, ok := walkPatterns(dir, dir, []string{"./..."})
	if !ok {
		t.Fatal("walkPatterns(./...) declined")
	}
	got := dirsImporting(walked, []string{"io/ioutil"}, 2)
	want := []string{filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "b", "deeper")}
	if !slices.Equal(got, want) {
		t.Errorf("dirs importing io/ioutil: %v; want %v", got, want)
	}
	// Through a symbolic link to the module, as from a shell whose
	// working directory is one: the same files, under the link.
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	if viaLink, ok := walkPatterns(link, link, []string{"./..."}); !ok || len(viaLink) != len(walked) || len(viaLink) > 0 && !strings.HasPrefix(viaLink[0], link+string(filepath.Separator)) {
		t.Errorf("walkPatterns through a link = %v, %v; want the %d files under %s", viaLink, ok, len(walked), link)
	}
	if walked, _ := walkPatterns(dir, dir, []string{"./b"}); len(walked) != 2 {
		t.Errorf("walkPatterns(./b) = %v; want b's two files", walked)
	}
	for _, p := range []string{"example.com/m/...", "...", "../outside/..."} {
		if _, ok := walkPatterns(dir, dir, []string{p}); ok {
			t.Errorf("walkPatterns(%s) guessed; want it to decline", p)
		}
	}

	cfg := func() *packages.Config { return srcConfig(dir) }
	// A listing of a, b and c stands for a load of a: its extra roots
	// change nothing.
	listed, err := goList(cfg(), []string{"-compiled=false", "-test=true", "-deps=true", "--", "./a", "./b", "./c"})
	if err != nil {
		t.Fatal(err)
	}
	spec := &speculation{done: make(chan struct{}), listed: listed, cancel: func() {}}
	close(spec.done)
	if _, _, ok := spec.covering([]string{"example.com/m/a", "example.com/m/nested"}); ok {
		t.Error("a listing without example.com/m/nested covers it")
	}
	if _, roots, ok := spec.covering([]string{"example.com/m/a"}); !ok || len(roots) != 2 {
		t.Errorf("the listing of a, b and c covers a with roots %v, ok %v; want a and its test variant", roots, ok)
	}
	tc := newTypesCache(resultcache.Open(t.TempDir(), ""), []string{"GOARCH=test"})
	patterns := []string{"example.com/m/a"}
	exact, ok, err := loadFromSource(cfg(), patterns, srcOptions{types: tc})
	if err != nil || !ok {
		t.Fatalf("exact load: ok %v, err %v", ok, err)
	}
	guessed, ok, err := loadFromSource(cfg(), patterns, srcOptions{types: tc, prelisted: spec})
	if err != nil || !ok {
		t.Fatalf("load from the speculative listing: ok %v, err %v", ok, err)
	}
	if g, w := describe(guessed.roots), describe(exact.roots); g != w {
		t.Errorf("from the speculative listing:\n%s\nfrom the exact one:\n%s", g, w)
	}
}
