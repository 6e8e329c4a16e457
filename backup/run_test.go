package backup

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sampleWrites are the files of sample that the tests rewrite.
func sampleWrites() []string {
	return slices.DeleteFunc(keys(sample()), func(p string) bool { return p == "untouched.txt" })
}

func TestRoundTripIsByteAndModeExact(t *testing.T) {
	orig := sample()
	s, root := newStore(t, orig)
	shrink := func(p string, old []byte) []byte {
		if p == "main.go" {
			return []byte("package main") // shorter, no trailing newline
		}
		return migrated(p, old)
	}
	r := rewrite(t, s, root, sampleWrites(), shrink)
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	after := snapshot(t, root)
	for _, p := range sampleWrites() {
		if got, want := after[p].data, shrink(p, orig[p].data); string(got) != string(want) {
			t.Errorf("%s after the run = %q, want %q", p, got, want)
		}
		if after[p].mode != orig[p].mode {
			t.Errorf("%s: the run changed the mode to %v, want %v", p, after[p].mode, orig[p].mode)
		}
	}
	info := runInfo(t, s, r.ID())
	if info.State != StateComplete || info.Files != len(sampleWrites()) || !slices.Equal(info.Rules, []string{"test"}) {
		t.Errorf("List = %+v, want complete with %d files and rules [test]", info, len(sampleWrites()))
	}
	rep, err := s.Restore("", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	checkTree(t, root, orig)
	if rep.ID != r.ID() || len(rep.Restored) != len(sampleWrites()) || rep.State != StateRestored {
		t.Errorf("report = %+v, want all %d files of %s restored", rep, len(sampleWrites()), r.ID())
	}
}

func TestWriteFileRefusesFileChangedSinceRead(t *testing.T) {
	s, root := newStore(t, tree{"a.go": {[]byte("package a\n"), 0o644}})
	r, err := s.Begin(Meta{})
	if err != nil {
		t.Fatal(err)
	}
	err = r.WriteFile("a.go", []byte("package a // as read\n"), []byte("package b\n"))
	var changed *ChangedError
	if !errors.As(err, &changed) || changed.Path != "a.go" {
		t.Fatalf("WriteFile = %v, want *ChangedError for a.go", err)
	}
	if !strings.Contains(err.Error(), "changed since it was read; re-run migrate") {
		t.Errorf("message %q does not tell the user what to do", err)
	}
	checkTree(t, root, tree{"a.go": {[]byte("package a\n"), 0o644}})
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := runInfo(t, s, r.ID()).Files; n != 0 {
		t.Errorf("run records %d files, want 0", n)
	}
}

func TestWriteFileSkipsIdenticalContent(t *testing.T) {
	s, root := newStore(t, tree{"a.go": {[]byte("package a\n"), 0o644}})
	r := rewrite(t, s, root, []string{"a.go"}, func(_ string, old []byte) []byte { return old })
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := runInfo(t, s, r.ID()).Files; n != 0 {
		t.Errorf("run records %d files for an identical write, want 0", n)
	}
}

func TestWriteFileRefusesBadPaths(t *testing.T) {
	s, root := newStore(t, tree{"a.go": {[]byte("a"), 0o644}, "dir/b.go": {[]byte("b"), 0o644}})
	outside := filepath.Join(t.TempDir(), "x.go")
	if err := os.WriteFile(outside, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.go", filepath.Join(root, "link.go")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(outside), filepath.Join(root, "out")); err != nil {
		t.Fatal(err)
	}
	r := rewrite(t, s, root, []string{"a.go"}, migrated)
	for _, tc := range []struct{ path, want string }{
		{"a.go", "already written"},
		{outside, "outside the module root"},
		{"../x.go", "outside the module root"},
		{"out/x.go", "escapes"},
		{".migrate/.gitignore", "inside the backup directory"},
		{"link.go", "not a regular file"},
		{"dir", "not a regular file"},
		{"missing.go", "no such file"},
	} {
		old, _ := os.ReadFile(filepath.Join(root, tc.path))
		err := r.WriteFile(tc.path, old, []byte("new"))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("WriteFile(%s) = %v, want an error containing %q", tc.path, err, tc.want)
		}
	}
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteFile("dir/b.go", []byte("b"), []byte("c")); err == nil || !strings.Contains(err.Error(), "finished") {
		t.Errorf("WriteFile after Commit = %v, want a finished run error", err)
	}
	if data, _ := os.ReadFile(outside); string(data) != "x" {
		t.Errorf("file outside the root was written: %q", data)
	}
}

