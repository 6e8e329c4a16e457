package steps

import (
	"bytes"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// treeWriter is what a step writes through: a backup run.
type treeWriter interface {
	WriteFile(path string, expectOld, data []byte) error
	CreateFile(path string, data []byte, mode os.FileMode) error
	DeleteFile(path string, expectOld []byte) error
	MkdirAll(path string, perm os.FileMode) error
	RemoveDir(path string) error
}

// vendored reports whether the module at root vendors its dependencies:
// the go command then builds from vendor/, which must follow go.mod.
func vendored(root string) bool {
	_, err := os.Stat(filepath.Join(root, "vendor", "modules.txt"))
	return err == nil
}

// entry is a file or directory of a tree.
type entry struct {
	dir  bool
	data []byte
	mode fs.FileMode
}

// readTree reads every file and directory under root, by slash-separated
// path relative to root.
func readTree(root string) (map[string]entry, error) {
	out := map[string]entry{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == root {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			out[rel] = entry{dir: true, mode: fi.Mode().Perm()}
			return nil
		}
		data, err := os.ReadFile(path)
		out[rel] = entry{data: data, mode: fi.Mode().Perm()}
		return err
	})
	return out, err
}

// treesDiffer reports whether the trees at a and b differ in a file's
// content or in what is a file and what a directory.
func treesDiffer(a, b string) (bool, error) {
	ta, err := readTree(a)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	tb, err := readTree(b)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	return !maps.EqualFunc(ta, tb, func(x, y entry) bool { return x.dir == y.dir && bytes.Equal(x.data, y.data) }), nil
}

// syncTree makes the tree at dst equal to the tree at src, one backed-up
// change at a time through w: files gone from src are deleted and their
// emptied directories removed, deepest first; then new directories are
// made and files written or created. It returns whether anything changed.
func syncTree(w treeWriter, dst, src string) (bool, error) {
	have, err := readTree(dst)
	if err != nil {
		return false, err
	}
	want, err := readTree(src)
	if err != nil {
		return false, err
	}
	changed := false
	abs := func(rel string) string { return filepath.Join(dst, filepath.FromSlash(rel)) }
	var gone []string
	for p, e := range have {
		if n, ok := want[p]; !ok || n.dir != e.dir {
			gone = append(gone, p)
		}
	}
	slices.Sort(gone)
	// Deepest first: a directory's entries go before the directory.
	slices.SortStableFunc(gone, func(a, b string) int { return strings.Count(b, "/") - strings.Count(a, "/") })
	for _, p := range gone {
		changed = true
		if have[p].dir {
			err = w.RemoveDir(abs(p))
		} else {
			err = w.DeleteFile(abs(p), have[p].data)
		}
		if err != nil {
			return changed, err
		}
	}
	for _, p := range slices.Sorted(maps.Keys(want)) {
		n := want[p]
		h, ok := have[p]
		if ok && h.dir == n.dir && (n.dir || bytes.Equal(h.data, n.data)) {
			continue
		}
		changed = true
		switch {
		case n.dir:
			err = w.MkdirAll(abs(p), 0o755)
		case ok && !h.dir:
			err = w.WriteFile(abs(p), h.data, n.data)
		default:
			err = w.CreateFile(abs(p), n.data, n.mode)
		}
		if err != nil {
			return changed, err
		}
	}
	return changed, nil
}
