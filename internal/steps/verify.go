package steps

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/modfile"

	"github.com/migrate-tool/migrate/internal/gocmd"
	"github.com/migrate-tool/migrate/internal/proc"
)

// Verify says how a step is checked.
type Verify struct {
	// Skip turns verification off.
	Skip bool
	// Command, if set, replaces the default checks: it runs through "sh -c"
	// in the module root and must exit 0.
	Command string
}

// VerifyReport is the outcome of a step's verification.
type VerifyReport struct {
	OK      bool     `json:"ok"`
	Skipped bool     `json:"skipped,omitempty"`
	Checks  []string `json:"checks"`
	// Overlay tells that the checks ran before the write, with the new
	// contents shown to the go command through -overlay; false: after the
	// write, on the files.
	Overlay bool `json:"overlay"`
	// Fallback says why the default checks of a step could not run on an
	// overlay (cgo, an embedded file, a changing vendor/...) and what was
	// done instead.
	Fallback string `json:"fallback,omitempty"`
	Failed   string `json:"failed,omitempty"`
	// Failure names what failed in the failing check: the tests, or the
	// first compiler or vet message.
	Failure string `json:"failure,omitempty"`
	Output  string `json:"output,omitempty"` // tail of the failing command's output
	// Tests says what go test ran, from its -json events.
	Tests *TestCount `json:"tests,omitempty"`
	// Preexisting are checks that failed, but failed the same way before
	// the rewrite: they are shown, not counted.
	Preexisting []string `json:"preexisting,omitempty"`
	// Flaky are the tests that failed after the rewrite and are not
	// counted: run again alone, they passed, or they failed on the old
	// code too.
	Flaky    []FlakyTest   `json:"flaky,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// Summary is one line saying what failed.
func (v *VerifyReport) Summary() string {
	switch {
	case v.OK:
		return "verified"
	case v.Failure != "":
		return v.Failed + " failed: " + v.Failure
	}
	return v.Failed + " failed"
}

// Passed says what a successful verification checked: the checks that
// passed, and how many tests go test ran in how many packages, never
// "passed" for a package where no test ran.
func (v *VerifyReport) Passed() string {
	var names []string
	for _, c := range v.Checks {
		if v.Tests == nil || !strings.HasPrefix(c, "go test") {
			names = append(names, c)
		}
	}
	var parts []string
	if len(names) > 0 {
		parts = append(parts, strings.Join(names, ", ")+" passed")
	}
	if v.Tests != nil {
		parts = append(parts, v.Tests.String())
	}
	return strings.Join(parts, "; ")
}

const tailLines = 20

// verify checks a written step. By default it builds the step's packages
// and the module's packages that import them, vets the step's packages, and
// runs the tests of both.
// known are results of checks, by name, run on the files before the step
// was written, which the baseline then uses as they are.
func (a *applier) verify(ctx context.Context, s *StepReport, known map[string]*gocmd.Result) *VerifyReport {
	start := time.Now()
	v := &VerifyReport{OK: true}
	defer func() { v.Duration = time.Since(start) }()
	switch {
	case a.o.Verify.Skip:
		v.Skipped = true
	case a.o.Verify.Command != "":
		a.check(v, a.o.Verify.Command, shell(ctx, a.root, a.o.Verify.Command))
	default:
		a.defaultChecks(ctx, v, s, view{before: func() ([]string, func(), error) { return baselineFlags(a.root, s) }, known: known, created: a.createdPackages(s)})
	}
	return v
}

// view is how the default checks see a step: the flags that show them its
// new contents (an -overlay before the write, none after it), and a
// function returning those that show the contents before it, for the
// baseline, with their cleanup.
type view struct {
	after  []string
	before func() ([]string, func(), error)
	// known are checks already run on the contents before the step, by
	// name: the baseline of a check that a view through flags would not
	// show the old files to (a test that reads them).
	known map[string]*gocmd.Result
	pkgs  []string // the step's packages, if listed already
	// created are the packages the step adds (Old nil), which the
	// baseline does not have: its commands leave them out.
	created map[string]bool
}

// goCheck is one of the default checks.
type goCheck struct {
	name string
	args []string
	test bool // go test, run with -json and counted
}

// defaultChecks builds the step's packages and their importers, vets the
// step's packages and tests both, stopping at the first check that fails.
func (a *applier) defaultChecks(ctx context.Context, v *VerifyReport, s *StepReport, on view) {
	checks, err := a.goChecks(ctx, s, on.pkgs)
	if err != nil {
		v.OK, v.Failed, v.Output = false, "go list", err.Error()
		return
	}
	for _, c := range checks {
		res, pkgs := a.runCheck(ctx, c, on.after)
		if c.test {
			v.Tests = countTests(pkgs)
		}
		if res.Err != nil && ctx.Err() == nil {
			res, pkgs = a.recheck(ctx, v, c, res, pkgs, on)
		}
		if !a.check(v, c.name, res) {
			v.Failure = failure(c, res, pkgs)
			return
		}
	}
}

// goChecks returns the default checks of a step: go build of its packages
// (pkgs, listed here if nil) and of the module's packages that import
// them, go vet of its packages, go test of both.
func (a *applier) goChecks(ctx context.Context, s *StepReport, pkgs []string) ([]goCheck, error) {
	var err error
	if pkgs == nil {
		if pkgs, err = a.changedPackages(ctx, s); err != nil {
			return nil, err
		}
	}
	if err := a.loadGraph(ctx); err != nil {
		return nil, err
	}
	all, buildable := a.graph.Importers(pkgs)
	var checks []goCheck
	// go build discards its results with -o /dev/null, whatever the
	// packages: a main package's binary never lands in the module.
	if len(buildable) > 0 {
		checks = append(checks, goCheck{"go build (" + count(len(buildable)) + ")", append([]string{"build", "-o", os.DevNull}, buildable...), false})
	}
	if len(pkgs) > 0 {
		checks = append(checks, goCheck{"go vet (" + count(len(pkgs)) + ")", append([]string{"vet"}, pkgs...), false})
	}
	// -vet=off: vet is a check of its own, and a vet finding the code
	// already had would otherwise stop go test before any test ran,
	// before and after the rewrite alike, which reads as a pass.
	if len(all) > 0 {
		checks = append(checks, goCheck{"go test (" + count(len(all)) + ")", append([]string{"test", "-count=1", "-vet=off"}, all...), true})
	}
	return checks, nil
}

// runCheck runs a check with flags. The checks never write go.mod or
// go.sum, whatever GOFLAGS says (gocmd.Env sets -mod): those are the
// run's, and restoring relies on their content.
func (a *applier) runCheck(ctx context.Context, c goCheck, flags []string) (*gocmd.Result, []*gocmd.PackageTests) {
	args := insertFlags(c.args, flags)
	if c.test {
		res := a.gocmd.Test(ctx, args...)
		return res.Result, res.Packages
	}
	return a.gocmd.Run(ctx, args...), nil
}

// recheck looks again at a failed check before blaming the rewrite: when
// go test failed only in named tests, and not too many, those are run
// again alone on both sides (rerunFailed); any other failure is compared
// with the same command on the old code (againstBaseline).
func (a *applier) recheck(ctx context.Context, v *VerifyReport, c goCheck, res *gocmd.Result, pkgs []*gocmd.PackageTests, on view) (*gocmd.Result, []*gocmd.PackageTests) {
	if c.test {
		if failed := failedTests(pkgs); failed != nil {
			left := a.rerunFailed(ctx, v, c, failed, on)
			if before := failedBeforeToo(v.Flaky); len(before) > 0 {
				v.Preexisting = append(v.Preexisting, fmt.Sprintf("go test failed before the rewrite too, the same way (not counted): %s\n%s", names(before), res.Tail(tailLines)))
			}
			return settle(res, pkgs, left)
		}
	}
	return a.againstBaseline(ctx, v, c, res, on), pkgs
}

// againstBaseline turns a failed check into a pass when it failed the same
// way before the step: the same command is run with the flags that show
// the files as they were, and the failures are compared. A failure the
// rewrite did not cause is noted, not counted.
func (a *applier) againstBaseline(ctx context.Context, v *VerifyReport, c goCheck, after *gocmd.Result, on view) *gocmd.Result {
	old, ok := on.known[c.name]
	if !ok {
		flags, cleanup, err := on.before()
		if err != nil {
			return after
		}
		defer cleanup()
		base, ok := withoutCreated(c, on.created)
		if !ok {
			return after
		}
		old, _ = a.runCheck(ctx, base, flags)
	}
	if old.Err == nil || !preexisting(failureKeys(after.Output, a.moved), failureKeys(old.Output, a.moved)) {
		return after
	}
	v.Preexisting = append(v.Preexisting, fmt.Sprintf("go %s failed before the rewrite too, the same way (not counted):\n%s", c.args[0], after.Tail(tailLines)))
	return &gocmd.Result{Args: after.Args, Output: after.Output, Duration: after.Duration}
}

// failure names what failed in a failed check: the failing tests with
// their packages, a package whose test did not build, or the first
// compiler or vet message.
func failure(c goCheck, res *gocmd.Result, pkgs []*gocmd.PackageTests) string {
	var parts []string
	for _, p := range pkgs {
		switch {
		case len(p.FailedTests) > 0:
			parts = append(parts, strings.Join(p.FailedTests, ", ")+" in "+p.Package)
		case p.BuildFailed:
			parts = append(parts, p.Package+" does not build")
		case p.Fail:
			parts = append(parts, p.Package)
		}
	}
	if len(parts) > 0 && c.test {
		return names(parts)
	}
	return firstMessage(res.Output)
}

// firstMessage returns the first compiler or vet message of a go
// command's output ("./a.go:3:5: undefined: x"), or "".
func firstMessage(out []byte) string {
	for _, line := range strings.Split(string(out), "\n") {
		if line = strings.TrimSpace(line); posRE.MatchString(line) {
			return line
		}
	}
	return ""
}

// insertFlags returns args (a go command and its flags, then packages)
// with flags added after the last flag.
func insertFlags(args, flags []string) []string {
	i := firstArg(args)
	return slices.Concat(args[:i], flags, args[i:])
}

func count(n int) string {
	if n == 1 {
		return "1 package"
	}
	return fmt.Sprintf("%d packages", n)
}

// check records a check's result; it reports whether it passed.
func (a *applier) check(v *VerifyReport, name string, res *gocmd.Result) bool {
	v.Checks = append(v.Checks, name)
	if res.Err != nil {
		v.OK, v.Failed, v.Output = false, name, res.Tail(tailLines)
		return false
	}
	return true
}

func shell(ctx context.Context, dir, command string) *gocmd.Result {
	start := time.Now()
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Dir = dir
	proc.Isolate(cmd)
	out, err := cmd.CombinedOutput()
	if err != nil {
		err = fmt.Errorf("%s: %w", strings.TrimSpace(command), err)
	}
	return &gocmd.Result{Args: []string{"sh", "-c", command}, Output: out, Duration: time.Since(start), Err: err}
}

// createdPackages returns the import paths of the packages the step
// creates: directories of new files that the module's import graph,
// listed before the step, does not have.
func (a *applier) createdPackages(s *StepReport) map[string]bool {
	mod := modfile.ModulePath(a.mod)
	created := map[string]bool{}
	for _, f := range s.changes {
		if f.Old != nil || mod == "" {
			continue
		}
		rel, err := filepath.Rel(a.root, filepath.Dir(f.Path))
		if err != nil {
			continue
		}
		path := mod
		if rel != "." {
			path += "/" + filepath.ToSlash(rel)
		}
		if a.graph == nil || a.graph.Package(path) == nil {
			created[path] = true
		}
	}
	return created
}

// withoutCreated returns c without the packages the step creates, for the
// baseline, which does not have them; false when c checks nothing else.
func withoutCreated(c goCheck, created map[string]bool) (goCheck, bool) {
	if len(created) == 0 {
		return c, true
	}
	args := slices.DeleteFunc(slices.Clone(c.args), func(a string) bool { return created[a] })
	if len(args) == len(c.args) {
		return c, true
	}
	rest := slices.ContainsFunc(args[1:], func(a string) bool { return !strings.HasPrefix(a, "-") && a != os.DevNull })
	return goCheck{name: c.name, args: args, test: c.test}, rest
}
