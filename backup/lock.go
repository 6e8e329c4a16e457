package backup

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// lockName is the lock file inside the store directory.
const lockName = "lock"

// errNoFlock is what the platform's lock calls return where flock(2) does
// not exist.
var errNoFlock = errors.New("flock(2) is not available on " + runtime.GOOS)

// Holder describes the process holding a module's write lock, as it wrote
// itself into the lock file.
type Holder struct {
	// PID is the holder's process id; 0 when unknown.
	PID int `json:"pid"`
	// Command is what the holder is doing, such as "migrate run --rules=ioutil".
	Command string `json:"command"`
	// Time is when it took the lock.
	Time time.Time `json:"time"`
	// Token is unique to this hold of the lock; the runs begun under it
	// record it, which tells them apart from runs a dead process left.
	Token string `json:"token"`
}

// String names the holder for messages: "pid 123 (migrate run ...)".
func (h Holder) String() string {
	if h.PID <= 0 {
		return "another process"
	}
	if h.Command == "" {
		return fmt.Sprintf("pid %d", h.PID)
	}
	return fmt.Sprintf("pid %d (%s)", h.PID, h.Command)
}

// LockedError is returned when another process holds the module's write
// lock: Store.Lock refuses at once rather than wait, and Store.Begin,
// Store.Restore and Store.Prune refuse on a store that is not locked.
type LockedError struct {
	// Path is the lock file.
	Path string
	// Holder is the process holding it, as far as the lock file tells.
	Holder Holder
}

// Error describes the error and what to do about it.
func (e *LockedError) Error() string {
	return fmt.Sprintf("lock %s: held by %s, which is writing in this module; "+
		"wait for it to finish, then retry (one migrate command that writes at a time)", e.Path, e.Holder)
}

// lock is a write lock held by a Store.
type lock struct {
	f      *os.File
	holder Holder
}

// Lock takes the module's write lock, an exclusive flock(2) on
// .migrate/lock, for command (recorded in the lock file with the process
// id, for the messages of those refused). It does not wait: if another
// process holds the lock it returns a *LockedError naming it. The kernel
// releases the lock when the process ends, however it ends, so a killed
// migrate never leaves a stale lock. Every command that writes takes the
// lock before it reads anything it will act on, and keeps it until
// Store.Unlock. While a process holds it, the runs it began are listed
// as running, not interrupted.
func (s *Store) Lock(command string) error {
	if s.lock != nil {
		return fmt.Errorf("lock %s: already held by this process", s.lockPath())
	}
	h := Holder{PID: os.Getpid(), Command: command, Time: time.Now().UTC(), Token: fmt.Sprintf("%d-%s", os.Getpid(), rand.Text())}
	// A holder that created the store removes it again on Unlock if no
	// run was recorded: the lock file it removes may be the one opened
	// here, so take it again on the new file.
	for range 10 {
		f, err := s.openLock()
		if err != nil {
			return withAdvice("lock "+s.lockPath(), err)
		}
		ok, err := s.takeLock(f)
		if err != nil || !ok {
			f.Close()
			return err
		}
		if s.stillLockFile(f) {
			s.lock = &lock{f: f, holder: h}
			return s.writeHolder()
		}
		f.Close()
	}
	return fmt.Errorf("lock %s: the lock file keeps being removed; retry", s.lockPath())
}

// openLock opens the lock file, creating it (and the store directory, if
// a holder just removed it) when missing.
func (s *Store) openLock() (*os.File, error) {
	f, err := os.OpenFile(s.lockPath(), os.O_RDWR|os.O_CREATE, 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		if err := s.init(); err != nil {
			return nil, err
		}
		f, err = os.OpenFile(s.lockPath(), os.O_RDWR|os.O_CREATE, 0o600)
	}
	return f, err
}

