package gitx_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/migrate-tool/migrate/internal/gitx"
)

// newRepo makes a git work tree with files committed, and returns it.
func newRepo(t *testing.T, files map[string]string) *gitx.Repo {
	t.Helper()
	dir := t.TempDir()
	for _, k := range []string{"GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"} {
		t.Setenv(k, "gitx test")
	}
	for _, k := range []string{"GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"} {
		t.Setenv(k, "test@example.com")
	}
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	git(t, dir, "init", "-q")
	for name, data := range files {
		write(t, dir, name, data)
	}
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "init")
	r, err := gitx.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func write(t *testing.T, dir, name, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func abs(r *gitx.Repo, names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, filepath.Join(r.Top, n))
	}
	return out
}

func TestDirtyUntrackedAndLiteral(t *testing.T) {
	r := newRepo(t, map[string]string{"a.go": "a\n", "a*.go": "star\n", "clean.go": "c\n"})
	write(t, r.Top, "a.go", "edited\n")
	write(t, r.Top, "new.go", "new\n")
	write(t, r.Top, "other.go", "not asked about\n")
	got, err := r.Dirty(context.Background(), abs(r, "a*.go", "clean.go", "new.go"))
	if err != nil {
		t.Fatal(err)
	}
	want := []gitx.Change{{Path: "new.go", Untracked: true}}
	if !slices.Equal(got, want) {
		t.Errorf("Dirty = %v, want %v (a*.go is clean; a.go was not asked about)", got, want)
	}
}

// A commit refused by a hook leaves every index entry as it was: the
// paths committed (one tracked, one new), and another path the user
// staged.
func TestCommitRefusedPutsIndexBack(t *testing.T) {
	r := newRepo(t, map[string]string{"a.go": "a\n", "notes.txt": "n\n"})
	write(t, r.Top, ".git/hooks/pre-commit", "#!/bin/sh\necho refused by hook\nexit 1\n")
	if err := os.Chmod(filepath.Join(r.Top, ".git/hooks/pre-commit"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, r.Top, "notes.txt", "n\nstaged\n")
	git(t, r.Top, "add", "notes.txt")
	write(t, r.Top, "a.go", "a\nstaged\n")
	git(t, r.Top, "add", "a.go")
	before := git(t, r.Top, "ls-files", "--stage")
	write(t, r.Top, "a.go", "migrated\n")
	write(t, r.Top, "go.sum", "created\n")

	_, err := r.Commit(context.Background(), abs(r, "a.go", "go.sum"), "msg")
	if err == nil {
		t.Fatal("Commit succeeded despite the hook")
	}
	for _, want := range []string{"git commit: exit status 1", "index entries are as before", "    refused by hook"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if after := git(t, r.Top, "ls-files", "--stage"); after != before {
		t.Errorf("index entries after:\n%s\nwant as before:\n%s", after, before)
	}
	if n := git(t, r.Top, "rev-list", "--count", "HEAD"); n != "1\n" {
		t.Errorf("commits = %s, want 1", n)
	}
}

func TestDetached(t *testing.T) {
	r := newRepo(t, map[string]string{"a.go": "a\n"})
	ctx := context.Background()
	if d, _, err := r.Detached(ctx); err != nil || d {
		t.Fatalf("on a branch: Detached = %v, %v", d, err)
	}
	git(t, r.Top, "checkout", "-q", "--detach")
	d, at, err := r.Detached(ctx)
	if err != nil || !d || at == "" {
		t.Fatalf("detached: Detached = %v, %q, %v", d, at, err)
	}
}
