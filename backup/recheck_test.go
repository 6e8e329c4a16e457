package backup

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

// editAt returns a fault hook that, the n-th time step is reached,
// overwrites the file p under root in place with data, as an editor
// saving it would.
func editAt(root, step string, n int, p string, data []byte) func(string) error {
	seen := 0
	return func(s string) error {
		if s != step {
			return nil
		}
		if seen++; seen == n {
			return os.WriteFile(filepath.Join(root, filepath.FromSlash(p)), data, 0o644)
		}
		return nil
	}
}

// noTemps fails t if a temp file of migrate is left under root.
func noTemps(t *testing.T, root string) {
	t.Helper()
	for p := range snapshot(t, root) {
		if matched, _ := filepath.Match(".*.migrate-*.tmp", filepath.Base(p)); matched {
			t.Errorf("temp file %s left behind", p)
		}
	}
}

func TestWriteFileKeepsAnEditSavedJustBeforeTheRename(t *testing.T) {
	orig := sample()
	s, root := newStore(t, orig)
	r := rewrite(t, s, root, []string{"nonl.go"}, migrated)
	edit := []byte("package main // saved by the editor\n")
	s.faults = editAt(root, "rename", 1, "main.go", edit)
	err := r.WriteFile("main.go", orig["main.go"].data, migrated("main.go", orig["main.go"].data))
	var changed *ChangedError
	if !errors.As(err, &changed) || changed.Path != "main.go" {
		t.Fatalf("WriteFile = %v, want *ChangedError for main.go", err)
	}
	want := sample()
	want["main.go"] = file{edit, 0o644}
	s.faults = nil
	if err := r.Abort(); err != nil {
		t.Fatalf("Abort = %v, want no conflict: the run never wrote main.go", err)
	}
	checkTree(t, root, want)
	if info := runInfo(t, s, r.ID()); info.Files != 1 || info.State != StateFailed {
		t.Errorf("List = %+v, want 1 file (nonl.go), failed", info)
	}
}

func TestDeleteFileKeepsAnEditSavedJustBeforeTheRemoval(t *testing.T) {
	orig := sample()
	s, root := newStore(t, orig)
	r := rewrite(t, s, root, []string{"nonl.go"}, migrated)
	edit := []byte("package main // saved by the editor\n")
	s.faults = editAt(root, "remove", 1, "main.go", edit)
	err := r.DeleteFile("main.go", orig["main.go"].data)
	var changed *ChangedError
	if !errors.As(err, &changed) || changed.Path != "main.go" {
		t.Fatalf("DeleteFile = %v, want *ChangedError for main.go", err)
	}
	s.faults = nil
	if err := r.Abort(); err != nil {
		t.Fatal(err)
	}
	want := sample()
	want["main.go"] = file{edit, 0o644}
	checkTree(t, root, want)
}

func TestRestoreKeepsAnEditSavedJustBeforeItsRename(t *testing.T) {
	orig := sample()
	s, root := newStore(t, orig)
	r := rewrite(t, s, root, []string{"main.go", "nonl.go", "cmd/tool.sh"}, migrated)
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	// Restore undoes the run newest first: nonl.go is the second rename.
	edit := []byte("package nonl // saved by the editor\n")
	s.faults = editAt(root, "rename", 2, "nonl.go", edit)
	_, err := s.Restore("", nil, false)
	var conflict *ConflictError
	if !errors.As(err, &conflict) || !slices.Equal(conflict.Files, []string{"nonl.go"}) {
		t.Fatalf("Restore = %v, want a *ConflictError for nonl.go", err)
	}
	want := sample()
	want["nonl.go"] = file{edit, 0o644}
	checkTree(t, root, want)
	noTemps(t, root)
	if info := runInfo(t, s, r.ID()); info.Restored != 2 || info.State != StateComplete {
		t.Errorf("List = %+v, want 2 files restored, still complete", info)
	}
}

