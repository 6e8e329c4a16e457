// Package gocmd runs the go command for migrate: listing packages and
// their importers, updating go.mod through a temporary -modfile, and the
// build, vet and test runs that verify a rewrite.
package gocmd

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/migrate-tool/migrate/internal/proc"
)

// Runner runs go commands in a module.
type Runner struct {
	// Dir is the module root.
	Dir string
	// Env is the environment; nil means os.Environ(). GOTOOLCHAIN=local is
	// always added, so that no command switches or downloads a toolchain.
	Env []string
}

// Result is the outcome of one command.
type Result struct {
	Args     []string
	Output   []byte // stdout and stderr, interleaved
	Duration time.Duration
	Err      error
}

// Run runs "go args..." and returns its combined output.
func (r *Runner) Run(ctx context.Context, args ...string) *Result {
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = r.Dir
	proc.Isolate(cmd)
	cmd.Env = append(r.env(), "GOTOOLCHAIN=local")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	return &Result{Args: args, Output: out.Bytes(), Duration: time.Since(start), Err: err}
}

func (r *Runner) env() []string {
	if r.Env != nil {
		return r.Env
	}
	return os.Environ()
}

// Tail returns the last n lines of the output.
func (res *Result) Tail(n int) string {
	lines := strings.Split(strings.TrimRight(string(res.Output), "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("... (%d lines before)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}
