package rewrite_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/migrate-tool/migrate/internal/resultcache"
	"github.com/migrate-tool/migrate/rewrite/rewritetest"
	"github.com/migrate-tool/migrate/rules/builtin"
)

var update = flag.Bool("update", false, "rewrite the golden want/ sections and findings")

// typesDir is the cache of dependencies' types the golden cases share
// (rewrite.Options.Types): the first case to need a package type-checks
// it from source, the others read it.
var typesDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "migrate-types-")
	if err != nil {
		panic(err)
	}
	typesDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestGolden runs every case in testdata/rewrite with the rewritetest
// harness (see its package doc for the format): the output equals want,
// parses and is gofmt-clean, the module then passes go vet, and a second
// run changes nothing.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("../testdata/rewrite/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden cases found")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			c, err := rewritetest.Load(file)
			if err != nil {
				t.Fatal(err)
			}
			c.Types = resultcache.Open(typesDir, "")
			res, err := c.Run(context.Background(), t.TempDir(), builtin.Resolve, goEnv())
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

// goEnv keeps the go command offline and on this toolchain.
func goEnv() []string {
	return append(os.Environ(), "GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod", "GOWORK=off")
}
