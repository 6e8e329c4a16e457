package steps

import (
	"fmt"
	"strings"

	"github.com/migrate-tool/migrate/internal/gocmd"
)

// TestCount says what go test ran in a step's packages, counted from its
// -json events: a package whose tests did not run is never counted as
// passed.
type TestCount struct {
	// Tests is the number of tests that ran (passed or failed); Packages
	// the number of packages where at least one did.
	Tests    int `json:"tests"`
	Packages int `json:"packages"`
	Passed   int `json:"passed"`
	Failed   int `json:"failed"`
	Skipped  int `json:"skipped"`
	// Flaky counts the failed tests that passed when run again alone
	// (VerifyReport.Flaky names them); the other failed tests of a
	// passing check failed before the rewrite too.
	Flaky int `json:"flaky,omitempty"`
	// NoTestFiles are the packages go test only built: they have no test
	// files.
	NoTestFiles []string `json:"no_test_files,omitempty"`
	// NoTestsRan are the packages with test files where no test ran (no
	// Test function, or every test skipped).
	NoTestsRan []string `json:"no_tests_ran,omitempty"`
	// ByPackage is what ran in each package.
	ByPackage []*gocmd.PackageTests `json:"by_package"`
}

// countTests adds up what go test ran in each package.
func countTests(pkgs []*gocmd.PackageTests) *TestCount {
	c := &TestCount{ByPackage: pkgs}
	for _, p := range pkgs {
		c.Passed += p.Passed
		c.Failed += p.Failed
		c.Skipped += p.Skipped
		switch {
		case p.NoTestFiles:
			c.NoTestFiles = append(c.NoTestFiles, p.Package)
		case p.Ran() == 0 && !p.Fail:
			c.NoTestsRan = append(c.NoTestsRan, p.Package)
		case p.Ran() > 0:
			c.Tests += p.Ran()
			c.Packages++
		}
	}
	return c
}

// String says how many tests ran in how many packages: "go test: 42 tests
// in 3 packages passed". Failed tests are counted only when they failed
// before the rewrite too (the check passed); packages where no test ran
// are named as such, never as passed.
func (c *TestCount) String() string {
	var b strings.Builder
	b.WriteString("go test: ")
	switch {
	case c.Tests == 0:
		b.WriteString("no tests ran")
	case c.Failed > 0:
		fmt.Fprintf(&b, "%d of %d %s in %s passed", c.Passed, c.Tests, plural(c.Tests, "test", "tests"), count(c.Packages))
		if c.Flaky > 0 {
			fmt.Fprintf(&b, ", %d flaky (passed on re-run)", c.Flaky)
		}
		if n := c.Failed - c.Flaky; n > 0 {
			fmt.Fprintf(&b, ", %d failed before the rewrite too", n)
		}
	default:
		fmt.Fprintf(&b, "%d %s in %s passed", c.Tests, plural(c.Tests, "test", "tests"), count(c.Packages))
	}
	var more []string
	if c.Skipped > 0 {
		more = append(more, fmt.Sprintf("%d skipped", c.Skipped))
	}
	if n := len(c.NoTestFiles); n > 0 {
		more = append(more, fmt.Sprintf("%s built, no test files", count(n)))
	}
	if n := len(c.NoTestsRan); n > 0 {
		more = append(more, fmt.Sprintf("no tests ran in %s (%s)", count(n), names(c.NoTestsRan)))
	}
	if len(more) > 0 {
		b.WriteString(" (" + strings.Join(more, "; ") + ")")
	}
	return b.String()
}

// names lists up to three package paths, and how many more there are.
func names(pkgs []string) string {
	if len(pkgs) <= 3 {
		return strings.Join(pkgs, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(pkgs[:3], ", "), len(pkgs)-3)
}