func TestCreateFileIsRemovedByRestore(t *testing.T) {
	orig := tree{"a.go": {[]byte("package a\n"), 0o644}, "b.go": {[]byte("package b\n"), 0o644}}
	s, root := newStore(t, orig)
	r := rewrite(t, s, root, []string{"a.go"}, migrated)
	if err := r.CreateFile("a_new.go", []byte("package a // new"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := r.CreateFile(filepath.Join(root, "b.go"), []byte("x"), 0o644); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("CreateFile over an existing file = %v, want already exists", err)
	}
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	got := snapshot(t, root)["a_new.go"]
	if string(got.data) != "package a // new" || got.mode != 0o750 {
		t.Errorf("created file = %q %v, want the data with mode 0750 exactly", got.data, got.mode)
	}
	rep, err := s.Restore(r.ID(), nil, false)
	if err != nil {
		t.Fatal(err)
	}
	checkTree(t, root, orig)
	if !slices.Equal(rep.Removed, []string{"a_new.go"}) {
		t.Errorf("report.Removed = %v, want [a_new.go]", rep.Removed)
	}
}

func TestCreatedFileChangedSinceIsAConflict(t *testing.T) {
	s, root := newStore(t, tree{})
	r, err := s.Begin(Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.CreateFile("new.go", []byte("v1"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	writeTree(t, root, tree{"new.go": {[]byte("v2 by the user"), 0o644}})
	var conflict *ConflictError
	if _, err := s.Restore("", nil, false); !errors.As(err, &conflict) {
		t.Fatalf("Restore = %v, want *ConflictError", err)
	}
	rep, err := s.Restore("", nil, true)
	if err != nil {
		t.Fatal(err)
	}
	checkTree(t, root, tree{})
	if _, err := s.Restore(rep.SavedRun, nil, false); err != nil {
		t.Fatal(err)
	}
	checkTree(t, root, tree{"new.go": {[]byte("v2 by the user"), 0o644}})
}

// failingHook fails step when armed is set.
func failingHook(step string, armed *bool) func(string) error {
	return func(s string) error {
		if *armed && s == step {
			return errors.New("injected " + step + " failure")
		}
		return nil
	}
}

func TestAbortRestoresAfterAFailedWrite(t *testing.T) {
	steps := []string{"read", "journal-reserve", "backup-write", "backup-sync", "record-write", "record-sync", "backup-dir-sync", "journal-write",
		"journal-sync", "tmp-create", "tmp-write", "tmp-sync", "rename", "swap", "dir-sync", "written"}
	for _, step := range steps {
		t.Run(step, func(t *testing.T) {
			orig := sample()
			s, root := newStore(t, orig)
			armed := false
			s.faults = failingHook(step, &armed)
			r, err := s.Begin(Meta{})
			if err != nil {
				t.Fatal(err)
			}
			if err := r.CreateFile("created.go", []byte("package created\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			paths := sampleWrites()
			for i, p := range paths[:3] {
				armed = i == 2
				old := orig[p].data
				err := r.WriteFile(p, old, migrated(p, old))
				if i < 2 && err != nil {
					t.Fatal(err)
				}
				if i == 2 && (err == nil || !strings.Contains(err.Error(), "injected") || !strings.Contains(err.Error(), p)) {
					t.Fatalf("WriteFile with %s failing = %v, want the injected error naming %s", step, err, p)
				}
			}
			armed = false
			if err := r.Abort(); err != nil {
				t.Fatal(err)
			}
			checkTree(t, root, orig)
			if st := runInfo(t, s, r.ID()).State; st != StateFailed {
				t.Errorf("state after Abort = %s, want failed", st)
			}
		})
	}
}

func TestCreateFileFailureIsRestoredByAbort(t *testing.T) {
	for _, step := range []string{"tmp-create", "tmp-write", "tmp-sync", "link", "dir-sync"} {
		t.Run(step, func(t *testing.T) {
			orig := sample()
			s, root := newStore(t, orig)
			armed := false
			s.faults = failingHook(step, &armed)
			r := rewrite(t, s, root, []string{"main.go"}, migrated)
			armed = true
			if err := r.CreateFile("new.go", []byte("package main\n"), 0o644); err == nil {
				t.Fatal("CreateFile succeeded, want the injected error")
			}
			armed = false
			if err := r.Abort(); err != nil {
				t.Fatal(err)
			}
			checkTree(t, root, orig)
		})
	}
}

func TestBackupIsDurableBeforeTheFileIsTouched(t *testing.T) {
	s, root := newStore(t, tree{"a.go": {[]byte("package a\n"), 0o644}})
	var got []string
	s.faults = func(step string) error { got = append(got, step); return nil }
	r := rewrite(t, s, root, []string{"a.go"}, migrated)
	got = got[slices.Index(got, "read"):]
	want := []string{"read", "journal-reserve", "backup-write", "backup-sync", "record-write", "record-sync", "backup-dir-sync", "journal-write", "journal-sync",
		"tmp-create", "tmp-write", "tmp-sync", "rename", "swap", "dir-sync", "written", "journal-write"}
	if !slices.Equal(got, want) {
		t.Errorf("steps of WriteFile:\n got %v\nwant %v", got, want)
	}
	r.Commit()
}

func TestFailedJournalAppendIsCutOff(t *testing.T) {
	orig := sample()
	s, root := newStore(t, orig)
	armed := false
	s.faults = failingHook("journal-sync", &armed)
	r := rewrite(t, s, root, []string{"main.go", "nonl.go"}, migrated)
	armed = true // the journal line is written, but its sync fails
	if err := r.WriteFile("empty.go", nil, []byte("x")); err == nil {
		t.Fatal("WriteFile succeeded, want the injected error")
	}
	armed = false
	if err := r.Abort(); err != nil {
		t.Fatal(err)
	}
	checkTree(t, root, orig)
	recs, err := readJournal(filepath.Join(s.dir, r.ID(), journalName))
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if rec.Path == "empty.go" {
			t.Errorf("journal keeps the entry whose append failed: %+v", rec)
		}
	}
	if info := runInfo(t, s, r.ID()); info.Files != 2 || info.State != StateFailed {
		t.Errorf("List = %+v, want 2 files, failed", info)
	}
}

func TestAbortLeavesFilesChangedDuringTheRun(t *testing.T) {
	orig := sample()
	s, root := newStore(t, orig)
	r := rewrite(t, s, root, []string{"main.go", "nonl.go"}, migrated)
	writeTree(t, root, tree{"nonl.go": {[]byte("edited meanwhile"), 0o644}})
	err := r.Abort()
	var conflict *ConflictError
	if !errors.As(err, &conflict) || !conflict.Partial || !slices.Equal(conflict.Files, []string{"nonl.go"}) {
		t.Fatalf("Abort = %v, want a partial *ConflictError for nonl.go", err)
	}
	want := sample()
	want["nonl.go"] = file{[]byte("edited meanwhile"), 0o644}
	checkTree(t, root, want)
	if _, err := s.Restore(r.ID(), nil, true); err != nil {
		t.Fatal(err)
	}
	checkTree(t, root, orig)
}
