package rewrite

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"testing"

	"github.com/migrate-tool/migrate/rules"
)

func TestAssumedName(t *testing.T) {
	for path, want := range map[string]string{
		"os":                           "os",
		"math/rand/v2":                 "rand",
		"github.com/redis/go-redis/v9": "redis",
		"github.com/google/uuid":       "uuid",
		"gopkg.in/yaml.v3":             "yaml",
		"example.com/go-lib":           "lib",
		"v2":                           "v2",
	} {
		if got := assumedName(path); got != want {
			t.Errorf("assumedName(%q) = %q, want %q", path, got, want)
		}
	}
}

// TestRewritePackageGoVersion checks that a rule set whose go version the
// module does not meet refuses only a package it would change: go vet runs
// every analyzer on every package.
func TestRewritePackageGoVersion(t *testing.T) {
	set, err := rules.Parse([]byte(`name: new
go: "1.21"
packages:
  old: example.com/old
rules:
  - move: example.com/old
    to: example.com/new
`), "new.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	check := func(src string) error {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "a.go", src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		info := &types.Info{Uses: map[*ast.Ident]types.Object{}, Defs: map[*ast.Ident]types.Object{}}
		conf := types.Config{Importer: importer.Default(), Error: func(error) {}}
		pkg, _ := conf.Check("example.com/app", fset, []*ast.File{f}, info)
		_, err = RewritePackage(&Package{Fset: fset, Files: []*ast.File{f}, Types: pkg, Info: info, Module: "example.com/app", GoVersion: "1.16",
			ReadFile: func(string) ([]byte, error) { return []byte(src), nil }}, []*rules.Set{set})
		return err
	}
	if err := check("package app\n\nimport \"fmt\"\n\nvar _ = fmt.Sprint\n"); err != nil {
		t.Errorf("a package that does not use the set is refused: %v", err)
	}
	if err := check("package app\n\nimport \"example.com/old\"\n\nvar _ = old.X\n"); err == nil || !strings.Contains(err.Error(), "needs go 1.21") {
		t.Errorf("a package that uses the set: got %v, want the go version error", err)
	}
}
