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
		{"nothing ran", []*gocmd.PackageTests{none("a"), none("b"), pkg("c", 0, 0, 2)},
			"go test: no tests ran (2 skipped; 2 packages built, no test files; no tests ran in 1 package (c))"},
		{"many without tests", []*gocmd.PackageTests{pkg("a", 1, 0, 0), pkg("b", 0, 0, 0), pkg("c", 0, 0, 0), pkg("d", 0, 0, 0), pkg("e", 0, 0, 0)},
			"go test: 1 test in 1 package passed (no tests ran in 4 packages (b, c, d and 1 more))"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := countTests(tt.pkgs).String(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	v := &VerifyReport{OK: true, Checks: []string{"go build (1 package)", "go test (1 package)"}, Tests: countTests([]*gocmd.PackageTests{none("a")})}
	if got := v.Passed(); strings.Contains(got, "go test (") || got != "go build (1 package) passed; go test: no tests ran (1 package built, no test files)" {
		t.Errorf("Passed() = %q", got)
	}
}
