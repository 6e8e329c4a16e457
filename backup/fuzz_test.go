package backup

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// fuzzID stands for the id of the fuzzed run in the fuzzer's journals,
// whose run ids are times.
const fuzzID = "@ID@"

// fuzzModule is the template FuzzRestore copies for each input: a module
// with an older run, and the run whose journal is fuzzed.
type fuzzModule struct {
	base     string         // holds outside.txt and the module mod/
	id       string         // the fuzzed run
	other    string         // the older run, which must stay intact
	orig     tree           // base before the fuzzed run
	migrated tree           // base after it
	paths    map[int]string // the path of each seq of the fuzzed run
	journal  []byte         // its journal, with fuzzID for its id
}

// newFuzzModule builds the template under base.
func newFuzzModule(tb testing.TB, base string) *fuzzModule {
	tb.Helper()
	m := &fuzzModule{base: base}
	root := filepath.Join(base, "mod")
	err := makeTree(base, tree{
		"outside.txt":  {[]byte("outside the module\n"), 0o644},
		"mod/go.mod":   {[]byte("module m\n"), 0o644},
		"mod/a.go":     {[]byte("package m\n"), 0o644},
		"mod/p/b.go":   {[]byte("package p\n"), 0o755},
		"mod/d.go":     {[]byte("package m // deleted\n"), 0o600},
		"mod/e.go":     {[]byte("package m // older run\n"), 0o644},
		"mod/keep.txt": {[]byte("untouched\n"), 0o644},
	})
	if err == nil {
		err = os.Mkdir(filepath.Join(root, "gone"), 0o750)
	}
	if err == nil {
		err = m.runs(root)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// runs makes the older run and the fuzzed one, and records the trees.
func (m *fuzzModule) runs(root string) error {
	s, err := Open(root)
	if err != nil {
		return err
	}
	other, err := s.Begin(Meta{})
	if err == nil {
		err = other.WriteFile("e.go", []byte("package m // older run\n"), []byte("package m // older run, migrated\n"))
	}
	if err == nil {
		err = other.Commit()
	}
	if err != nil {
		return err
	}
	m.other = other.ID()
	if m.orig, err = readTree(m.base); err != nil {
		return err
	}
	r, err := s.Begin(Meta{Rules: []string{"fuzz"}})
	if err != nil {
		return err
	}
	m.id = r.ID()
	m.paths = map[int]string{1: "a.go", 2: "p/b.go", 3: "c.go", 4: "d.go", 5: "gone", 6: "made", 7: "made/x", 8: "made/x/n.go"}
	for _, op := range []func() error{
		func() error { return r.WriteFile("a.go", []byte("package m\n"), []byte("package m // migrated\n")) },
		func() error { return r.WriteFile("p/b.go", []byte("package p\n"), []byte("package p // migrated\n")) },
		func() error { return r.CreateFile("c.go", []byte("package m // created\n"), 0o644) },
		func() error { return r.DeleteFile("d.go", []byte("package m // deleted\n")) },
		func() error { return r.RemoveDir("gone") },
		func() error { return r.MkdirAll("made/x", 0o755) },
		func() error { return r.CreateFile("made/x/n.go", []byte("package x\n"), 0o600) },
		r.Commit,
	} {
		if err := op(); err != nil {
			return err
		}
	}
	if m.migrated, err = readTree(m.base); err != nil {
		return err
	}
	journal, err := os.ReadFile(filepath.Join(s.dir, m.id, journalName))
	m.journal = bytes.ReplaceAll(journal, []byte(m.id), []byte(fuzzID))
	return err
}

// FuzzRestore restores the fuzzed run of a copy of the template with the
// fuzzer's bytes as its journal (fuzzID standing for its id), then prunes
// with force. It never panics, never touches a file outside the module or
// the older run's backups, and leaves every file of the module either
// original or as the run wrote it; a restore that succeeds leaves every
// file original, but for those the journal itself says were restored (or
// never written).
func FuzzRestore(f *testing.F) {
	m := newFuzzModule(f, f.TempDir())
	f.Add(m.journal)
	f.Add(m.journal[:len(m.journal)/2])
	f.Fuzz(func(t *testing.T, journal []byte) {
		base := t.TempDir()
		if err := copyTree(m.base, base); err != nil {
			t.Fatal(err)
		}
		root := filepath.Join(base, "mod")
		runDir := filepath.Join(root, storeDir, m.id)
		if err := os.WriteFile(filepath.Join(runDir, journalName), bytes.ReplaceAll(journal, []byte(fuzzID), []byte(m.id)), 0o600); err != nil {
			t.Fatal(err)
		}
		otherDir := filepath.Join(root, storeDir, m.other)
		other := snapshot(t, otherDir)
		s, err := Open(root)
		if err != nil {
			t.Fatal(err)
		}
		s.List()
		_, err = s.Restore(m.id, nil, false)
		m.check(t, base, err == nil, claimed(journal))
		checkTree(t, otherDir, other)
		if runs, err := s.List(); err == nil {
			s.Prune(len(runs), true)
		}
		m.check(t, base, false, nil)
		checkTree(t, otherDir, other)
	})
}

// check fails t unless every file under base is as before the run or as
// the run left it, and, if restored is set, as before the run but for
// the seqs in exempt.
func (m *fuzzModule) check(t *testing.T, base string, restored bool, exempt map[int]bool) {
	t.Helper()
	got := snapshot(t, base)
	for p := range got {
		if _, ok := m.orig[p]; !ok {
			if _, ok := m.migrated[p]; !ok {
				t.Fatalf("%s was created", p)
			}
		}
	}
	free := map[string]bool{}
	for seq := range exempt {
		free["mod/"+m.paths[seq]] = true
	}
	for _, p := range append(keys(m.orig), keys(m.migrated)...) {
		g, gok := got[p]
		o, ook := m.orig[p]
		w, wok := m.migrated[p]
		isOrig := gok == ook && (!gok || g.mode == o.mode && bytes.Equal(g.data, o.data))
		isRun := gok == wok && (!gok || g.mode == w.mode && bytes.Equal(g.data, w.data))
		switch {
		case !isOrig && !isRun:
			t.Fatalf("%s is neither original nor as the run left it: %q %v", p, g.data, g.mode)
		case restored && !isOrig && !free[p]:
			t.Fatalf("restore succeeded but left %s as the run wrote it", p)
		}
	}
}

// claimed returns the seqs that lines of journal say were restored or
// skipped, which a restore rightly leaves alone.
func claimed(journal []byte) map[int]bool {
	seqs := map[int]bool{}
	for _, line := range bytes.Split(journal, []byte("\n")) {
		var r record
		if json.Unmarshal(line, &r) == nil && (r.Op == opRestored || r.Op == opSkipped) {
			seqs[r.Seq] = true
		}
	}
	return seqs
}

// copyTree copies the files and directories under from to to, with their
// modes.
func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			if err := os.MkdirAll(dst, 0o700); err != nil {
				return err
			}
			return os.Chmod(dst, fi.Mode()&modeBits)
		}
		data, err := os.ReadFile(path)
		if err == nil {
			err = os.WriteFile(dst, data, 0o600)
		}
		if err == nil {
			err = os.Chmod(dst, fi.Mode()&modeBits)
		}
		return err
	})
}
