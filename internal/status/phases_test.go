package status

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/migrate-tool/migrate/rules"
)

func set(name, next, adds string) *rules.Set {
	s := &rules.Set{Name: name}
	if next != "" || adds != "" {
		s.Phase = &rules.Phase{Next: next, Adds: adds}
	}
	return s
}

func names(chain []*rules.Set) []string {
	var out []string
	for _, s := range chain {
		out = append(out, s.Name)
	}
	return out
}

// TestChain checks that the chain is found from any of its sets, in
// order, that an unknown next set stays by name, and that a cycle ends.
func TestChain(t *testing.T) {
	a, b, c := set("a", "b", "x"), set("b", "c", "y"), set("c", "", "")
	known := []*rules.Set{c, b, a, set("lone", "", "")}
	find := func(name string) (*rules.Set, error) {
		for _, k := range known {
			if k.Name == name {
				return k, nil
			}
		}
		return nil, errors.New("unknown")
	}
	for _, from := range []*rules.Set{a, b, c} {
		if got := names(Chain(from, known, find)); len(got) != 3 || got[0] != "a" || got[1] != "b" || got[2] != "c" {
			t.Errorf("Chain from %s = %v; want [a b c]", from.Name, got)
		}
	}
	if got := Chain(known[3], known, find); got != nil {
		t.Errorf("Chain of a set in no phases = %v; want nil", names(got))
	}
	if got := names(Chain(set("p", "q", "z"), nil, find)); len(got) != 2 || got[1] != "q" {
		t.Errorf("Chain with an unknown next = %v; want [p q]", got)
	}
	loop1, loop2 := set("l1", "l2", "z"), set("l2", "l1", "z")
	if got := names(Chain(loop1, []*rules.Set{loop1, loop2}, func(string) (*rules.Set, error) { return loop2, nil })); len(got) != 2 {
		t.Errorf("Chain of a cycle = %v; want [l1 l2]", got)
	}
}

// TestSteps checks how the phases are told done from the module: the
// added path, then no import of the old API outside it.
func TestSteps(t *testing.T) {
	root := t.TempDir()
	write := func(rel, src string) {
		p := filepath.Join(root, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	compat := &rules.Set{Name: "compat", Phase: &rules.Phase{Adds: "internal/compat", Next: "full", Cleanup: "delete internal/compat"}}
	full := &rules.Set{Name: "full", Rules: []rules.Rule{pathsRule{"example.com/old/..."}}}
	chain := []*rules.Set{compat, full}
	done := func() []bool {
		var out []bool
		for _, s := range Steps(root, chain) {
			out = append(out, s.Done)
		}
		return out
	}
	write("a.go", "package a\n\nimport _ \"example.com/old/sub\"\n")
	if got := done(); got[0] || got[1] || got[2] {
		t.Errorf("before phase 1: done = %v; want none", got)
	}
	write("internal/compat/c.go", "package compat\n\nimport _ \"example.com/old\"\n")
	if got := done(); !got[0] || got[1] || got[2] {
		t.Errorf("after phase 1: done = %v; want phase 1", got)
	}
	write("a.go", "package a\n")
	if got := done(); !got[0] || !got[1] || got[2] {
		t.Errorf("after phase 2: done = %v; want both phases, not the cleanup", got)
	}
	os.RemoveAll(filepath.Join(root, "internal"))
	if got := done(); !got[0] || !got[1] || !got[2] {
		t.Errorf("after the cleanup: done = %v; want all", got)
	}
}

// pathsRule is a rule that only names the old paths it changes.
type pathsRule struct{ path string }

func (r pathsRule) ID() string             { return "paths" }
func (r pathsRule) Paths() []string        { return []string{r.path} }
func (r pathsRule) Apply(rules.File) error { return nil }
