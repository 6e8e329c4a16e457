package backup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// IncompleteError is returned by Store.Restore and Run.Abort when files
// could not be restored (disk full, permission denied): they are left as
// the run wrote them, and every other file was restored. Restoring the
// run again once the cause is fixed restores them.
type IncompleteError struct {
	// ID is the run.
	ID string
	// Left are the files, and directories, not restored, relative to the
	// root. When it is empty every file was restored but the journal could
	// not record it.
	Left []string
	// Err is the first failure.
	Err error
}

// Error describes the error and what to do about it.
func (e *IncompleteError) Error() string {
	if len(e.Left) == 0 {
		return fmt.Sprintf("restore %s: every file was restored, but the journal could not record it: %v; "+
			"once that is fixed, run `migrate restore %s` to record it", e.ID, e.Err, e.ID)
	}
	return fmt.Sprintf("restore %s: %d file(s) could not be restored and are left as the run wrote them: %s: %v; "+
		"once that is fixed, run `migrate restore %s` to restore them", e.ID, len(e.Left), strings.Join(e.Left, ", "), e.Err, e.ID)
}

// Unwrap returns the first failure.
func (e *IncompleteError) Unwrap() error {
	return e.Err
}

// outcome is what put did to a file.
type outcome int

const (
	unchanged outcome = iota
	rewritten
	removed
)

// apply restores each file of acts, going on past a file that cannot be
// restored, and journals those restored in one synced append. It returns
// the files left as they are because they changed since they were
// inspected.
func (s *Store) apply(t *target, acts []action, rep *RestoreReport) ([]string, error) {
	var done []record
	var changed []string
	left := &IncompleteError{ID: t.log.begin.ID}
	for _, a := range acts {
		out, err := s.put(t, a)
		switch {
		case errors.Is(err, errChanged):
			changed = append(changed, a.e.Path)
			continue
		case err != nil:
			left.Left = append(left.Left, a.e.Path)
			if left.Err == nil {
				left.Err = withAdvice("restore "+a.e.Path, err)
			}
			continue
		}
		done = append(done, record{Op: opRestored, Seq: a.e.Seq})
		rep.add(a, out)
	}
	err := t.j.append(true, done...)
	if err == nil {
		for _, d := range done {
			t.log.add(d)
		}
	} else if left.Err == nil {
		left.Err = withAdvice("journal", err)
	}
	if left.Err != nil {
		slices.Reverse(left.Left) // in the run's order
		return nil, left
	}
	return changed, nil
}

// add lists the file of a in the report, as out says.
func (rep *RestoreReport) add(a action, out outcome) {
	switch {
	case a.e.Dir && out != unchanged:
		rep.Dirs = append(rep.Dirs, a.e.Path)
	case out == unchanged:
		rep.Unchanged = append(rep.Unchanged, a.e.Path)
	case out == rewritten:
		rep.Restored = append(rep.Restored, a.e.Path)
	case out == removed:
		rep.Removed = append(rep.Removed, a.e.Path)
	}
}

// put gives one file its original content and mode back, or removes it
// if the run created it, after removing any temp file a crash left.
func (s *Store) put(t *target, a action) (outcome, error) {
	name := native(a.e.Path)
	if a.e.Tmp != "" {
		if err := removeIfExists(t.root, native(a.e.Tmp)); err != nil {
			return 0, err
		}
	}
	switch {
	case a.cur == a.e.Before && (a.cur == "" || a.curMode == a.e.Mode):
		return unchanged, nil
	case a.cur == a.e.Before:
		return unchanged, t.root.Chmod(name, a.e.Mode)
	case a.e.Dir:
		return s.putDir(t, a)
	case a.e.Before == "":
		return removed, removeChecked(t.root, name, s.faults, holds(t.root, name, a.cur).check)
	}
	if err := t.root.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return 0, err
	}
	return rewritten, s.putBack(t, a)
}

// putBack replaces the file of a with its original content and mode,
// through its temp file. If the temp file cannot be written (a full
// disk), the backup copy is hard-linked to it instead, which takes no new
// space: the rollback of a run that filled the disk still works.
func (s *Store) putBack(t *target, a action) error {
	name, tmp := native(a.e.Path), native(a.e.Tmp)
	if err := writeTemp(t.root, tmp, a.orig, a.e.Mode, s.faults); err != nil {
		if lerr := s.linkBackup(t, a); lerr != nil {
			return err
		}
	}
	return replace(t.root, name, tmp, s.faults, holds(t.root, name, a.cur))
}

// linkBackup hard-links the backup copy of a to its temp file, with the
// original's mode. The copy and the restored file then share their inode.
func (s *Store) linkBackup(t *target, a action) error {
	blob := filepath.Join(storeDir, filepath.Base(t.dir), native(a.e.Backup))
	fi, err := t.root.Lstat(blob)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("backup copy %s is not a regular file", blob)
	}
	if err := hit(s.faults, "link"); err != nil {
		return err
	}
	tmp := native(a.e.Tmp)
	if err := t.root.Link(blob, tmp); err != nil {
		return err
	}
	err = t.root.Chmod(tmp, a.e.Mode)
	if err == nil {
		err = syncFile(t.root, tmp)
	}
	if err != nil {
		t.root.Remove(tmp)
	}
	return err
}

// syncFile syncs the file name of r, if it can be opened for reading.
func syncFile(r *os.Root, name string) error {
	if err := syncIn(r, name); !errors.Is(err, fs.ErrPermission) {
		return err
	}
	return nil // a mode without read permission; the rename is synced with its directory
}
