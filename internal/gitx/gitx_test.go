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
