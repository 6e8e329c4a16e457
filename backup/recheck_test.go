package backup

import (
	"errors"
	"os"
	"path/filepath"
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
