package backup

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// RestoreReport says what Store.Restore did. File paths are relative to
// the root, slash-separated.
type RestoreReport struct {
	// ID is the run restored.
	ID string
	// Restored are the files given back their original content and mode.
	Restored []string
	// Removed are files the run had created, now removed.
	Removed []string
	// Unchanged are files that already had their original content, such as
	// the file an interrupted run was about to write.
	Unchanged []string
	// Dirs are the directories the run made, now removed, or removed, now
	// made again. A directory the run made that holds files it did not
	// write is kept, and listed in Unchanged.
	Dirs []string
	// SavedRun is the run holding the content of conflicting files, saved
	// before a forced restore overwrote them; "" if there were none.
	SavedRun string
	// AlreadyRestored is set when there was nothing to do: the run, or the
	// files named, had been restored before.
	AlreadyRestored bool
	// State is the run's state afterwards.
	State State
}

// policy says what restore does about conflicts.
type policy int

const (
	restoreRefuse  policy = iota // restore nothing, return a *ConflictError
	restoreForce                 // save the conflicting files as a new run, then restore all
	restorePartial               // restore the others, return a *ConflictError
)

// Restore gives the files of run id (the latest run if id is "") their
// original content and mode back, byte for byte, and removes the files the
// run created. With files (relative to the root, or absolute) only those
// are restored.
//
// A file whose content is neither what the run wrote nor the original is
// a conflict: without force Restore restores nothing and returns a
// *ConflictError; with force it first saves the current content of the
// conflicting files as a new run (RestoreReport.SavedRun, which can itself
// be restored), then restores. Restoring an interrupted run is safe: each
// file has either its original content or the new one.
//
// On a store that is not locked Restore refuses, with a *LockedError,
// while another process holds the lock.
//
// Each file is checked again just before it is written back: one changed
// since it was inspected is left as it is, the others are restored, and
// Restore returns its report with a partial *ConflictError.
//
// The run is marked restored once all its files are. Restoring only some
// files leaves its state as it was; restoring files already restored does
// nothing and says so in the report.
func (s *Store) Restore(id string, files []string, force bool) (*RestoreReport, error) {
	if err := s.checkUnlocked(); err != nil {
		return nil, err
	}
	info, err := s.find(id)
	if err != nil {
		return nil, err
	}
	t, err := s.openTarget(info.ID)
	if err != nil {
		return nil, withAdvice("restore "+info.ID, err)
	}
	defer t.close()
	p := restoreRefuse
	if force {
		p = restoreForce
	}
	rep, err := s.restore(t, files, p)
	if err != nil {
		return rep, err
	}
	if t.log.allRestored() && t.log.state != StateRestored {
		if err := t.settle(StateRestored); err != nil {
			return nil, withAdvice("restore "+info.ID, err)
		}
	}
	rep.State = t.log.state
	return rep, nil
}

// openTarget opens run id for restoring.
func (s *Store) openTarget(id string) (*target, error) {
	dir := filepath.Join(s.dir, id)
	j, recs, err := openJournal(filepath.Join(dir, journalName), s.faults)
	if err != nil {
		return nil, err
	}
	l, err := loadLog(dir, recs)
	if err == nil {
		err = l.crossCheck(dir)
	}
	if err == nil && len(l.lost) > 0 {
		err = j.append(true, l.lost...) // mend the journal before adding to it
	}
	if err != nil {
		j.close()
		return nil, err
	}
	root, err := os.OpenRoot(s.root)
	if err != nil {
		j.close()
		return nil, err
	}
	return &target{dir: dir, log: l, j: j, root: root}, nil
}

// action is one file to restore, as found on disk.
type action struct {
	e       record
	orig    []byte      // the original content, when it must be written back
	cur     string      // hash of the current content; "" if the file is absent
	curMode fs.FileMode // mode of the current file
	curData []byte      // the current content, kept for conflicts only
}

// conflict reports whether the file is neither as the run left it nor
// original.
func (a action) conflict() bool {
	return a.cur != a.e.Before && a.cur != a.e.After
}

// restore restores the chosen files of t, handling conflicts as p says.
func (s *Store) restore(t *target, files []string, p policy) (*RestoreReport, error) {
	id := t.log.begin.ID
	rep := &RestoreReport{ID: id}
	todo, err := s.pick(t.log, files)
	if err != nil {
		return nil, fmt.Errorf("restore %s: %w", id, err)
	}
	if len(todo) == 0 {
		rep.AlreadyRestored = true
		return rep, nil
	}
	acts, err := inspect(t, todo)
	if err != nil {
		return nil, err
	}
	var left []string // files left as they are, changed since the run
	if ok, conflicts := split(acts); len(conflicts) > 0 {
		switch p {
		case restoreRefuse:
			return nil, &ConflictError{ID: id, Files: paths(conflicts)}
		case restorePartial:
			acts, left = ok, paths(conflicts)
		case restoreForce:
			if rep.SavedRun, err = s.save(t, id, acts); err != nil {
				return nil, err
			}
		}
	}
	// Undo in the reverse order of the run: a directory it removed is made
	// again before its files come back, and one it made is emptied first.
	slices.Reverse(acts)
	changed, err := s.apply(t, acts, rep)
	if err != nil {
		return nil, err
	}
	for _, l := range [][]string{rep.Restored, rep.Removed, rep.Unchanged, rep.Dirs, changed} {
		slices.Reverse(l) // reported in the run's order
	}
	if left = append(left, changed...); len(left) > 0 {
		return rep, &ConflictError{ID: id, Files: left, Partial: true, Abort: p == restorePartial}
	}
	return rep, nil
}

