// Package gocmd runs the go command for migrate: listing packages and
// their importers, updating go.mod through a temporary -modfile, and the
// build, vet and test runs that verify a rewrite. Every command runs in an
// environment that Env builds: the user's, with the toolchain, the
// workspace and -mod under migrate's control.
package gocmd

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/migrate-tool/migrate/internal/proc"
)

// Runner runs go commands in a module.
type Runner struct {
	// Dir is the directory the commands run in: the module root, or for
	// Output a directory of the module that patterns are relative to.
	Dir string
	// Env is the environment of the commands (see NewEnv).
	Env *Env
	// Flags are added to every command after its subcommand ("go build",
	// "go mod tidy"): an -overlay, so that the commands see files as they
	// are not yet on disk.
	Flags []string
}

// With returns a copy of r that adds flags to every command.
func (r *Runner) With(flags ...string) *Runner {
	c := *r
	c.Flags = slices.Concat(r.Flags, flags)
	return &c
}

// Result is the outcome of one command.
type Result struct {
	Args     []string
	Output   []byte // stdout and stderr, interleaved
	Duration time.Duration
	Err      error
}

// Run runs "go args..." as a Packages command (build, vet, test, list)
// and returns its combined output.
func (r *Runner) Run(ctx context.Context, args ...string) *Result {
	return r.run(ctx, Packages, args...)
}

func (r *Runner) run(ctx context.Context, m Mode, args ...string) *Result {
	start := time.Now()
	cmd := r.command(ctx, m, args)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		err = commandError(args, err)
	}
	return &Result{Args: args, Output: unOverlay(out.Bytes(), slices.Concat(r.Flags, args), r.Dir), Duration: time.Since(start), Err: err}
}

// commandError says which go command failed.
func commandError(args []string, err error) error {
	return fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
}

// Output runs "go args..." as a Packages command and returns its stdout
// and stderr; the error holds stderr on one line (see OneLine).
func (r *Runner) Output(ctx context.Context, args ...string) ([]byte, string, error) {
	cmd := r.command(ctx, Packages, args)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, stderr.String(), fmt.Errorf("%s", OneLine(stderr.String(), err))
	}
	return stdout.Bytes(), stderr.String(), nil
}

func (r *Runner) command(ctx context.Context, m Mode, args []string) *exec.Cmd {
	if len(r.Flags) > 0 && len(args) > 0 {
		n := 1
		if args[0] == "mod" && len(args) > 1 {
			n = 2
		}
		args = slices.Concat(args[:n], r.Flags, args[n:])
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = r.Dir
	cmd.Env = InDir(r.Env.For(m), r.Dir)
	proc.Isolate(cmd)
	return cmd
}

// Tail returns the last n lines of the output.
func (res *Result) Tail(n int) string {
	lines := strings.Split(strings.TrimRight(string(res.Output), "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("... (%d lines before)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// failure is a failed command's error with its output on one line.
func (res *Result) failure() error {
	return fmt.Errorf("go %s: %s", strings.Join(res.Args, " "), OneLine(string(res.Output), res.Err))
}
