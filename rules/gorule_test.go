package rules_test

import (
	"strings"
	"testing"

	"github.com/migrate-tool/migrate/rules"
)

// TestValidate checks that a table of Go rules with a bad or duplicate
// name, a rule missing Doc, Paths or Run, or a fact without Compute, is
// refused with the rule's name.
func TestValidate(t *testing.T) {
	run := func(*rules.Pass) error { return nil }
	ok := &rules.GoRule{Name: "ok", Doc: "d", Paths: []string{"a"}, Run: run}
	cases := []struct {
		rules []*rules.GoRule
		want  string
	}{
		{[]*rules.GoRule{ok}, ""},
		{[]*rules.GoRule{{Name: "Bad Name", Doc: "d", Paths: []string{"a"}, Run: run}}, "go rule 0: name must be"},
		{[]*rules.GoRule{ok, ok}, "go rule ok: registered twice"},
		{[]*rules.GoRule{{Name: "x", Paths: []string{"a"}, Run: run}}, "go rule x: needs Doc, Paths and Run"},
		{[]*rules.GoRule{{Name: "x", Doc: "d", Paths: []string{"a"}, Run: run, Requires: []*rules.Fact{{Name: "f"}}}}, "go rule x: a required fact has no Name or Compute"},
	}
	for _, c := range cases {
		err := rules.Validate(c.rules...)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("Validate = %v, want %q", err, c.want)
		}
	}
}

// TestGoRuleGroup checks that a Go rule given a group in the rule file is
// reported under it, beside the declarative rules of the group.
func TestGoRuleGroup(t *testing.T) {
	r := &rules.GoRule{Name: "values", Doc: "d", Paths: []string{"example.com/a"}, Run: func(*rules.Pass) error { return nil }}
	src := "name: t\npackages:\n  a: example.com/a\nrules:\n" +
		"  - {id: types, group: hooks, implements: a.Hook, message: m}\n" +
		"  - {id: values, group: hooks, go: values}\n"
	set, err := rules.Parse([]byte(src), "t.yaml", rules.Table(r))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range set.Rules {
		if r.ID() != "hooks" {
			t.Errorf("rule reported as %q, want hooks", r.ID())
		}
	}
}
