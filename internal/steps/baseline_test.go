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
