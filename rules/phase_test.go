package rules_test

import (
	"strings"
	"testing"

	"github.com/migrate-tool/migrate/rules"
)

const phaseRules = "rules:\n  - manual: a.X\n    message: m\npackages:\n  a: example.com/a\n"

// TestPhase checks that a set's phase keys are read and checked.
func TestPhase(t *testing.T) {
	src := "name: t\nphase:\n  name: a layer\n  adds: internal/compat\n  next: t2\n  cleanup: delete it\n" + phaseRules
	s, err := rules.Parse([]byte(src), "t.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := rules.Phase{Name: "a layer", Adds: "internal/compat", Next: "t2", Cleanup: "delete it"}
	if s.Phase == nil || *s.Phase != want {
		t.Errorf("Phase = %+v; want %+v", s.Phase, want)
	}
	if _, err := rules.Parse([]byte("name: t\nphase:\n  name: the call sites\n"+phaseRules), "t.yaml", nil); err != nil {
		t.Errorf("a last phase with only its name: %v", err)
	}
	for _, c := range []struct{ phase, want string }{
		{"  next: Bad Name\n", `t.yaml:2: phase: next: "Bad Name" is not a rule set name`},
		{"  adds: ../x\n", `t.yaml:2: phase: adds: "../x" is not a clean path inside the module`},
		{"  adds: /x\n", `phase: adds: "/x" is not a clean path`},
		{"  next: t2\n  cleanup: rm\n", "phase: cleanup says what to do with the path the phase adds: set adds too"},
		{"  cleanup: rm\n", "phase: cleanup says what to do"},
		{"  {}\n", "phase: set next (the rule set of the next phase), adds"},
		{"  nxt: t2\n", "field nxt not found"},
	} {
		_, err := rules.Parse([]byte("name: t\nphase:\n"+c.phase+phaseRules), "t.yaml", nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("phase %q: error %v; want %q", c.phase, err, c.want)
		}
	}
}