// pick returns the files of the run to restore, all or those named,
// leaving out those already restored.
func (s *Store) pick(l *runLog, files []string) ([]record, error) {
	want := map[string]bool{}
	for _, f := range files {
		rel, err := s.rel(f)
		if err != nil {
			return nil, err
		}
		want[rel] = true
	}
	var todo []record
	for _, e := range l.files {
		if len(files) > 0 && !want[e.Path] {
			continue
		}
		delete(want, e.Path)
		if !l.restored[e.Seq] {
			todo = append(todo, e)
		}
	}
	if len(want) > 0 {
		missing := slices.Sorted(maps.Keys(want))
		return nil, fmt.Errorf("not in this run: %s; nothing was restored", strings.Join(missing, ", "))
	}
	return todo, nil
}

// inspect reads the current state of each file, and the backup copy of
// those that must be written back, checking it against its hash.
func inspect(t *target, todo []record) ([]action, error) {
	acts := make([]action, 0, len(todo))
	swapped := swappedPaths(todo)
	for _, e := range todo {
		a := action{e: e}
		if e.Dir {
			var err error
			if a.cur, a.curMode, err = statDir(t, e); err != nil && !swapped[e.Path] {
				return nil, err
			}
			acts = append(acts, a)
			continue
		}
		data, mode, err := readRegular(t.root, native(e.Path))
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil && swapped[e.Path]:
			// A directory the run made in place of this file: it goes
			// first, and the file is then absent.
			err = nil
		case err != nil:
			return nil, withAdvice("restore "+e.Path, err)
		default:
			a.cur, a.curMode = sum(data), mode
		}
		if a.conflict() {
			a.curData = data
		}
		if e.Before != "" && a.cur != e.Before {
			if a.orig, err = loadBackup(t.dir, e); err != nil {
				return nil, err
			}
		}
		acts = append(acts, a)
	}
	return acts, nil
}

// swappedPaths returns the paths that the run changed both as a file and
// as a directory (a file replaced by a directory, or the other way round).
// Until the later change is undone such a path is not of the earlier
// kind, and counts as absent.
func swappedPaths(todo []record) map[string]bool {
	kinds := map[string]int{}
	for _, e := range todo {
		if e.Dir {
			kinds[e.Path] |= 1
		} else {
			kinds[e.Path] |= 2
		}
	}
	out := map[string]bool{}
	for p, k := range kinds {
		out[p] = k == 3
	}
	return out
}

// loadBackup returns the backup copy of e, checked against its hash.
func loadBackup(dir string, e record) ([]byte, error) {
	path := filepath.Join(dir, native(e.Backup))
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("restore %s: read backup copy: %w; nothing was restored", e.Path, err)
	}
	if sum(data) != e.Before {
		return nil, fmt.Errorf("restore %s: backup copy %s is damaged (its SHA-256 does not match the journal); nothing was restored", e.Path, path)
	}
	return data, nil
}

// split separates the conflicts from the other actions.
func split(acts []action) (ok, conflicts []action) {
	for _, a := range acts {
		if a.conflict() {
			conflicts = append(conflicts, a)
		} else {
			ok = append(ok, a)
		}
	}
	return ok, conflicts
}

// paths returns the paths of acts.
func paths(acts []action) []string {
	var out []string
	for _, a := range acts {
		out = append(out, a.e.Path)
	}
	return out
}

// save backs up the current content of every file the forced restore
// changes (those edited since the run, and those as the run left them) as
// a new, complete run, so that it loses nothing: restoring that run puts
// the whole tree back as it was before the restore, not a mix.
func (s *Store) save(t *target, id string, acts []action) (string, error) {
	r, err := s.begin(Meta{Command: "migrate restore " + id + " --force (saved the files it overwrote)"})
	if err != nil {
		return "", fmt.Errorf("restore %s --force: save changed files: %w; nothing was restored", id, err)
	}
	for _, a := range acts {
		if a.e.Dir || a.cur == a.e.Before {
			continue // a directory, or a file the restore leaves as it is
		}
		data := a.curData
		if data == nil && a.cur != "" {
			if data, _, err = readRegular(t.root, native(a.e.Path)); err != nil {
				r.finish(StateFailed)
				return "", withAdvice("restore "+id+" --force: save "+a.e.Path+"; nothing was restored", err)
			}
		}
		if _, err := r.backup(a.e.Path, data, a.cur != "", a.curMode, a.e.Before); err != nil {
			r.finish(StateFailed)
			return "", withAdvice("restore "+id+" --force: save "+a.e.Path+"; nothing was restored", err)
		}
	}
	if err := r.finish(StateComplete); err != nil {
		return "", withAdvice("restore "+id+" --force: save changed files; nothing was restored", err)
	}
	return r.ID(), nil
}
