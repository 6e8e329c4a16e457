package gocmd

import (
	"errors"
	"testing"
)

func TestOneLine(t *testing.T) {
	tests := []struct{ name, output, want string }{
		{"vendoring", "go: inconsistent vendoring in /m:\n" +
			"\texample.com/a@v1.0.0: is explicitly required in go.mod, but not marked as explicit in vendor/modules.txt\n" +
			"\texample.com/a: is replaced in go.mod, but not marked as replaced in vendor/modules.txt\n\n" +
			"\tTo ignore the vendor directory, use -mod=readonly or -mod=mod.\n\tTo sync the vendor directory, run:\n\t\tgo mod vendor\n",
			"vendor/modules.txt in /m does not match go.mod (example.com/a@v1.0.0: is explicitly required in go.mod, but not marked as explicit in vendor/modules.txt; " +
				"example.com/a: is replaced in go.mod, but not marked as replaced in vendor/modules.txt): run 'go mod vendor' there to sync it, then run migrate again"},
		{"readonly", "go: updates to go.mod needed; to update it:\n\tgo mod tidy\n",
			"updates to go.mod needed; to update it: go mod tidy"},
		{"import stack", "go: example.com/app imports\n\texample.com/other: module lookup disabled by GOPROXY=off\n",
			"example.com/app imports example.com/other: module lookup disabled by GOPROXY=off"},
		{"many", "a\nb\nc\nd\ne\n", "a; b; c (and 2 more)"},
		{"empty", "", "exit status 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OneLine(tt.output, errors.New("exit status 1")); got != tt.want {
				t.Errorf("OneLine =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
