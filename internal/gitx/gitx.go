// Package gitx runs the few git commands migrate needs: find the work
// tree, check files for uncommitted edits, and commit files.
package gitx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Repo is a git work tree.
type Repo struct {
	// Top is the root of the work tree.
	Top string
}

// Open returns the work tree that contains dir.
func Open(ctx context.Context, dir string) (*Repo, error) {
	out, err := run(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("%s is not in a git work tree (--commit needs one): %w", dir, err)
	}
	return &Repo{Top: strings.TrimSpace(out)}, nil
}

// Dirty returns those of paths (absolute) that have uncommitted changes,
// staged or not, relative to the work tree.
func (r *Repo) Dirty(ctx context.Context, paths []string) ([]string, error) {
	rel, err := r.rel(paths)
	if err != nil || len(rel) == 0 {
		return nil, err
	}
	out, err := run(ctx, r.Top, append([]string{"status", "--porcelain", "--untracked-files=no", "--"}, rel...)...)
	if err != nil {
		return nil, err
	}
	var dirty []string
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if len(line) > 3 {
			dirty = append(dirty, line[3:])
		}
	}
	return dirty, nil
}

// Commit records paths (absolute) in a commit with message msg and returns
// its hash. Other staged changes are not included, nor are paths git
// ignores (such as a vendor directory kept out of the repository).
func (r *Repo) Commit(ctx context.Context, paths []string, msg string) (string, error) {
	rel, err := r.rel(paths)
	if err != nil {
		return "", err
	}
	if rel, err = r.tracked(ctx, rel); err != nil {
		return "", err
	}
	if _, err := run(ctx, r.Top, append([]string{"add", "--"}, rel...)...); err != nil {
		return "", err
	}
	if _, err := run(ctx, r.Top, append([]string{"commit", "-q", "-m", msg, "--"}, rel...)...); err != nil {
		return "", err
	}
	out, err := run(ctx, r.Top, "rev-parse", "--short", "HEAD")
	return strings.TrimSpace(out), err
}

// tracked returns rel without the paths git ignores.
func (r *Repo) tracked(ctx context.Context, rel []string) ([]string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"check-ignore", "--"}, rel...)...)
	cmd.Dir = r.Top
	out, err := cmd.Output()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == 1: // none ignored
		return rel, nil
	case err != nil:
		return nil, fmt.Errorf("git check-ignore: %w", err)
	}
	ignored := strings.Split(strings.TrimSpace(string(out)), "\n")
	return slices.DeleteFunc(rel, func(p string) bool { return slices.Contains(ignored, p) }), nil
}

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

func run(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
