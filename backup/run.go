package backup

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"time"
)

// target is a run opened for changing: its journal open for appending and
// the module root open for file operations.
type target struct {
	dir  string   // the run's directory in the store
	log  *runLog  // the journal replayed, kept up to date
	j    *journal // the journal
	root *os.Root // the module root
}

// settle records that the run reached state and rewrites its manifest.
// The manifest is a summary, the journal the truth: one that cannot be
// rewritten (a full disk) is removed rather than left stale, and settling
// succeeds.
func (t *target) settle(state State) error {
	rec := record{Op: opState, State: state}
	if err := t.j.append(true, rec); err != nil {
		return err
	}
	t.log.add(rec)
	path := filepath.Join(t.dir, manifestName)
	if err := t.log.writeManifest(path, t.j.fault); err != nil {
		os.Remove(path)
	}
	return nil
}

// close releases the journal and the root.
func (t *target) close() {
	t.j.close()
	t.root.Close()
}

// Run is one migrate run: every file it writes is backed up first, and
// the run can be restored as a whole. A Run is not safe for concurrent
// use.
type Run struct {
	target
	s     *Store
	next  int             // seq of the next file
	paths map[string]bool // files already recorded
	done  bool            // committed or aborted
}

// begin creates a run without looking for interrupted ones.
func (s *Store) begin(meta Meta) (*Run, error) {
	now := time.Now().UTC()
	id, err := s.makeRunDir(now)
	if err != nil {
		return nil, withAdvice("begin run in "+s.dir, err)
	}
	r := &Run{s: s, next: 1, paths: map[string]bool{}}
	if err := r.open(s, id, now, meta); err != nil {
		return nil, withAdvice("begin run "+id, err)
	}
	return r, nil
}

// makeRunDir creates the directory of a new run and returns its id: the
// UTC time, and a suffix if a run already has that id.
func (s *Store) makeRunDir(now time.Time) (string, error) {
	base := now.Format("20060102-150405.000")
	for i := range 100 {
		id := base
		if i > 0 {
			id = fmt.Sprintf("%s-%02d", base, i)
		}
		err := os.Mkdir(filepath.Join(s.dir, id), 0o700)
		if !errors.Is(err, fs.ErrExist) {
			return id, err
		}
	}
	return "", fmt.Errorf("too many runs started at %s", base)
}

// open fills in the new run id: its files directory, its journal with the
// begin record, all synced, and the module root.
func (r *Run) open(s *Store, id string, now time.Time, meta Meta) error {
	r.dir = filepath.Join(s.dir, id)
	if err := os.Mkdir(filepath.Join(r.dir, filesDir), 0o700); err != nil {
		return err
	}
	first := record{Op: opBegin, ID: id, Time: now, Rules: meta.Rules, Command: meta.Command, Group: meta.Group}
	if s.lock != nil {
		first.Holder = s.lock.holder.Token
	}
	j, err := createJournal(filepath.Join(r.dir, journalName), first, s.faults)
	if err != nil {
		return err
	}
	r.j = j
	r.log, _ = replay(r.dir, []record{first})
	if err := syncPath(r.dir); err != nil {
		j.close()
		return err
	}
	if err := syncPath(s.dir); err != nil {
		j.close()
		return err
	}
	r.root, err = os.OpenRoot(s.root)
	if err != nil {
		j.close()
	}
	return err
}

// ID returns the run's id, which Store.Restore accepts.
func (r *Run) ID() string {
	return r.log.begin.ID
}

