package backup

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// varied runs one complete run over sample() that rewrites two files,
// creates one, deletes one and makes a directory, and returns the run's
// id and the tree after it.
func varied(t *testing.T, s *Store, root string) string {
	t.Helper()
	orig := sample()
	r := rewrite(t, s, root, []string{"main.go", "cmd/tool.sh"}, migrated)
	if err := r.CreateFile("created.go", []byte("package main // new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteFile("nonl.go", orig["nonl.go"].data); err != nil {
		t.Fatal(err)
	}
	if err := r.MkdirAll("made/sub", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteFile("deep/a/b/c.go", orig["deep/a/b/c.go"].data, []byte("package c // last\n")); err != nil {
		t.Fatal(err)
	}
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	return r.ID()
}

// journalCuts returns the offsets at which to cut a journal: each line's
// start and middle, and one byte before its end.
func journalCuts(data []byte) []int {
	var cuts []int
	start := 0
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		cuts = append(cuts, start, start+len(line)/2, start+len(line)-1)
		start += len(line)
	}
	return cuts
}

func TestRestoreAfterTheJournalIsCutAnywhere(t *testing.T) {
	s, root := newStore(t, sample())
	id := varied(t, s, root)
	journal, err := os.ReadFile(filepath.Join(s.dir, id, journalName))
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range journalCuts(journal) {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			s, root := newStore(t, sample())
			id := varied(t, s, root)
			path := filepath.Join(s.dir, id, journalName)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, data[:cut], 0o600); err != nil {
				t.Fatal(err)
			}
			// Every file the run wrote has its backup beside the journal,
			// so the whole run comes back, whatever the journal lost.
			rep, err := s.Restore("", nil, false)
			if err != nil {
				t.Fatalf("Restore = %v, want the whole run restored from its backups", err)
			}
			checkTree(t, root, sample())
			if _, err := os.Stat(filepath.Join(root, "made")); err == nil {
				t.Errorf("the directory the run made is still there")
			}
			if rep.ID != id || rep.State != StateRestored {
				t.Errorf("report = %+v, want run %s restored", rep, id)
			}
			if info := runInfo(t, s, id); info.State != StateRestored {
				t.Errorf("List = %+v, want restored", info)
			}
		})
	}
}

// editJournal replaces the first old in the journal of run id by new.
func editJournal(t *testing.T, s *Store, id, old, new string) {
	t.Helper()
	path := filepath.Join(s.dir, id, journalName)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("journal of %s has no %q:\n%s", id, old, data)
	}
	data = bytes.Replace(data, []byte(old), []byte(new), 1)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRestoreRefusesAJournalNamingAFileOutsideTheRun(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "mod")
	orig := tree{"go.mod": {[]byte("module m\n"), 0o644}, "a.go": {[]byte("package a\n"), 0o644}}
	writeTree(t, root, orig)
	outside := []byte("a secret from outside the module\n")
	writeTree(t, base, tree{"outside.txt": {outside, 0o600}})
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	r := rewrite(t, s, root, []string{"a.go"}, migrated)
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	id := r.ID()
	after := snapshot(t, root)
	tmp := tmpName("a.go", id, 1)
	cases := []struct{ old, new, field string }{
		{`"tmp":"` + tmp + `"`, `"tmp":"go.mod"`, "tmp"},
		{`"tmp":"` + tmp + `"`, `"tmp":"../x.tmp"`, "tmp"},
		{`"backup":"files/00001"`, `"backup":"../../../outside.txt"`, "backup"},
		{`"backup":"files/00001"`, `"backup":"journal.jsonl"`, "backup"},
		{`"path":"a.go"`, `"path":"../outside.txt"`, "path"},
		{`"path":"a.go"`, `"path":"/etc/passwd"`, "path"},
		{`"path":"a.go"`, `"path":".migrate/x"`, "path"},
		{`"path":"a.go"`, `"path":"./a.go"`, "path"},
		{`"mode":420`, `"mode":2147484141`, "mode"},
		{`"op":"written","seq":1`, `"op":"written","seq":7`, "seq"},
		{`"op":"written"`, `"op":"frobbed"`, "op"},
		{`"state":"complete"`, `"state":"happy"`, "state"},
		{`"op":"written","seq":1}`, `not json}`, ""},
	}
	for _, c := range cases {
		t.Run(c.new, func(t *testing.T) {
			path := filepath.Join(s.dir, id, journalName)
			saved, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer os.WriteFile(path, saved, 0o600)
			if c.new == `"backup":"../../../outside.txt"` {
				// With the digest of the outside file, only the path
				// keeps it out.
				editJournal(t, s, id, sum(orig["a.go"].data), sum(outside))
			}
			editJournal(t, s, id, c.old, c.new)
			_, err = s.Restore(id, nil, false)
			var damaged *DamagedError
			if !errors.As(err, &damaged) {
				t.Fatalf("Restore = %v, want a *DamagedError", err)
			}
			for _, want := range []string{"restore " + id + ": ", journalName + " line ", "nothing was restored"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message %q does not say %q", err, want)
				}
			}
			if c.field != "" && !strings.Contains(err.Error(), "field "+c.field+":") {
				t.Errorf("message %q does not name the field %s", err, c.field)
			}
			checkTree(t, root, after)
			checkTree(t, base, tree{"outside.txt": {outside, 0o600}, "mod/go.mod": orig["go.mod"], "mod/a.go": after["a.go"]})
		})
	}
}

