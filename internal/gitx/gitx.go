// Package gitx runs the few git commands migrate needs: find the work
// tree, check files for uncommitted work and HEAD for a branch, and commit
// files, putting their index entries back when the commit fails.
package gitx

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// Repo is a git work tree.
type Repo struct {
	// Top is the root of the work tree.
	Top string
}

// Open returns the work tree that contains dir.
func Open(ctx context.Context, dir string) (*Repo, error) {
	out, err := run(ctx, dir, nil, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("%s is not in a git work tree (--commit needs one): %w", dir, err)
	}
	return &Repo{Top: strings.TrimSpace(out)}, nil
}

// rel returns paths (absolute) relative to the work tree, slash-separated.
func (r *Repo) rel(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		rel, err := filepath.Rel(r.Top, p)
		if err != nil {
			return nil, err
		}
		out = append(out, filepath.ToSlash(rel))
	}
	return out, nil
}

// git returns the git command for args in dir.
func git(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	return cmd
}

// onPaths returns the arguments of the git command cmd on paths, given
// as literal pathspecs so that a file named "a*.go" never stands for
// others.
func onPaths(paths []string, cmd ...string) []string {
	args := append([]string{"--literal-pathspecs"}, cmd...)
	return append(append(args, "--"), paths...)
}

// run runs git with args in dir, stdin (if not nil) on its standard
// input, and returns its standard output. The error carries git's
// standard error.
func run(ctx context.Context, dir string, stdin []byte, args ...string) (string, error) {
	cmd := git(ctx, dir, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", verb(args), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// verb returns the git command args run: the first that is not an option.
func verb(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

// nulFields splits git's -z output into its fields.
func nulFields(out string) []string {
	return strings.FieldsFunc(out, func(r rune) bool { return r == 0 })
}
