package backup

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
)

// dirMark stands for "a directory" in the Before and After of a journal
// line about a directory.
const dirMark = "dir"

// DeleteFile removes the file at path (absolute, or relative to the root)
// after backing it up. expectOld is the content the caller read: if the
// file holds anything else, checked again just before the removal,
// DeleteFile returns a *ChangedError and removes nothing. Restoring the
// run writes the file back.
func (r *Run) DeleteFile(path string, expectOld []byte) error {
	rel, err := r.claim(path)
	if err != nil {
		return fmt.Errorf("delete %s: %w", path, err)
	}
	old, mode, err := readRegular(r.root, native(rel))
	if err != nil {
		return withAdvice("delete "+rel, err)
	}
	if string(old) != string(expectOld) {
		return &ChangedError{Path: rel}
	}
	e, err := r.backup(rel, old, true, mode, "")
	if err != nil {
		return withAdvice("delete "+rel+": back up", err)
	}
	err = removeChecked(r.root, native(rel), r.s.faults, holds(r.root, native(rel), e.Before).check)
	switch {
	case errors.Is(err, errChanged):
		return r.skip(e)
	case err != nil:
		return withAdvice("delete "+rel, err)
	}
	return r.written(e)
}

// MkdirAll creates the directory at path (absolute, or relative to the
// root) and any missing parents, with mode perm (applied exactly). Each
// directory it creates is journaled first, so that restoring the run
// removes it again if it is empty by then.
func (r *Run) MkdirAll(path string, perm fs.FileMode) error {
	rel, err := r.s.rel(path)
	if err != nil {
		return fmt.Errorf("mkdir %s: %w", path, err)
	}
	var missing []string
	for d := rel; d != "." && d != "/" && d != ""; d = pathDir(d) {
		fi, err := r.root.Lstat(native(d))
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("mkdir %s: %s is not a directory", rel, d)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return withAdvice("mkdir "+rel, err)
		}
		missing = append(missing, d)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := r.dirOp(missing[i], "", dirMark, perm); err != nil {
			return err
		}
	}
	return nil
}

// RemoveDir removes the empty directory at path (absolute, or relative to
// the root), journaling it first, so that restoring the run makes it
// again with its mode.
func (r *Run) RemoveDir(path string) error {
	rel, err := r.s.rel(path)
	if err != nil {
		return fmt.Errorf("rmdir %s: %w", path, err)
	}
	fi, err := r.root.Lstat(native(rel))
	if err != nil {
		return withAdvice("rmdir "+rel, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("rmdir %s: not a directory", rel)
	}
	return r.dirOp(rel, dirMark, "", fi.Mode()&modeBits)
}

// dirOp journals and then makes (before "") or removes (after "") the
// directory rel.
func (r *Run) dirOp(rel, before, after string, mode fs.FileMode) error {
	op := "mkdir "
	if after == "" {
		op = "rmdir "
	}
	// Directories are claimed apart from files: a path that was a file
	// can become a directory in the same run, and the other way round.
	switch {
	case r.done:
		return fmt.Errorf("%s%s: run %s is already finished", op, rel, r.ID())
	case r.paths[rel+"/"]:
		return fmt.Errorf("%s%s: already changed by run %s; change each directory once a run", op, rel, r.ID())
	}
	seq := r.next
	r.next++
	e := record{Op: opFile, Seq: seq, Path: rel, Dir: true, Before: before, After: after, Mode: mode}
	if err := r.journalOp(e, nil); err != nil {
		return withAdvice(op+rel+": journal", err)
	}
	r.paths[rel+"/"] = true
	name := native(rel)
	var err error
	if after == "" {
		err = r.root.Remove(name)
	} else if err = r.root.Mkdir(name, mode); err == nil {
		err = r.root.Chmod(name, mode)
	}
	if err == nil {
		err = syncDir(r.root, filepath.Dir(name), r.s.faults)
	}
	if err != nil {
		return withAdvice(op+rel, err)
	}
	return r.written(e)
}

// pathDir is path.Dir for the slash-separated relative paths of a run.
func pathDir(p string) string {
	return path.Dir(strings.TrimSuffix(p, "/"))
}

// statDir says whether the directory of e is there: dirMark and its mode,
// or "" if it is absent.
func statDir(t *target, e record) (string, fs.FileMode, error) {
	fi, err := t.root.Lstat(native(e.Path))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", 0, nil
	case err != nil:
		return "", 0, withAdvice("restore "+e.Path, err)
	case !fi.IsDir():
		return "", 0, fmt.Errorf("restore %s: was a directory and is not any more; move it away and restore again; nothing was restored", e.Path)
	}
	return dirMark, fi.Mode() & modeBits, nil
}

// putDir undoes what the run did to a directory that is not as before:
// it removes one the run made, if it is empty (if not, someone put files
// there and it is kept), and makes again one the run removed.
func (s *Store) putDir(t *target, a action) (outcome, error) {
	name := native(a.e.Path)
	if a.e.Before == "" {
		if empty, err := isEmptyDir(t, name); err != nil || !empty {
			return unchanged, err
		}
		if err := t.root.Remove(name); err != nil {
			return 0, err
		}
		return removed, syncDir(t.root, filepath.Dir(name), s.faults)
	}
	if err := t.root.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return 0, err
	}
	if err := t.root.Mkdir(name, a.e.Mode); err != nil {
		return 0, err
	}
	if err := t.root.Chmod(name, a.e.Mode); err != nil {
		return 0, err
	}
	return rewritten, syncDir(t.root, filepath.Dir(name), s.faults)
}

// isEmptyDir reports whether the directory name in t has no entries.
func isEmptyDir(t *target, name string) (bool, error) {
	f, err := t.root.Open(name)
	if err != nil {
		return false, err
	}
	defer f.Close()
	_, err = f.Readdirnames(1)
	if errors.Is(err, io.EOF) {
		return true, nil
	}
	return false, err
}
