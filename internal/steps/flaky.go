package steps

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/migrate-tool/migrate/internal/gocmd"
)

// A test that fails after the rewrite is run again, alone, before the
// failure is blamed on the rewrite: tests that share state (a Redis key, a
// port) or race a timeout fail now and then, and rolling back a correct
// migration for them costs more than a few re-runs.
const (
	// reruns is how many times a failed test is run again on each side.
	reruns = 3
	// maxRerun bounds the cost: when more tests failed, none is re-run,
	// and the failure is compared with the old code as a whole.
	maxRerun = 20
)

// FlakyTest is a test that failed after the rewrite and is not counted:
// it passed when run again, or it failed on the code before the rewrite
// too.
type FlakyTest struct {
	Package string `json:"package"`
	Test    string `json:"test"`
	// Failed is how many times it failed after the rewrite, the first run
	// included; Runs is how many times it ran there.
	Failed int `json:"failed"`
	Runs   int `json:"runs"`
	// Before tells that it failed on the code before the rewrite too
	// (it failed every time after it).
	Before bool `json:"failed_before,omitempty"`
}

// String says why the test is not counted: "flaky: TestA in example.com/m
// (failed once, passed on re-run)", or "TestA in example.com/m failed
// before the rewrite too (4 of 4 runs after it failed; not counted)".
func (f FlakyTest) String() string {
	if f.Before {
		return fmt.Sprintf("%s in %s failed before the rewrite too (%d of %d runs after it failed; not counted)", f.Test, f.Package, f.Failed, f.Runs)
	}
	return fmt.Sprintf("flaky: %s in %s (failed %s, passed on re-run)", f.Test, f.Package, times(f.Failed))
}

func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

// failedTests returns the failed tests of each package, or nil when the
// failure is not only that of named tests (a package that does not build,
// a TestMain that exits, the go command's own error), or when more than
// maxRerun tests failed.
func failedTests(pkgs []*gocmd.PackageTests) map[string][]string {
	failed := map[string][]string{}
	n := 0
	for _, p := range pkgs {
		if !p.Fail {
			continue
		}
		if p.BuildFailed || len(p.FailedTests) == 0 {
			return nil
		}
		failed[p.Package] = slices.Clone(p.FailedTests)
		n += len(p.FailedTests)
	}
	if n == 0 || n > maxRerun {
		return nil
	}
	return failed
}

// rerunFailed runs the failed tests of each package again, alone: up to
// reruns times on the new code (flags on.after), then those that failed
// every time up to reruns times on the old code. A test that passes once
// on the new code, or fails on the old code too, is recorded in v.Flaky.
// It returns the tests left, by package: those that failed every time on
// the new code and never on the old. When ctx is cancelled, all are left.
func (a *applier) rerunFailed(ctx context.Context, v *VerifyReport, c goCheck, failed map[string][]string, on view) map[string][]string {
	left := map[string][]string{}
	for _, pkg := range sortedKeys(failed) {
		runs := map[string]int{}
		still := failed[pkg]
		for i := 0; i < reruns && len(still) > 0 && ctx.Err() == nil; i++ {
			passed := a.rerun(ctx, c, pkg, still, on.after)
			for _, t := range still {
				runs[t]++
				if passed[t] {
					v.Flaky = append(v.Flaky, FlakyTest{Package: pkg, Test: t, Failed: runs[t], Runs: runs[t] + 1})
				}
			}
			still = slices.DeleteFunc(still, func(t string) bool { return passed[t] })
		}
		if len(still) > 0 {
			left[pkg] = still
		}
		if ctx.Err() != nil {
			return failed
		}
		if v.Tests != nil {
			v.Tests.Flaky += len(failed[pkg]) - len(still)
		}
	}
	before := a.failedBefore(ctx, c, left, on)
	if ctx.Err() != nil {
		return failed
	}
	for pkg, tests := range left {
		left[pkg] = slices.DeleteFunc(tests, func(t string) bool {
			if before[pkg][t] {
				v.Flaky = append(v.Flaky, FlakyTest{Package: pkg, Test: t, Failed: reruns + 1, Runs: reruns + 1, Before: true})
			}
			return before[pkg][t]
		})
		if len(left[pkg]) == 0 {
			delete(left, pkg)
		}
	}
	return left
}