func TestRestoreKeepsAFileCreatedByTheRunEditedJustBeforeItsRemoval(t *testing.T) {
	s, root := newStore(t, tree{})
	r, err := s.Begin(Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.CreateFile("new.go", []byte("package new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	edit := []byte("package new // edited\n")
	s.faults = editAt(root, "remove", 1, "new.go", edit)
	_, err = s.Restore("", nil, false)
	var conflict *ConflictError
	if !errors.As(err, &conflict) || !slices.Equal(conflict.Files, []string{"new.go"}) {
		t.Fatalf("Restore = %v, want a *ConflictError for new.go", err)
	}
	checkTree(t, root, tree{"new.go": {edit, 0o644}})
}

// saveAt returns a fault hook that, the n-th time step is reached, saves
// the file p under root the way most editors do: a temp file renamed over
// it.
func saveAt(root, step string, n int, p string, data []byte) func(string) error {
	seen := 0
	return func(s string) error {
		if s != step {
			return nil
		}
		if seen++; seen == n {
			path := filepath.Join(root, filepath.FromSlash(p))
			if err := os.WriteFile(path+".editor~", data, 0o644); err != nil {
				return err
			}
			return os.Rename(path+".editor~", path)
		}
		return nil
	}
}

// TestWriteFileKeepsASaveBetweenTheCheckAndTheSwap saves the file after
// the last check and before it is replaced: the swap sees it and puts the
// save back (where the system can swap; elsewhere the window stays).
func TestWriteFileKeepsASaveBetweenTheCheckAndTheSwap(t *testing.T) {
	needExchange(t)
	for name, hook := range map[string]func(string, string, int, string, []byte) func(string) error{"in place": editAt, "renamed": saveAt} {
		t.Run(name, func(t *testing.T) {
			orig := sample()
			s, root := newStore(t, orig)
			r := rewrite(t, s, root, nil, migrated)
			edit := []byte("package main // saved by the editor\n")
			s.faults = hook(root, "swap", 1, "main.go", edit)
			err := r.WriteFile("main.go", orig["main.go"].data, migrated("main.go", orig["main.go"].data))
			var changed *ChangedError
			if !errors.As(err, &changed) {
				t.Fatalf("WriteFile = %v, want *ChangedError", err)
			}
			want := sample()
			want["main.go"] = file{edit, 0o644}
			s.faults = nil
			if err := r.Abort(); err != nil {
				t.Fatalf("Abort = %v", err)
			}
			checkTree(t, root, want)
			noTemps(t, root)
		})
	}
}

// TestRestoreKeepsASaveBetweenTheCheckAndTheSwap is the same for a file
// put back by restore.
func TestRestoreKeepsASaveBetweenTheCheckAndTheSwap(t *testing.T) {
	needExchange(t)
	orig := sample()
	s, root := newStore(t, orig)
	r := rewrite(t, s, root, []string{"main.go"}, migrated)
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	edit := []byte("package main // saved by the editor\n")
	s.faults = saveAt(root, "swap", 1, "main.go", edit)
	_, err := s.Restore(r.ID(), nil, false)
	var conflict *ConflictError
	if !errors.As(err, &conflict) || !slices.Equal(conflict.Files, []string{"main.go"}) {
		t.Fatalf("Restore = %v, want a conflict on main.go", err)
	}
	got, _ := os.ReadFile(filepath.Join(root, "main.go"))
	if string(got) != string(edit) {
		t.Errorf("main.go = %q, want the editor's save %q", got, edit)
	}
	noTemps(t, root)
}

// needExchange skips t where two names cannot be swapped atomically; on
// Linux, where migrate relies on it, that is a failure.
func needExchange(t *testing.T) {
	t.Helper()
	if canExchange(t) {
		return
	}
	if runtime.GOOS == "linux" {
		t.Fatal("renameat2(RENAME_EXCHANGE) fails in a temp directory")
	}
	t.Skip("no atomic exchange of two names on " + runtime.GOOS)
}

// canExchange reports whether two names can be swapped atomically in a
// temp directory of this system.
func canExchange(t *testing.T) bool {
	dir := t.TempDir()
	for _, n := range []string{"a", "b"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return exchange(r, "a", "b") == nil
}
