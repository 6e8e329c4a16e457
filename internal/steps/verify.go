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
	Failed  string   `json:"failed,omitempty"`
	Output  string   `json:"output,omitempty"` // tail of the failing command's output
	// Preexisting are checks that failed, but failed the same way before
	// the rewrite: they are shown, not counted.
	Preexisting []string      `json:"preexisting,omitempty"`
	Duration    time.Duration `json:"duration_ns"`
}

// Summary is one line saying what failed.
func (v *VerifyReport) Summary() string {
	if v.OK {
		return "verified"
	}
	return v.Failed + " failed"
}

const tailLines = 20

// verify checks a written step. By default it builds the step's packages
// and the module's packages that import them, vets the step's packages, and
// runs the tests of both.
func (a *applier) verify(ctx context.Context, s *StepReport) *VerifyReport {
	start := time.Now()
	v := &VerifyReport{OK: true}
	defer func() { v.Duration = time.Since(start) }()
	switch {
	case a.o.Verify.Skip:
		v.Skipped = true
	case a.o.Verify.Command != "":
		a.check(ctx, v, a.o.Verify.Command, func() *gocmd.Result { return shell(ctx, a.root, a.o.Verify.Command) })
	default:
		a.defaultChecks(ctx, v, s)
	}
	return v
}

func (a *applier) defaultChecks(ctx context.Context, v *VerifyReport, s *StepReport) {
	var dirs []string
	for _, f := range s.Files {
		dirs = append(dirs, "./"+filepath.ToSlash(filepath.Dir(f)))
	}
	slices.Sort(dirs)
	dirs = slices.Compact(dirs)
	pkgs, err := a.gocmd.PackagesOf(ctx, dirs)
	if err != nil {
		v.OK, v.Failed, v.Output = false, "go list", err.Error()
		return
	}
	if a.graph == nil {
		if a.graph, err = a.gocmd.Graph(ctx); err != nil {
			v.OK, v.Failed, v.Output = false, "go list", err.Error()
			return
		}
	}
	all, buildable := a.graph.Importers(pkgs)
	checks := []struct {
		name string
		args []string
	}{
		{"go build (" + count(len(buildable)) + ")", append([]string{"build"}, buildable...)},
		{"go vet (" + count(len(pkgs)) + ")", append([]string{"vet"}, pkgs...)},
		// -vet=off: vet is a check of its own, and a vet finding the code
		// already had would otherwise stop go test before any test ran,
		// before and after the rewrite alike, which reads as a pass.
		{"go test (" + count(len(all)) + ")", append([]string{"test", "-count=1", "-vet=off"}, all...)},
	}
	// go build discards its results with -o /dev/null, whatever the
	// packages: a main package's binary never lands in the module.
	checks[0].args = slices.Insert(checks[0].args, 1, "-o", os.DevNull)
	for _, c := range checks {
		if len(c.args) == 1 || len(c.args) == 3 && c.args[1] == "-o" {
			continue
		}
		// The checks never write go.mod or go.sum, whatever GOFLAGS says
		// (gocmd.Env sets -mod): those are the run's, and restoring relies
		// on their content.
		run := func() *gocmd.Result { return a.gocmd.Run(ctx, c.args...) }
		if !a.check(ctx, v, c.name, func() *gocmd.Result { return a.againstBaseline(ctx, v, s, c.args, run()) }) {
			return
		}
	}
}

// againstBaseline turns a failed check into a pass when it failed the same
// way before the rewrite: the same command is run with the step's files
// overlaid with their old content (go build -overlay), and the failures
// are compared. A failure the rewrite did not cause is noted, not counted.
func (a *applier) againstBaseline(ctx context.Context, v *VerifyReport, s *StepReport, args []string, after *gocmd.Result) *gocmd.Result {
	if after.Err == nil {
		return after
	}
	flags, cleanup, err := baselineFlags(a.root, s)
	if err != nil {
		return after
	}
	defer cleanup()
	// The baseline's -mod=readonly, a flag, wins over the -mod=vendor of
	// the environment's GOFLAGS: vendor/ follows the new go.mod, not the
	// old one.
	before := a.gocmd.Run(ctx, insertFlags(args, flags)...)
	if before.Err == nil || !preexisting(failureKeys(after.Output), failureKeys(before.Output)) {
		return after
	}
	v.Preexisting = append(v.Preexisting, fmt.Sprintf("go %s failed before the rewrite too, the same way (not counted):\n%s", args[0], after.Tail(tailLines)))
	return &gocmd.Result{Args: args, Output: after.Output, Duration: after.Duration}
}

// insertFlags returns args (a go command and its flags, then packages)
// with flags added after the last flag.
func insertFlags(args, flags []string) []string {
	i := 1
	for i < len(args) && strings.HasPrefix(args[i], "-") {
		if args[i] == "-o" {
			i++ // and its value
		}
		i++
	}
	return slices.Concat(args[:i], flags, args[i:])
}

func count(n int) string {
	if n == 1 {
		return "1 package"
	}
	return fmt.Sprintf("%d packages", n)
}

// check runs one check and records it; it reports whether it passed.
func (a *applier) check(_ context.Context, v *VerifyReport, name string, run func() *gocmd.Result) bool {
	v.Checks = append(v.Checks, name)
	res := run()
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
