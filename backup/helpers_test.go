package backup

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// file is the content and mode of a file in a test tree.
type file struct {
	data []byte
	mode fs.FileMode
}

// tree maps slash-separated paths relative to a root to files.
type tree map[string]file

// writeTree creates the files of tr under root, with their exact modes.
func writeTree(t *testing.T, root string, tr tree) {
	t.Helper()
	if err := makeTree(root, tr); err != nil {
		t.Fatal(err)
	}
}

// makeTree creates the files of tr under root, with their exact modes.
func makeTree(root string, tr tree) error {
	for p, f := range tr {
		path := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.data, 0o600); err != nil {
			return err
		}
		if err := os.Chmod(path, f.mode); err != nil {
			return err
		}
	}
	return nil
}

// snapshot reads every file under root, except the store directory.
func snapshot(t *testing.T, root string) tree {
	t.Helper()
	tr, err := readTree(root)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// readTree reads every file under root, except the store directory.
func readTree(root string) (tree, error) {
	tr := tree{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == storeDir {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		tr[filepath.ToSlash(rel)] = file{data: data, mode: fi.Mode()}
		return nil
	})
	return tr, err
}

// diffTrees describes how got differs from want, or returns "".
func diffTrees(want, got tree) string {
	var out []string
	for p, w := range want {
		g, ok := got[p]
		switch {
		case !ok:
			out = append(out, p+": missing")
		case !bytes.Equal(g.data, w.data):
			out = append(out, p+": content differs")
		case g.mode != w.mode:
			out = append(out, p+": mode "+g.mode.String()+", want "+w.mode.String())
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			out = append(out, p+": unexpected file")
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// checkTree fails t unless root holds exactly want.
func checkTree(t *testing.T, root string, want tree) {
	t.Helper()
	if d := diffTrees(want, snapshot(t, root)); d != "" {
		t.Fatalf("tree differs:\n%s", d)
	}
}

// newStore returns a store on a new root holding tr.
func newStore(t *testing.T, tr tree) (*Store, string) {
	t.Helper()
	root := t.TempDir()
	writeTree(t, root, tr)
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	return s, root
}

// rewrite writes new content to each file of tr in one run and returns
// the run. The new content of p is next(p, old).
func rewrite(t *testing.T, s *Store, root string, paths []string, next func(p string, old []byte) []byte) *Run {
	t.Helper()
	r, err := s.Begin(Meta{Rules: []string{"test"}, Command: "migrate run"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		old, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		if err := r.WriteFile(p, old, next(p, old)); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// migrated is a next function for rewrite.
func migrated(p string, old []byte) []byte {
	return append(slices.Clip(old), []byte("\n// migrated "+p+"\n")...)
}

// keys returns the sorted paths of tr.
func keys(tr tree) []string {
	var ks []string
	for k := range tr {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// runInfo returns the RunInfo of run id.
func runInfo(t *testing.T, s *Store, id string) RunInfo {
	t.Helper()
	runs, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("run %s not listed", id)
	return RunInfo{}
}

// sample is a small tree covering the cases that break naive backups.
func sample() tree {
	return tree{
		"main.go":        {[]byte("package main\n\nfunc main() {}\n"), 0o644},
		"cmd/tool.sh":    {[]byte("#!/bin/sh\necho hi\n"), 0o755},
		"secret/key.go":  {[]byte("package secret\n\nconst key = 1\n"), 0o600},
		"nonl.go":        {[]byte("package nonl"), 0o644},
		"bin/blob.dat":   {[]byte{0, 1, 2, 0xff, 0xfe, '\r', '\n', 0, 0x80}, 0o644},
		"readonly.go":    {[]byte("package ro\n"), 0o444},
		"empty.go":       {[]byte{}, 0o644},
		"deep/a/b/c.go":  {[]byte("package c\n"), 0o640},
		"untouched.txt":  {[]byte("not part of the run\n"), 0o644},
		"setgid/tool.sh": {[]byte("#!/bin/sh\n"), 0o755 | fs.ModeSetgid},
	}
}
