package gitx

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
)

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
	if _, err := run(ctx, r.Top, nil, onPaths(rel, "add")...); err != nil {
		return "", err
	}
	if _, err := run(ctx, r.Top, nil, onPaths(rel, "commit", "-q", "-m", msg)...); err != nil {
		return "", err
	}
	out, err := run(ctx, r.Top, nil, "rev-parse", "--short", "HEAD")
	return strings.TrimSpace(out), err
}

// tracked returns rel without the paths git ignores.
func (r *Repo) tracked(ctx context.Context, rel []string) ([]string, error) {
	out, err := git(ctx, r.Top, append([]string{"check-ignore", "--"}, rel...)...).Output()
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
