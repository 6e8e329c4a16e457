package steps

import (
	"testing"

	"github.com/migrate-tool/migrate/rules"
	"github.com/migrate-tool/migrate/rules/builtin"
)

// TestPreexistingMovedPath checks that a vet message the code had before
// the rewrite still counts as the same failure when it names a type whose
// import path the rule set moved, and that another message does not.
func TestPreexistingMovedPath(t *testing.T) {
	set, err := builtin.Load("jwt")
	if err != nil {
		t.Fatal(err)
	}
	moved := movedPaths([]*rules.Set{set})
	before := failureKeys([]byte(`# example.com/app
./auth.go:12:2: fmt.Sprintf format %d has arg tok of wrong type *"github.com/dgrijalva/jwt-go".Token
`), moved)
	after := failureKeys([]byte(`# example.com/app
./auth.go:14:2: fmt.Sprintf format %d has arg tok of wrong type *"github.com/golang-jwt/jwt/v5".Token
`), moved)
	if !preexisting(after, before) {
		t.Errorf("the same vet message, naming the moved path, counts as new:\nbefore %v\nafter  %v", before, after)
	}
	other := failureKeys([]byte("./auth.go:14:2: unreachable code\n"), moved)
	if preexisting(other, before) {
		t.Errorf("a new vet message counts as preexisting: %v", other)
	}
}

// TestPreexistingGoCommandError checks that an error of the go command
// itself, with no position (a test importing its own package), counts as
// the same failure before and after.
func TestPreexistingGoCommandError(t *testing.T) {
	moved := movedPaths(nil)
	out := []byte("package example.com/app/svc\n\timports example.com/app/svc from svc_test.go: import cycle not allowed in test\n")
	if !preexisting(failureKeys(out, moved), failureKeys(out, moved)) {
		t.Errorf("the same go command error before and after counts as new")
	}
	other := []byte("package example.com/app/svc\n\timports example.com/app/other from svc_test.go: import cycle not allowed in test\n")
	if preexisting(failureKeys(other, moved), failureKeys(out, moved)) {
		t.Errorf("another go command error counts as preexisting")
	}
}
