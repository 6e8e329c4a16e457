package backup

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Delete deletes the runs ids. A run that is interrupted with files to
// restore, or damaged, is deleted only with force; a running run never.
// Nothing is deleted unless every run can be.
func (s *Store) Delete(ids []string, force bool) ([]string, error) {
	if err := s.checkUnlocked(); err != nil {
		return nil, err
	}
	runs, _, err := s.scan()
	if err != nil {
		return nil, fmt.Errorf("delete backups: %w", err)
	}
	byID := map[string]RunInfo{}
	for _, r := range runs {
		byID[r.ID] = r
	}
	for _, id := range ids {
		r, ok := byID[id]
		switch {
		case !ok:
			return nil, fmt.Errorf("delete backups: no run %s in %s (see migrate backups); nothing was deleted", id, s.dir)
		case r.State == StateRunning:
			return nil, fmt.Errorf("delete backups: run %s is running (pid %d); nothing was deleted", id, r.PID)
		case r.blocks() && !force:
			return nil, fmt.Errorf("delete backups: run %s is %s and may have left files half-migrated: restore it first, or pass --force to discard it; nothing was deleted", id, r.State)
		}
	}
	var deleted []string
	for _, id := range ids {
		if err := s.deleteRun(byID[id]); err != nil {
			return deleted, fmt.Errorf("delete backups: run %s: %w", id, err)
		}
		deleted = append(deleted, id)
	}
	return deleted, s.emptyTrash()
}

// Prune deletes all runs but the newest keep and returns the ids deleted.
// Interrupted runs with files to restore are kept unless force is set;
// with force they are deleted even among the newest keep, since they block
// Begin, and the temp files they left next to the user's files are
// removed. With force, directories left by a crash inside Begin go too.
// A running run is never deleted. On a store that is not locked Prune
// refuses, with a *LockedError, while another process holds the lock.
func (s *Store) Prune(keep int, force bool) ([]string, error) {
	if keep < 0 {
		return nil, fmt.Errorf("prune backups: keep must be 0 or more, not %d", keep)
	}
	if err := s.checkUnlocked(); err != nil {
		return nil, err
	}
	runs, junk, err := s.scan()
	if err != nil {
		return nil, fmt.Errorf("prune backups: %w", err)
	}
	if err := s.emptyTrash(); err != nil {
		return nil, fmt.Errorf("prune backups: %w", err)
	}
	var deleted []string
	for i, r := range runs {
		if !doomed(r, i < len(runs)-keep, force) {
			continue
		}
		if err := s.deleteRun(r); err != nil {
			return deleted, fmt.Errorf("prune backups: run %s: %w", r.ID, err)
		}
		deleted = append(deleted, r.ID)
	}
	if force {
		for _, id := range junk {
			if err := s.trash(id); err != nil {
				return deleted, fmt.Errorf("prune backups: %s: %w", id, err)
			}
		}
	}
	return deleted, s.emptyTrash()
}

// blocks reports whether run r keeps Begin from starting a new run: it is
// interrupted, or damaged, and may have left files half-migrated. (A
// running run never blocks: the lock keeps a second writer out while it
// runs.)
func (r RunInfo) blocks() bool {
	return r.State == StateInterrupted && r.Restored < r.Files || r.State == StateDamaged
}

// doomed reports whether Prune deletes run r, given whether it is older
// than the runs to keep.
func doomed(r RunInfo, old, force bool) bool {
	if r.State == StateRunning {
		return false
	}
	if r.blocks() {
		return force
	}
	return old
}

// deleteRun removes the temp files an interrupted run may have left in the
// tree, then the run's directory.
func (s *Store) deleteRun(r RunInfo) error {
	if r.State == StateInterrupted {
		if err := s.removeTemps(r.ID); err != nil {
			return err
		}
	}
	return s.trash(r.ID)
}

// removeTemps removes the temp files of run id from the tree.
func (s *Store) removeTemps(id string) error {
	l, err := s.readLog(id)
	if err != nil {
		return err
	}
	root, err := os.OpenRoot(s.root)
	if err != nil {
		return err
	}
	defer root.Close()
	for _, f := range l.files {
		if err := removeIfExists(root, filepath.FromSlash(f.Tmp)); err != nil {
			return err
		}
	}
	return nil
}

// trash moves the directory name of the store out of the way in one
// rename, so that a crash never leaves half a run.
func (s *Store) trash(name string) error {
	if err := os.Rename(filepath.Join(s.dir, name), filepath.Join(s.dir, trashPrefix+name)); err != nil {
		return err
	}
	return syncPath(s.dir)
}

// emptyTrash deletes the directories trash moved away.
func (s *Store) emptyTrash() error {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), trashPrefix) {
			if err := os.RemoveAll(filepath.Join(s.dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}
