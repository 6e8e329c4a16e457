package builtin

import (
	"testing"

	"github.com/migrate-tool/migrate/rules"
)

// TestGoRulesValid checks the table of Go rules: names well formed and
// unique, each rule documented, with paths and a Run.
func TestGoRulesValid(t *testing.T) {
	if err := rules.Validate(goRules()...); err != nil {
		t.Fatal(err)
	}
	if _, clash := rules.Table(goRules()...)["go-redis"]; clash {
		t.Fatal(`a Go rule is named "go-redis", which the go-redis rules of the File API use`)
	}
}

// TestBuiltinSetsLoad loads every built-in rule set: each "go: NAME" names
// a registered rule.
func TestBuiltinSetsLoad(t *testing.T) {
	if _, err := All(); err != nil {
		t.Fatal(err)
	}
}