func TestRestoreRefusesAJournalDamagedInTheMiddle(t *testing.T) {
	s, root := newStore(t, sample())
	id := varied(t, s, root)
	after := snapshot(t, root)
	editJournal(t, s, id, `{"op":"written","seq":1}`, `{"op":"written","seq":1`)
	_, err := s.Restore(id, nil, false)
	var damaged *DamagedError
	if !errors.As(err, &damaged) || damaged.Line != 3 {
		t.Fatalf("Restore = %v, want a *DamagedError at line 3", err)
	}
	checkTree(t, root, after)
	if info := runInfo(t, s, id); info.State != StateDamaged {
		t.Errorf("List = %+v, want damaged", info)
	}
	var stuck *InterruptedError
	if _, err := s.Begin(Meta{}); !errors.As(err, &stuck) {
		t.Errorf("Begin with a damaged run = %v, want it refused", err)
	}
}

func TestRestoreRefusesADamagedRecordBesideABackup(t *testing.T) {
	s, root := newStore(t, sample())
	id := varied(t, s, root)
	after := snapshot(t, root)
	path := filepath.Join(s.dir, id, journalName)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Keep the begin line only, so that the records beside the backups
	// are all there is, and damage one of them.
	if err := os.WriteFile(path, data[:bytes.IndexByte(data, '\n')+1], 0o600); err != nil {
		t.Fatal(err)
	}
	side := filepath.Join(s.dir, id, filesDir, "00002.json")
	rec, err := os.ReadFile(side)
	if err != nil {
		t.Fatal(err)
	}
	rec = bytes.Replace(rec, []byte(`"path":"cmd/tool.sh"`), []byte(`"path":"../tool.sh"`), 1)
	if err := os.WriteFile(side, rec, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = s.Restore(id, nil, false)
	var damaged *DamagedError
	if !errors.As(err, &damaged) || !strings.Contains(err.Error(), "files/00002.json: field path:") {
		t.Fatalf("Restore = %v, want a *DamagedError naming files/00002.json and the path", err)
	}
	checkTree(t, root, after)
}

func TestRestoreRefusesAJournalLineThatDisagreesWithItsKeptRecord(t *testing.T) {
	s, root := newStore(t, sample())
	id := varied(t, s, root)
	after := snapshot(t, root)
	editJournal(t, s, id, `"mode":420`, `"mode":438`)
	_, err := s.Restore(id, nil, false)
	var damaged *DamagedError
	if !errors.As(err, &damaged) || damaged.Line != 2 || damaged.Field != "mode" || !strings.Contains(err.Error(), "files/00001.json says -rw-r--r--") {
		t.Fatalf("Restore = %v, want a *DamagedError for the mode at line 2", err)
	}
	checkTree(t, root, after)
}
