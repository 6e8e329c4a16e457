package rewrite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/migrate-tool/migrate/rewrite"
	"github.com/migrate-tool/migrate/rules"
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