// failedBefore runs the tests of each package up to reruns times on the
// code before the rewrite and returns those that failed at least once. A
// check run before the write on the files themselves (on.known: tests that
// read them, which an overlay of the old contents would not show them) is
// used as it is: the files now hold the new code.
func (a *applier) failedBefore(ctx context.Context, c goCheck, tests map[string][]string, on view) map[string]map[string]bool {
	before := map[string]map[string]bool{}
	if len(tests) == 0 {
		return before
	}
	if old, ok := on.known[c.name]; ok {
		keys := failureKeys(old.Output, a.moved)
		for pkg, ts := range tests {
			before[pkg] = map[string]bool{}
			for _, t := range ts {
				before[pkg][t] = keys["--- FAIL: "+t]
			}
		}
		return before
	}
	flags, cleanup, err := on.before()
	if err != nil {
		return before
	}
	defer cleanup()
	for _, pkg := range sortedKeys(tests) {
		before[pkg] = map[string]bool{}
		still := slices.Clone(tests[pkg])
		for i := 0; i < reruns && len(still) > 0 && ctx.Err() == nil; i++ {
			passed := a.rerun(ctx, c, pkg, still, flags)
			for _, t := range still {
				before[pkg][t] = before[pkg][t] || !passed[t]
			}
			still = slices.DeleteFunc(still, func(t string) bool { return before[pkg][t] })
		}
	}
	return before
}

// failedBeforeToo names the tests of flaky that failed before the rewrite
// too: "TestA in example.com/m".
func failedBeforeToo(flaky []FlakyTest) []string {
	var before []string
	for _, f := range flaky {
		if f.Before {
			before = append(before, f.Test+" in "+f.Package)
		}
	}
	return before
}

// rerun runs the named tests of pkg once, with the check's flags and
// flags, and returns those that passed. A package that failed with no
// test failing (a TestMain that exits) passes none.
func (a *applier) rerun(ctx context.Context, c goCheck, pkg string, tests, flags []string) map[string]bool {
	args := append(slices.Clone(c.args[:firstArg(c.args)]), "-run="+runPattern(tests), pkg)
	res := a.gocmd.Test(ctx, insertFlags(args, flags)...)
	passed := map[string]bool{}
	for _, p := range res.Packages {
		if p.Package != pkg || (p.Fail && len(p.FailedTests) == 0) {
			continue
		}
		for _, t := range p.PassedTests {
			passed[t] = true
		}
	}
	return passed
}

// runPattern is the -run pattern that matches exactly the named top-level
// tests: ^(TestA|TestB)$.
func runPattern(tests []string) string {
	quoted := make([]string, len(tests))
	for i, t := range tests {
		quoted[i] = regexp.QuoteMeta(t)
	}
	return "^(" + strings.Join(quoted, "|") + ")$"
}

// firstArg returns the index of the first argument after a go command's
// name and flags: its first package.
func firstArg(args []string) int {
	i := 1
	for i < len(args) && strings.HasPrefix(args[i], "-") {
		if args[i] == "-o" {
			i++ // and its value
		}
		i++
	}
	return i
}

// settle is a failed test check after its re-runs: passed when no test is
// left, else failed with only the tests left named in its packages.
func settle(res *gocmd.Result, pkgs []*gocmd.PackageTests, left map[string][]string) (*gocmd.Result, []*gocmd.PackageTests) {
	if len(left) == 0 {
		return &gocmd.Result{Args: res.Args, Output: res.Output, Duration: res.Duration}, pkgs
	}
	out := make([]*gocmd.PackageTests, 0, len(pkgs))
	for _, p := range pkgs {
		if tests, ok := left[p.Package]; ok || !p.Fail {
			q := *p
			q.FailedTests = tests
			out = append(out, &q)
		}
	}
	return res, out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
