package rules_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/migrate-tool/migrate/rewrite/rewritetest"
	"github.com/migrate-tool/migrate/rules"
)

var update = flag.Bool("update", false, "rewrite the want/ sections and findings of testdata/crossings")

// Two instances of Crossings on the fake libraries of testdata/crossings:
// legacy has one old path, without a version label; kv has two, labelled.
var (
	legacyCrossings = rules.Crossings("legacy-crossings", rules.OldLibrary{
		Name:  "legacy",
		Kind:  "library",
		Paths: map[string]string{"example.com/legacy": ""},
		New:   "example.com/modern",
	})
	kvCrossings = rules.Crossings("kv-crossings", rules.OldLibrary{
		Name:  "kv",
		Kind:  "client",
		Paths: map[string]string{"example.com/kv": "v1", "example.com/kv/v2": "v2"},
		New:   "example.com/kv/v3",
	})
)

// TestCrossings runs every case in testdata/crossings with the golden
// harness (rewritetest): each case has a fake old library, a dependency
// built on it, a rule file naming one of the rules above, and the
// expected TODOs and findings.
func TestCrossings(t *testing.T) {
	if err := rules.Validate(legacyCrossings, kvCrossings); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/crossings/*.txtar")
	if len(files) == 0 {
		t.Fatal("no cases found")
	}
	env := append(os.Environ(), "GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod", "GOWORK=off")
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			c, err := rewritetest.Load(file)
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.Run(context.Background(), t.TempDir(), resolveCrossings, env)
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				if err := c.Update(res); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, p := range res.Problems {
				t.Error(p)
			}
		})
	}
}

// resolveCrossings loads a case's rule files, which may name the rules
// above.
func resolveCrossings(dir string, names []string) ([]*rules.Set, error) {
	var sets []*rules.Set
	for _, n := range names {
		s, err := rules.LoadFile(filepath.Join(dir, n), rules.Table(legacyCrossings, kvCrossings))
		if err != nil {
			return nil, err
		}
		sets = append(sets, s)
	}
	return sets, nil
}
