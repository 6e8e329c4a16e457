package gitx

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
)

// tailLines is how much of a failed commit's output an error keeps.
const tailLines = 20

// Commit records paths (absolute) in a commit with message msg and returns
// its hash. Other staged changes are not included, nor are paths git
// ignores (such as a vendor directory kept out of the repository).
//
// When git refuses the commit (a pre-commit or commit-msg hook fails, no
// identity is set), the index entries of paths are put back as they were
// before Commit staged them, those of other paths are left alone, and the
// error ends with the tail of git's output, a hook's included.
func (r *Repo) Commit(ctx context.Context, paths []string, msg string) (string, error) {
	rel, err := r.rel(paths)
	if err != nil {
		return "", err
	}
	if rel, err = r.tracked(ctx, rel); err != nil {
		return "", err
	}
	before, err := r.entries(ctx, rel)
	if err != nil {
		return "", err
	}
	if err := r.stageAndCommit(ctx, rel, msg); err != nil {
		return "", r.refused(ctx, rel, before, err)
	}
	out, err := run(ctx, r.Top, nil, "rev-parse", "--short", "HEAD")
	return strings.TrimSpace(out), err
}

// commitError is a commit git refused, with the tail of its output.
type commitError struct {
	err    error
	output string
}

func (e *commitError) Error() string { return e.err.Error() }
func (e *commitError) Unwrap() error { return e.err }

// stageAndCommit adds rel to the index and commits them.
func (r *Repo) stageAndCommit(ctx context.Context, rel []string, msg string) error {
	if _, err := run(ctx, r.Top, nil, onPaths(rel, "add")...); err != nil {
		return err
	}
	cmd := git(ctx, r.Top, onPaths(rel, "commit", "-q", "-m", msg)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return &commitError{err: fmt.Errorf("git commit: %w", err), output: tail(string(out), tailLines)}
	}
	return nil
}

// refused puts the index entries of rel back as they were before (from
// entries) after err stopped the commit, and says so. It does so even when
// ctx is canceled (an interrupt stopped the commit).
func (r *Repo) refused(ctx context.Context, rel, before []string, err error) error {
	ctx = context.WithoutCancel(ctx)
	output := ""
	var ce *commitError
	if errors.As(err, &ce) {
		output = "; output (last lines):\n" + ce.output
	}
	if perr := r.putBack(ctx, rel, before); perr != nil {
		return fmt.Errorf("%w; putting the files' index entries back failed too: %v (git reset -q -- FILES unstages them)%s", err, perr, output)
	}
	return fmt.Errorf("%w (the files' index entries are as before)%s", err, output)
}

// entries returns the index entries of rel (files, or directories
// standing for the files below them) as git ls-files --stage prints them:
// "mode object stage\tpath".
func (r *Repo) entries(ctx context.Context, rel []string) ([]string, error) {
	out, err := run(ctx, r.Top, nil, onPaths(rel, "ls-files", "--stage", "-z")...)
	if err != nil {
		return nil, err
	}
	return nulFields(out), nil
}

// putBack makes the index entries of rel what they were (before, from
// entries): paths staged since are removed, the entries recorded are
// written back. Entries of other paths are not touched.
func (r *Repo) putBack(ctx context.Context, rel []string, before []string) error {
	now, err := r.entries(ctx, rel)
	if err != nil {
		return err
	}
	var remove, info []byte
	seen := map[string]bool{}
	for _, e := range now {
		if p := entryPath(e); !seen[p] {
			seen[p] = true
			remove = append(append(remove, p...), 0)
		}
	}
	for _, e := range before {
		info = append(append(info, e...), 0)
	}
	if len(remove) > 0 {
		if _, err := run(ctx, r.Top, remove, "update-index", "--force-remove", "-z", "--stdin"); err != nil {
			return err
		}
	}
	if len(info) > 0 {
		if _, err := run(ctx, r.Top, info, "update-index", "-z", "--index-info"); err != nil {
			return err
		}
	}
	return nil
}

// entryPath returns the path of an ls-files --stage entry.
func entryPath(e string) string {
	_, p, _ := strings.Cut(e, "\t")
	return p
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

// tail returns the last n lines of s, indented.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "    " + strings.Join(lines, "\n    ")
}
