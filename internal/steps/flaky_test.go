package steps

import (
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/migrate-tool/migrate/internal/gocmd"
)

// TestFailedTests checks which failures are re-run: only those of named
// tests, and not too many of them.
func TestFailedTests(t *testing.T) {
	failing := func(name string, tests ...string) *gocmd.PackageTests {
		return &gocmd.PackageTests{Package: name, Fail: true, Failed: len(tests), FailedTests: tests}
	}
	many := make([]string, maxRerun+1)
	for i := range many {
		many[i] = "Test" + string(rune('A'+i))
	}
	tests := []struct {
		name string
		pkgs []*gocmd.PackageTests
		want map[string][]string
	}{
		{"named", []*gocmd.PackageTests{failing("a", "TestA"), {Package: "b", Passed: 1}, failing("c", "TestB", "TestC")},
			map[string][]string{"a": {"TestA"}, "c": {"TestB", "TestC"}}},
		{"build failed", []*gocmd.PackageTests{failing("a", "TestA"), {Package: "b", Fail: true, BuildFailed: true}}, nil},
		{"package failed, no test", []*gocmd.PackageTests{{Package: "a", Fail: true}}, nil},
		{"no package failed", []*gocmd.PackageTests{{Package: "a", Passed: 1}}, nil},
		{"too many", []*gocmd.PackageTests{failing("a", many...)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := failedTests(tt.pkgs)
			if !maps.EqualFunc(got, tt.want, slices.Equal) || (got == nil) != (tt.want == nil) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRunPattern(t *testing.T) {
	if got, want := runPattern([]string{"TestA", "Example_x.y"}), `^(TestA|Example_x\.y)$`; got != want {
		t.Errorf("runPattern = %s, want %s", got, want)
	}
}

// TestSettle checks a failed test check after its re-runs: passed when no
// test is left, else naming only the tests left.
func TestSettle(t *testing.T) {
	res := &gocmd.Result{Output: []byte("--- FAIL: TestA"), Err: errFake}
	pkgs := []*gocmd.PackageTests{
		{Package: "a", Fail: true, Failed: 2, FailedTests: []string{"TestA", "TestB"}},
		{Package: "b", Fail: true, Failed: 1, FailedTests: []string{"TestC"}},
		{Package: "c", Passed: 1},
	}
	if got, _ := settle(res, pkgs, nil); got.Err != nil || string(got.Output) != "--- FAIL: TestA" {
		t.Errorf("nothing left: Err = %v, Output %q", got.Err, got.Output)
	}
	got, left := settle(res, pkgs, map[string][]string{"a": {"TestB"}})
	if got.Err == nil {
		t.Fatal("a test left: the check passed")
	}
	if f := failure(goCheck{test: true}, got, left); f != "TestB in a" {
		t.Errorf("failure = %q, want TestB in a", f)
	}
	if len(pkgs[0].FailedTests) != 2 {
		t.Error("settle changed the packages it was given")
	}
}

func TestFlakyTestString(t *testing.T) {
	for _, tt := range []struct {
		f    FlakyTest
		want string
	}{
		{FlakyTest{Package: "p", Test: "TestA", Failed: 1, Runs: 2}, "flaky: TestA in p (failed once, passed on re-run)"},
		{FlakyTest{Package: "p", Test: "TestA", Failed: 3, Runs: 4}, "flaky: TestA in p (failed 3 times, passed on re-run)"},
		{FlakyTest{Package: "p", Test: "TestA", Failed: 4, Runs: 4, Before: true}, "TestA in p failed before the rewrite too (4 of 4 runs after it failed; not counted)"},
	} {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}

var errFake = errors.New("exit status 1")
