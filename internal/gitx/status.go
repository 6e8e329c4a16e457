package gitx

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// Change is a path with work git has not committed.
type Change struct {
	// Path is relative to the work tree, slash-separated.
	Path string
	// Untracked is set for a file git does not track: a commit of it
	// would record it whole.
	Untracked bool
}

// Dirty returns those of paths (absolute; a directory stands for the
// files below it) that have uncommitted changes, staged or not, or that
// git does not track and does not ignore.
func (r *Repo) Dirty(ctx context.Context, paths []string) ([]Change, error) {
	rel, err := r.rel(paths)
	if err != nil || len(rel) == 0 {
		return nil, err
	}
	args := onPaths(rel, "status", "--porcelain", "-z", "--untracked-files=all")
	out, err := run(ctx, r.Top, nil, args...)
	if err != nil {
		return nil, err
	}
	var dirty []Change
	fields := nulFields(out)
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if len(f) < 4 {
			continue
		}
		xy := f[:2]
		dirty = append(dirty, Change{Path: f[3:], Untracked: xy == "??"})
		if strings.ContainsAny(xy, "RC") {
			i++ // a rename or copy: the next field is the path it came from
		}
	}
	return dirty, nil
}

// Detached reports whether HEAD is detached (on no branch), and if so the
// short hash of the commit it is at.
func (r *Repo) Detached(ctx context.Context) (bool, string, error) {
	err := git(ctx, r.Top, "symbolic-ref", "-q", "HEAD").Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return false, "", nil
	case !errors.As(err, &exit) || exit.ExitCode() != 1:
		return false, "", fmt.Errorf("git symbolic-ref HEAD: %w", err)
	}
	out, err := run(ctx, r.Top, nil, "rev-parse", "--short", "HEAD")
	return true, strings.TrimSpace(out), err
}