// WriteFile replaces the file at path (absolute, or relative to the root)
// with data, keeping its mode, after backing it up. expectOld is the
// content the caller read: if the file holds anything else, checked again
// just before the new content is renamed over it, WriteFile returns a
// *ChangedError and leaves the file as it is. If data equals the current
// content nothing is written or recorded. A file is written at most once
// per run.
//
// The backup copy and the journal entry are durable before the file is
// touched, and the file is replaced atomically, so after an error, or a
// crash, Abort or Store.Restore can put back everything written so far.
func (r *Run) WriteFile(path string, expectOld, data []byte) error {
	rel, err := r.claim(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := hit(r.s.faults, "read"); err != nil {
		return withAdvice("write "+rel, err)
	}
	old, mode, err := readRegular(r.root, native(rel))
	if err != nil {
		return withAdvice("write "+rel, err)
	}
	if !bytes.Equal(old, expectOld) {
		return &ChangedError{Path: rel}
	}
	if bytes.Equal(old, data) {
		return nil
	}
	e, err := r.backup(rel, old, true, mode, sum(data))
	if err != nil {
		return withAdvice("write "+rel+": back up", err)
	}
	err = writeAtomic(r.root, native(rel), native(e.Tmp), data, mode, r.s.faults, holds(r.root, native(rel), e.Before))
	switch {
	case errors.Is(err, errChanged):
		return r.skip(e)
	case err != nil:
		return withAdvice("write "+rel, err)
	}
	return r.written(e)
}

// CreateFile creates the file at path (absolute, or relative to the
// root), which must not exist, with data and mode (applied exactly,
// without the umask). Its directory must exist. Restoring the run removes
// the file again, unless it changed since.
func (r *Run) CreateFile(path string, data []byte, mode fs.FileMode) error {
	rel, err := r.claim(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	_, err = r.root.Lstat(native(rel))
	switch {
	case err == nil:
		return fmt.Errorf("create %s: already exists; migrate creates only new files", rel)
	case !errors.Is(err, fs.ErrNotExist):
		return withAdvice("create "+rel, err)
	}
	e, err := r.backup(rel, nil, false, 0, sum(data))
	if err != nil {
		return withAdvice("create "+rel+": journal", err)
	}
	if err := createAtomic(r.root, native(rel), native(e.Tmp), data, mode, r.s.faults); err != nil {
		return withAdvice("create "+rel, err)
	}
	return r.written(e)
}

// claim resolves path for a new write of the run.
func (r *Run) claim(path string) (string, error) {
	if r.done {
		return "", fmt.Errorf("run %s is already finished", r.ID())
	}
	rel, err := r.s.rel(path)
	if err == nil && r.paths[rel] {
		err = fmt.Errorf("already written by run %s; write each file once a run", r.ID())
	}
	return rel, err
}

// backup makes the original of rel durable in the run's directory and
// journals the write about to happen, before the file is touched. A file
// that did not exist has no copy and an empty Before.
func (r *Run) backup(rel string, old []byte, existed bool, mode fs.FileMode, after string) (record, error) {
	seq := r.next
	r.next++
	e := record{Op: opFile, Seq: seq, Path: rel, After: after, Tmp: tmpName(rel, r.ID(), seq)}
	if existed {
		e.Before, e.Mode, e.Backup = sum(old), mode, backupName(seq, true)
	}
	if err := r.journalOp(e, old); err != nil {
		return e, err
	}
	r.paths[rel] = true
	return e, nil
}

// journalOp makes the file record e durable before its file is touched:
// the backup copy of the original, old, if it has one, the record beside
// it, and then its journal line. First it reserves the journal space that
// undoing the run will need, so that a rollback on a disk that filled up
// meanwhile still works, and nothing is written if even that space is
// missing.
func (r *Run) journalOp(e record, old []byte) error {
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	err = r.j.reserve(int64(len(line)) + rollbackRoomPerFile*int64(len(r.log.seqs)+1) + rollbackRoomOnce)
	if err != nil {
		return err
	}
	err = r.keep(e, line, old)
	if err == nil {
		err = r.j.append(true, e)
	}
	if err != nil {
		r.unkeep(e)
		return err
	}
	r.log.add(e)
	return nil
}

// written journals that e's file has its new content. The line is not
// synced on its own: restoring never relies on it, only on hashes.
func (r *Run) written(e record) error {
	if err := hit(r.s.faults, "written"); err != nil {
		return withAdvice("write "+e.Path+": journal", err)
	}
	rec := record{Op: opWritten, Seq: e.Seq}
	if err := r.j.append(false, rec); err != nil {
		return withAdvice("write "+e.Path+": journal", err)
	}
	r.log.add(rec)
	return nil
}

// skip journals that the write e was given up, its file untouched since
// it changed after it was read, and returns the *ChangedError.
func (r *Run) skip(e record) error {
	changed := &ChangedError{Path: e.Path}
	rec := record{Op: opSkipped, Seq: e.Seq}
	if err := r.j.append(true, rec); err != nil {
		// Restoring the run then reports the file as changed since.
		return errors.Join(changed, withAdvice("write "+e.Path+": journal", err))
	}
	r.log.add(rec)
	return changed
}

// Commit marks the run complete. The run cannot write afterwards.
func (r *Run) Commit() error {
	if r.done {
		return fmt.Errorf("commit run %s: already finished", r.ID())
	}
	if err := r.finish(StateComplete); err != nil {
		return withAdvice("commit run "+r.ID(), err)
	}
	return nil
}

// Abort restores every file the run wrote, byte and mode exact, removes
// the files it created, and marks the run failed. A file changed by
// someone else since the run wrote it is left as it is and reported in a
// *ConflictError; the other files are restored all the same.
func (r *Run) Abort() error {
	if r.done {
		return fmt.Errorf("abort run %s: already finished", r.ID())
	}
	_, err := r.s.restore(&r.target, nil, restorePartial)
	var conflict *ConflictError
	if err != nil && !errors.As(err, &conflict) {
		return err
	}
	if ferr := r.finish(StateFailed); ferr != nil {
		return withAdvice("abort run "+r.ID(), ferr)
	}
	return err
}

// finish settles the run in state and releases it. If the state could
// not be recorded the run stays open, so that a failed Commit can still be
// followed by Abort.
func (r *Run) finish(state State) error {
	err := r.settle(state)
	if err != nil && r.log.state != state {
		return err
	}
	r.done = true
	r.close()
	return err
}

// readRegular returns the content and mode of the regular file name in r.
func readRegular(r *os.Root, name string) ([]byte, fs.FileMode, error) {
	fi, err := r.Lstat(name)
	if err != nil {
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, errors.New("not a regular file; migrate only writes regular files")
	}
	data, err := r.ReadFile(name)
	return data, fi.Mode() & modeBits, err
}

// tmpName returns the temp file used to write rel in run id: hidden, next
// to rel, and named after the run so that a crash's leftovers can be found.
func tmpName(rel, id string, seq int) string {
	return path.Join(path.Dir(rel), "."+path.Base(rel)+".migrate-"+id+"-"+strconv.Itoa(seq)+".tmp")
}

// native converts a slash-separated path to the OS's separators.
func native(p string) string {
	return filepath.FromSlash(p)
}
