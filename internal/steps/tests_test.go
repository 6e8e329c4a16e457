package steps

import (
	"strings"
	"testing"

	"github.com/migrate-tool/migrate/internal/gocmd"
)

// TestTestCountString checks the sentence that the report and the commit
// message print: tests and packages counted, and no "passed" where no
// test ran.
func TestTestCountString(t *testing.T) {
	pkg := func(name string, passed, failed, skipped int) *gocmd.PackageTests {
		return &gocmd.PackageTests{Package: name, Passed: passed, Failed: failed, Skipped: skipped, Fail: failed > 0}
	}
	none := func(name string) *gocmd.PackageTests { return &gocmd.PackageTests{Package: name, NoTestFiles: true} }
	tests := []struct {
		name string
		pkgs []*gocmd.PackageTests
		want string
	}{
		{"passed", []*gocmd.PackageTests{pkg("a", 40, 0, 0), pkg("b", 1, 0, 0), pkg("c", 1, 0, 0)}, "go test: 42 tests in 3 packages passed"},
		{"one", []*gocmd.PackageTests{pkg("a", 1, 0, 0)}, "go test: 1 test in 1 package passed"},
		{"failed before", []*gocmd.PackageTests{pkg("a", 2, 1, 0)}, "go test: 2 of 3 tests in 1 package passed, 1 failed before the rewrite too"},
		{"flaky", []*gocmd.PackageTests{pkg("a", 2, 3, 0)}, "go test: 2 of 5 tests in 1 package passed, 1 flaky (passed on re-run), 2 failed before the rewrite too"},
		{"nothing ran", []*gocmd.PackageTests{none("a"), none("b"), pkg("c", 0, 0, 2)},
			"go test: no tests ran (2 skipped; 2 packages built, no test files; no tests ran in 1 package (c))"},
		{"many without tests", []*gocmd.PackageTests{pkg("a", 1, 0, 0), pkg("b", 0, 0, 0), pkg("c", 0, 0, 0), pkg("d", 0, 0, 0), pkg("e", 0, 0, 0)},
			"go test: 1 test in 1 package passed (no tests ran in 4 packages (b, c, d and 1 more))"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := countTests(tt.pkgs)
			if tt.name == "flaky" {
				c.Flaky = 1
			}
			if got := c.String(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	v := &VerifyReport{OK: true, Checks: []string{"go build (1 package)", "go test (1 package)"}, Tests: countTests([]*gocmd.PackageTests{none("a")})}
	if got := v.Passed(); strings.Contains(got, "go test (") || got != "go build (1 package) passed; go test: no tests ran (1 package built, no test files)" {
		t.Errorf("Passed() = %q", got)
	}
}

// TestFailure checks what a failed check's summary names: the failing
// tests with their packages, a test that does not build, or the first
// compiler or vet message.
func TestFailure(t *testing.T) {
	test := goCheck{name: "go test (2 packages)", test: true}
	vet := goCheck{name: "go vet (1 package)"}
	out := []byte("# example.com/m\n# [example.com/m]\n./old.go:5:13: fmt.Printf format %d has arg \"x\" of wrong type string\n./b.go:1:1: second\n")
	tests := []struct {
		name string
		c    goCheck
		pkgs []*gocmd.PackageTests
		want string
	}{
		{"tests", test, []*gocmd.PackageTests{{Package: "a", Fail: true, FailedTests: []string{"TestA", "TestB"}}, {Package: "b", Passed: 1}}, "TestA, TestB in a"},
		{"test build", test, []*gocmd.PackageTests{{Package: "a", Fail: true, BuildFailed: true}}, "a does not build"},
		{"vet", vet, nil, `./old.go:5:13: fmt.Printf format %d has arg "x" of wrong type string`},
		{"nothing to name", test, nil, `./old.go:5:13: fmt.Printf format %d has arg "x" of wrong type string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := failure(tt.c, &gocmd.Result{Output: out}, tt.pkgs); got != tt.want {
				t.Errorf("failure = %q, want %q", got, tt.want)
			}
		})
	}
}