// takeLock takes the exclusive lock on f. It reports false, with a
// *LockedError, when another process holds it.
func (s *Store) takeLock(f *os.File) (bool, error) {
	ok, err := lockExclusive(f)
	switch {
	case errors.Is(err, errNoFlock):
		return false, fmt.Errorf("lock %s: %w; migrate needs it to keep two commands from writing in one module at once, so it does not write here", s.lockPath(), err)
	case err != nil:
		return false, withAdvice("lock "+s.lockPath(), err)
	case !ok:
		return false, &LockedError{Path: s.lockPath(), Holder: readHolder(f)}
	}
	return true, nil
}

// stillLockFile reports whether f is still the file at the lock's path.
func (s *Store) stillLockFile(f *os.File) bool {
	a, err1 := f.Stat()
	b, err2 := os.Stat(s.lockPath())
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

// writeHolder records the holder in the lock file. It is for messages
// only: nothing relies on it being durable.
func (s *Store) writeHolder() error {
	data, err := json.Marshal(s.lock.holder)
	if err == nil {
		err = s.lock.f.Truncate(0)
	}
	if err == nil {
		_, err = s.lock.f.WriteAt(append(data, '\n'), 0)
	}
	if err != nil {
		s.Unlock()
		return withAdvice("lock "+s.lockPath(), err)
	}
	return nil
}

// Unlock releases the lock taken by Lock; it does nothing if the store is
// not locked. If Open created the store directory and no run was recorded
// in it, it is removed first, so that a command that wrote nothing leaves
// nothing behind.
func (s *Store) Unlock() error {
	if s.lock == nil {
		return nil
	}
	if s.created {
		s.removeIfUnused()
	}
	err := s.lock.f.Close()
	s.lock = nil
	return err
}

// removeIfUnused removes the store directory if it holds nothing but its
// .gitignore and the lock file. It is called with the lock held; failing
// leaves the directory, which is harmless.
func (s *Store) removeIfUnused() {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if e.Name() != lockName && e.Name() != ".gitignore" {
			return
		}
	}
	if os.Remove(s.lockPath()) != nil || os.Remove(filepath.Join(s.dir, ".gitignore")) != nil {
		return
	}
	if os.Remove(s.dir) == nil {
		s.created = false
	}
}

// lockPath is the lock file.
func (s *Store) lockPath() string {
	return filepath.Join(s.dir, lockName)
}

// holder returns the process holding the store's lock: this one if the
// store is locked, else whoever holds it, if anyone.
func (s *Store) holder() (Holder, bool, error) {
	if s.lock != nil {
		return s.lock.holder, true, nil
	}
	return probe(s.lockPath())
}

// checkUnlocked refuses an operation that writes on a store that is not
// locked while another process holds the lock.
func (s *Store) checkUnlocked() error {
	if s.lock != nil {
		return nil
	}
	h, held, err := probe(s.lockPath())
	if err != nil {
		return withAdvice("lock "+s.lockPath(), err)
	}
	if held {
		return &LockedError{Path: s.lockPath(), Holder: h}
	}
	return nil
}

// LockHolder reports whether a process holds the write lock of the module
// rooted at root, and which. It only reads: it creates nothing.
func LockHolder(root string) (Holder, bool, error) {
	return probe(filepath.Join(root, storeDir, lockName))
}

// probe reports whether a process holds the lock file at path, by trying
// to take a shared lock for an instant, and if so which.
func probe(path string) (Holder, bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Holder{}, false, nil // never locked
	}
	if err != nil {
		return Holder{}, false, err
	}
	defer f.Close()
	free, err := lockShared(f)
	switch {
	case errors.Is(err, errNoFlock):
		return Holder{}, false, nil // nobody can hold it here
	case err != nil:
		return Holder{}, false, err
	case free:
		return Holder{}, false, unlockFile(f)
	}
	return readHolder(f), true, nil
}

// readHolder reads the holder recorded in the lock file f; the zero
// Holder if it cannot tell (the holder is still writing it).
func readHolder(f *os.File) Holder {
	var h Holder
	data, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<16))
	if err == nil {
		json.Unmarshal(data, &h)
	}
	return h
}
