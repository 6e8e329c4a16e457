package backup

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestRestoreRefusesConflictsAndForceSavesThem(t *testing.T) {
	orig := sample()
	s, root := newStore(t, orig)
	r := rewrite(t, s, root, sampleWrites(), migrated)
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	edits := tree{"main.go": {[]byte("package main // edited by hand\n"), 0o600}}
	writeTree(t, root, edits)
	os.Remove(filepath.Join(root, "nonl.go"))
	before := snapshot(t, root)

	_, err := s.Restore("", nil, false)
	var conflict *ConflictError
	if !errors.As(err, &conflict) || !slices.Equal(conflict.Files, []string{"main.go", "nonl.go"}) || conflict.Partial {
		t.Fatalf("Restore = %v, want *ConflictError for main.go and nonl.go", err)
	}
	if !strings.Contains(err.Error(), "--force") {
		t.Errorf("message %q does not mention --force", err)
	}
	checkTree(t, root, before) // nothing restored

	rep, err := s.Restore("", nil, true)
	if err != nil {
		t.Fatal(err)
	}
	checkTree(t, root, orig)
	if rep.SavedRun == "" || rep.SavedRun == r.ID() {
		t.Fatalf("report.SavedRun = %q, want a new run", rep.SavedRun)
	}
	if info := runInfo(t, s, rep.SavedRun); info.State != StateComplete || info.Files < 3 {
		t.Errorf("saved run = %+v, want complete with every file the restore changed", info)
	}
	if _, err := s.Restore(rep.SavedRun, nil, false); err != nil {
		t.Fatal(err)
	}
	// The whole tree is back as it was before the restore: the edit, the
	// deletion, and the migrated files beside them, not a mix.
	checkTree(t, root, before)
}

func TestRestoreOnlySomeFiles(t *testing.T) {
	orig := sample()
	s, root := newStore(t, orig)
	r := rewrite(t, s, root, sampleWrites(), migrated)
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	migratedTree := snapshot(t, root)
	some := []string{"cmd/tool.sh", filepath.Join(root, "secret", "key.go")}
	rep, err := s.Restore(r.ID(), some, false)
	if err != nil {
		t.Fatal(err)
	}
	want := migratedTree
	want["cmd/tool.sh"], want["secret/key.go"] = orig["cmd/tool.sh"], orig["secret/key.go"]
	checkTree(t, root, want)
	if !slices.Equal(rep.Restored, []string{"cmd/tool.sh", "secret/key.go"}) || rep.State != StateComplete {
		t.Errorf("report = %+v, want the two files restored and the run still complete", rep)
	}
	if _, err := s.Restore(r.ID(), []string{"untouched.txt"}, false); err == nil || !strings.Contains(err.Error(), "not in this run") {
		t.Errorf("Restore of a file outside the run = %v, want not in this run", err)
	}
	rep, err = s.Restore(r.ID(), []string{"cmd/tool.sh"}, false)
	if err != nil || !rep.AlreadyRestored {
		t.Errorf("Restore of a restored file = %+v, %v, want AlreadyRestored", rep, err)
	}
	rep, err = s.Restore(r.ID(), nil, false)
	if err != nil {
		t.Fatal(err)
	}
	checkTree(t, root, orig)
	if len(rep.Restored) != len(sampleWrites())-2 || rep.State != StateRestored {
		t.Errorf("report = %+v, want the remaining files restored and the run restored", rep)
	}
}

