// Package builtin is the catalog of rule sets that ship with migrate: the
// embedded rule files and the rules written in Go that they name.
package builtin

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/migrate-tool/migrate/rules"
	"github.com/migrate-tool/migrate/rules/goredis"
	"github.com/migrate-tool/migrate/rules/ioutilrule"
	"github.com/migrate-tool/migrate/rules/jwtrule"
	"github.com/migrate-tool/migrate/rules/pkgerrorsrule"
	"github.com/migrate-tool/migrate/rules/protobufrule"
	"github.com/migrate-tool/migrate/rules/redigorule"
	"github.com/migrate-tool/migrate/rules/uuidrule"
)

//go:embed *.yaml
var files embed.FS

// goRules is the table of rules written in Go: the one place a Go rule is
// registered, under its Name.
func goRules() []*rules.GoRule {
	return slices.Concat([]*rules.GoRule{ioutilrule.ReadDir}, goredis.Rules(), uuidrule.Rules(), jwtrule.Rules(), pkgerrorsrule.Rules(), protobufrule.Rules(), redigorule.Rules())
}

// GoRules returns the rules written in Go that rule files can name with
// "go: NAME": the table of goRules.
func GoRules() map[string]rules.GoRuleFunc {
	return rules.Table(goRules()...)
}

// Names returns the names of the built-in rule sets, sorted.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	slices.Sort(names)
	return names
}

// Load returns the built-in rule set called name.
func Load(name string) (*rules.Set, error) {
	src, err := files.ReadFile(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("unknown rule set %q (built-in: %s; or give the path of a rule file)", name, strings.Join(Names(), ", "))
	}
	return rules.Parse(src, "builtin:"+name+".yaml", GoRules())
}

// All returns every built-in rule set.
func All() ([]*rules.Set, error) {
	var sets []*rules.Set
	for _, n := range Names() {
		s, err := Load(n)
		if err != nil {
			return nil, err
		}
		sets = append(sets, s)
	}
	return sets, nil
}

// Resolve loads each name: a built-in rule set, or the path of a rule file
// (anything with a path separator or a .yaml/.yml extension), relative to
// dir. A set named twice is loaded once.
func Resolve(dir string, names []string) ([]*rules.Set, error) {
	var sets []*rules.Set
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		s, err := resolveOne(dir, n)
		if err != nil {
			return nil, err
		}
		if !seen[s.Name] {
			seen[s.Name] = true
			sets = append(sets, s)
		}
	}
	if len(sets) == 0 {
		return nil, fmt.Errorf("no rule set given: pass --rules NAME (see migrate list)")
	}
	return sets, nil
}

func resolveOne(dir, n string) (*rules.Set, error) {
	ext := filepath.Ext(n)
	p := n
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	if !strings.ContainsAny(n, `/\`) && ext != ".yaml" && ext != ".yml" {
		s, err := Load(n)
		if err != nil && isDir(p) {
			return nil, dirError(n, p)
		}
		return s, err
	}
	src, err := os.ReadFile(p)
	if err != nil {
		return nil, readError(n, p, err)
	}
	return rules.Parse(src, n, GoRules())
}

// rulesTake says what --rules takes, for errors.
const rulesTake = "give a built-in name, see migrate list, or a path to a .yaml rule file"

// readError says why the rule file n, at p, cannot be read.
func readError(n, p string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("rule file %s: no such file (%s)", n, rulesTake)
	case isDir(p):
		return dirError(n, p)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("read rule file %s: %v (%s)", n, err, rulesTake)
}

// dirError says that the rule file n, at p, is a directory, and names the
// rule files in it.
func dirError(n, p string) error {
	var inside []string
	for _, pat := range []string{"*.yaml", "*.yml"} {
		m, _ := filepath.Glob(filepath.Join(p, pat))
		for _, f := range m {
			inside = append(inside, filepath.Join(n, filepath.Base(f)))
		}
	}
	if len(inside) == 0 {
		return fmt.Errorf("rule file %s: is a directory, not a rule file (%s)", n, rulesTake)
	}
	return fmt.Errorf("rule file %s: is a directory, not a rule file: give one of the rule files in it (%s), or several separated by commas", n, strings.Join(inside, ", "))
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
