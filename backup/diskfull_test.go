package backup

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// diskFull returns a fault hook that, once *full is set, fails with
// ENOSPC every step in steps: the writes that need new space.
func diskFull(full *bool, steps ...string) func(string) error {
	return func(step string) error {
		if *full && slices.Contains(steps, step) {
			return syscall.ENOSPC
		}
		return nil
	}
}

// dataWrites are the steps that write new bytes to the disk.
var dataWrites = []string{"backup-write", "record-write", "tmp-write"}

// fullDiskRun rewrites main.go and nonl.go, creates new.go and deletes
// empty.go, then fills the disk and fails to write cmd/tool.sh.
func fullDiskRun(t *testing.T, s *Store, root string, full *bool) *Run {
	t.Helper()
	orig := sample()
	r := rewrite(t, s, root, []string{"main.go", "nonl.go"}, migrated)
	if err := r.CreateFile("new.go", []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteFile("empty.go", nil); err != nil {
		t.Fatal(err)
	}
	*full = true
	err := r.WriteFile("cmd/tool.sh", orig["cmd/tool.sh"].data, []byte("#!/bin/sh\n"))
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "free some disk space") {
		t.Fatalf("WriteFile on a full disk = %v, want ENOSPC and advice", err)
	}
	return r
}

func TestAbortRestoresEverythingOnAFullDisk(t *testing.T) {
	s, root := newStore(t, sample())
	full := false
	s.faults = diskFull(&full, dataWrites...)
	r := fullDiskRun(t, s, root, &full)
	if err := r.Abort(); err != nil {
		t.Fatalf("Abort on a full disk = %v, want every file restored", err)
	}
	checkTree(t, root, sample())
	full = false
	if info := runInfo(t, s, r.ID()); info.State != StateFailed || info.Restored != info.Files {
		t.Errorf("List = %+v, want failed with every file restored", info)
	}
}

func TestAbortOnAFullDiskWhereEvenTheJournalFails(t *testing.T) {
	s, root := newStore(t, sample())
	full := false
	s.faults = diskFull(&full, append(dataWrites, "journal-write")...)
	r := fullDiskRun(t, s, root, &full)
	err := r.Abort()
	var left *IncompleteError
	if !errors.As(err, &left) || len(left.Left) != 0 {
		t.Fatalf("Abort = %v, want an *IncompleteError with no file left", err)
	}
	for _, want := range []string{"every file was restored", "migrate restore " + r.ID()} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not say %q", err, want)
		}
	}
	checkTree(t, root, sample())
	full = false
	if _, err := s.Restore(r.ID(), nil, false); err != nil {
		t.Fatal(err)
	}
	checkTree(t, root, sample())
	if info := runInfo(t, s, r.ID()); info.State != StateRestored {
		t.Errorf("List = %+v, want restored", info)
	}
}

func TestAbortThatCannotRestoreAFileNamesItAndTheCommand(t *testing.T) {
	s, root := newStore(t, sample())
	full := false
	s.faults = diskFull(&full, dataWrites...)
	r := fullDiskRun(t, s, root, &full)
	migratedNonl := snapshot(t, root)["nonl.go"]
	// Undone newest first: empty.go, new.go, nonl.go, main.go. The link
	// that puts nonl.go back fails too.
	links := 0
	s.faults = func(step string) error {
		if step == "link" {
			if links++; links == 2 {
				return syscall.EIO
			}
		}
		return diskFull(&full, dataWrites...)(step)
	}
	err := r.Abort()
	var left *IncompleteError
	if !errors.As(err, &left) || !slices.Equal(left.Left, []string{"nonl.go"}) {
		t.Fatalf("Abort = %v, want an *IncompleteError leaving nonl.go", err)
	}
	for _, want := range []string{"nonl.go", "no space left on device", "migrate restore " + r.ID()} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not say %q", err, want)
		}
	}
	want := sample()
	want["nonl.go"] = migratedNonl
	checkTree(t, root, want)
	full = false
	s.faults = nil
	if _, err := s.Restore(r.ID(), nil, false); err != nil {
		t.Fatal(err)
	}
	checkTree(t, root, sample())
}

func TestRestoreOnAFullDiskTakesNoNewSpace(t *testing.T) {
	s, root := newStore(t, sample())
	r := rewrite(t, s, root, sampleWrites(), migrated)
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	full := true
	s.faults = diskFull(&full, dataWrites...)
	if _, err := s.Restore("", nil, false); err != nil {
		t.Fatalf("Restore on a full disk = %v", err)
	}
	checkTree(t, root, sample())
	// The manifest could not be rewritten: it is gone rather than stale.
	if _, err := os.Stat(filepath.Join(s.dir, r.ID(), manifestName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("manifest after a restore on a full disk: %v, want it removed", err)
	}
}

func TestWriteFileRefusedWithoutRoomForItsRollback(t *testing.T) {
	s, root := newStore(t, sample())
	full := false
	s.faults = diskFull(&full, "journal-reserve")
	r := rewrite(t, s, root, []string{"main.go"}, migrated)
	full = true
	orig := sample()
	err := r.WriteFile("nonl.go", orig["nonl.go"].data, []byte("package nonl // new"))
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("WriteFile without room in the journal = %v, want ENOSPC", err)
	}
	if got := snapshot(t, root)["nonl.go"].data; string(got) != string(orig["nonl.go"].data) {
		t.Errorf("nonl.go was written: %q", got)
	}
	if err := r.Abort(); err != nil {
		t.Fatal(err)
	}
	checkTree(t, root, orig)
}