func TestRestoreTwiceIsANoOp(t *testing.T) {
	orig := sample()
	s, root := newStore(t, orig)
	r := rewrite(t, s, root, sampleWrites(), migrated)
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Restore("", nil, false); err != nil {
		t.Fatal(err)
	}
	writeTree(t, root, tree{"main.go": {[]byte("edited after the restore"), 0o644}})
	rep, err := s.Restore("", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.AlreadyRestored || rep.State != StateRestored || len(rep.Restored) != 0 {
		t.Errorf("second Restore = %+v, want AlreadyRestored and nothing done", rep)
	}
	if got := snapshot(t, root)["main.go"].data; string(got) != "edited after the restore" {
		t.Errorf("second Restore touched main.go: %q", got)
	}
}

func TestRestoreInterruptedRun(t *testing.T) {
	orig := sample()
	s, root := newStore(t, orig)
	r := rewrite(t, s, root, []string{"main.go", "nonl.go"}, migrated)
	// Journal a third write as a crash would leave it: the entry and the
	// temp file exist, the target was not replaced yet.
	e, err := r.backup("empty.go", nil, true, 0o644, sum([]byte("new")))
	if err != nil {
		t.Fatal(err)
	}
	writeTree(t, root, tree{e.Tmp: {[]byte("new"), 0o600}})
	r.close() // crash: no Commit, no Abort

	if info := runInfo(t, s, r.ID()); info.State != StateInterrupted || info.Files != 3 {
		t.Errorf("List = %+v, want interrupted with 3 files", info)
	}
	_, err = s.Begin(Meta{})
	var stuck *InterruptedError
	if !errors.As(err, &stuck) || !slices.Equal(stuck.IDs, []string{r.ID()}) {
		t.Fatalf("Begin = %v, want *InterruptedError for %s", err, r.ID())
	}
	for _, want := range []string{"migrate restore " + r.ID(), "migrate backups prune --force"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not mention %q", err, want)
		}
	}
	rep, err := s.Restore("", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	checkTree(t, root, orig) // including: the temp file is gone
	if len(rep.Restored) != 2 || !slices.Equal(rep.Unchanged, []string{"empty.go"}) || rep.State != StateRestored {
		t.Errorf("report = %+v, want 2 restored, empty.go unchanged, run restored", rep)
	}
	next, err := s.Begin(Meta{})
	if err != nil {
		t.Fatalf("Begin after restoring the interrupted run: %v", err)
	}
	next.Commit()
}

func TestTornJournalLineIsTolerated(t *testing.T) {
	orig := sample()
	s, root := newStore(t, orig)
	r := rewrite(t, s, root, []string{"main.go", "nonl.go", "cmd/tool.sh"}, migrated)
	r.close() // crash
	path := filepath.Join(s.dir, r.ID(), journalName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"op":"file","seq":4,"path":"readon`)
	f.Close()

	if info := runInfo(t, s, r.ID()); info.State != StateInterrupted || info.Files != 3 {
		t.Errorf("List with a torn line = %+v, want interrupted with 3 files", info)
	}
	if _, err := s.Restore("", nil, false); err != nil {
		t.Fatal(err)
	}
	checkTree(t, root, orig)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, valid, _ := parseJournal(data, ""); valid != len(data) || strings.Contains(string(data), "readon") {
		t.Errorf("journal after restore still holds the torn line:\n%s", data)
	}
	if info := runInfo(t, s, r.ID()); info.State != StateRestored {
		t.Errorf("state = %s, want restored", info.State)
	}
}

func TestRestoreRefusesDamagedBackup(t *testing.T) {
	orig := sample()
	s, root := newStore(t, orig)
	r := rewrite(t, s, root, []string{"main.go", "nonl.go"}, migrated)
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, root)
	damaged := filepath.Join(s.dir, r.ID(), filesDir, "00002")
	if err := os.WriteFile(damaged, []byte("bit rot"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Restore("", nil, false); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("Restore = %v, want a damaged backup error", err)
	}
	checkTree(t, root, before)
}

func TestRestoreUnknownRun(t *testing.T) {
	s, _ := newStore(t, tree{})
	var none *NoRunError
	if _, err := s.Restore("", nil, false); !errors.As(err, &none) {
		t.Errorf("Restore with no runs = %v, want *NoRunError", err)
	}
	if _, err := s.Restore("../../etc", nil, false); !errors.As(err, &none) {
		t.Errorf("Restore of a bad id = %v, want *NoRunError", err)
	}
}

func TestModeOnlyChangeIsNotAConflict(t *testing.T) {
	orig := tree{"a.go": {[]byte("a"), 0o644}, "b.go": {[]byte("b"), 0o755}}
	s, root := newStore(t, orig)
	r := rewrite(t, s, root, []string{"a.go", "b.go"}, migrated)
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(root, "b.go"), 0o600) // a mode-only change is not a conflict
	if _, err := s.Restore("", nil, false); err != nil {
		t.Fatal(err)
	}
	checkTree(t, root, orig)
}
