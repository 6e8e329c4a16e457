package backup

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Names inside the store directory.
const (
	storeDir     = ".migrate"
	journalName  = "journal.jsonl"
	manifestName = "manifest.json"
	filesDir     = "files"
	trashPrefix  = ".trash-"
)

// State is the state of a run.
type State string

// The states of a run.
const (
	// StateComplete means the run finished and its files have their new
	// content.
	StateComplete State = "complete"
	// StateInterrupted means the run began but never finished (a crash,
	// a kill) and no live process is writing it: some files may have their
	// new content.
	StateInterrupted State = "interrupted"
	// StateRunning means the run has not finished and the process that
	// began it still holds the module's write lock: it is being written.
	StateRunning State = "running"
	// StateRestored means every file of the run has its original content
	// again.
	StateRestored State = "restored"
	// StateFailed means the run was aborted: the files it had written were
	// restored, except any Run.Abort reported as conflicts.
	StateFailed State = "failed"
	// StateDamaged means the run's records are damaged (see DamagedError):
	// it cannot be restored safely, and Store.Restore says why.
	StateDamaged State = "damaged"
)

// Meta describes a run for people reading the list of runs.
type Meta struct {
	// Rules are the rule sets applied.
	Rules []string
	// Command is the command line that started the run.
	Command string
	// Group is the id of the first run of the command when it writes in
	// several runs (migrate run --per-file: one run a step), so that they
	// can be restored together; "" for a run on its own or the first.
	Group string
}

// RunInfo describes one run, as listed by Store.List.
type RunInfo struct {
	// ID names the run in Store.Restore; ids sort by time.
	ID string
	// Time is when the run began, in UTC.
	Time time.Time
	// Rules, Command and Group are the run's Meta.
	Rules   []string
	Command string
	Group   string
	// Files is the number of files the run wrote or created.
	Files int
	// Restored is how many of them have been restored. A run with some
	// files restored but not all keeps its state: it is partially
	// restored.
	Restored int
	// State is where the run stands.
	State State
	// PID is the process writing the run, when State is StateRunning.
	PID int
}

// Store keeps the backups of a module in its .migrate directory. Its
// methods are not safe for concurrent use.
type Store struct {
	root  string // the module root, absolute, symlinks resolved
	given string // the root as given, absolute
	dir   string // root/.migrate
	// created is set when Open made the store directory; Unlock removes it
	// again if no run was recorded.
	created bool
	lock    *lock // the write lock, once Lock took it
	// faults, if set, is called before each step of a write ("read",
	// "journal-reserve", "backup-write", "backup-sync", "record-write", "record-sync",
	// "backup-dir-sync", "journal-write",
	// "journal-sync", "tmp-create", "tmp-write", "tmp-sync", "rename", "swap",
	// "link" or "remove", "dir-sync", "written"); an error it returns fails
	// the step.
	// Tests in this package set it to inject failures and crashes.
	faults func(step string) error
}

// Open returns the store of the module rooted at root, creating
// root/.migrate and its .gitignore on first use.
func Open(root string) (*Store, error) {
	given, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("open backups: %w", err)
	}
	resolved, err := filepath.EvalSymlinks(given)
	if err != nil {
		return nil, fmt.Errorf("open backups: %w; pass an existing module root", err)
	}
	if fi, err := os.Stat(resolved); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("open backups: %s is not a directory; pass the module root", given)
	}
	s := &Store{root: resolved, given: given, dir: filepath.Join(resolved, storeDir)}
	if err := s.init(); err != nil {
		return nil, fmt.Errorf("open backups in %s: %w; make it a writable directory (or remove it) and retry", s.dir, err)
	}
	return s, nil
}

// init creates the store directory and its .gitignore and checks that it
// is writable.
func (s *Store) init() error {
	switch err := os.Mkdir(s.dir, 0o700); {
	case err == nil:
		s.created = true
	case !errors.Is(err, fs.ErrExist):
		return err
	}
	ignore := filepath.Join(s.dir, ".gitignore")
	if _, err := os.Lstat(ignore); errors.Is(err, fs.ErrNotExist) {
		if err := WriteFileAtomic(ignore, []byte("*\n"), 0o644); err != nil {
			return err
		}
	}
	probe, err := os.CreateTemp(s.dir, ".probe-*")
	if err != nil {
		return err
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// Begin starts a new run. It refuses, with an *InterruptedError, while an
// earlier run is interrupted with files to restore. (An interrupted run
// that recorded no file, or whose files were all restored, touched
// nothing and does not block.) On a store that is not locked it refuses,
// with a *LockedError, while another process holds the lock.
func (s *Store) Begin(meta Meta) (*Run, error) {
	if err := s.checkUnlocked(); err != nil {
		return nil, err
	}
	if err := s.CheckBlocked(); err != nil {
		return nil, err
	}
	return s.begin(meta)
}

// CheckBlocked returns an *InterruptedError naming the runs that keep
// Begin from starting a new run: interrupted with files to restore, or
// damaged. A caller can ask before it does the work that leads to Begin.
func (s *Store) CheckBlocked() error {
	runs, _, err := s.scan()
	if err != nil {
		return fmt.Errorf("list backups: %w", err)
	}
	var stuck []string
	for _, r := range runs {
		if r.blocks() {
			stuck = append(stuck, r.ID)
		}
	}
	if len(stuck) > 0 {
		return &InterruptedError{IDs: stuck}
	}
	return nil
}

// List returns the runs, oldest first. An unfinished run is running while
// the process that began it holds the lock, interrupted otherwise.
func (s *Store) List() ([]RunInfo, error) {
	runs, _, err := s.scan()
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	return runs, nil
}

// scan reads every run, oldest first. Directories whose journal has no
// begin record (a crash inside Begin) never touched a file; they are
// returned apart as junk.
func (s *Store) scan() (runs []RunInfo, junk []string, err error) {
	live, held, err := s.holder()
	if err != nil {
		return nil, nil, fmt.Errorf("probe %s: %w", s.lockPath(), err)
	}
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		l, err := s.readLog(e.Name())
		var damaged *DamagedError
		switch {
		case errors.As(err, &damaged):
			runs = append(runs, RunInfo{ID: e.Name(), Time: madeBegin(e.Name()).Time, State: StateDamaged})
		case err != nil:
			junk = append(junk, e.Name())
		default:
			info := l.info()
			if info.State == StateInterrupted && held && l.begin.Holder != "" && l.begin.Holder == live.Token {
				info.State, info.PID = StateRunning, live.PID
			}
			runs = append(runs, info)
		}
	}
	slices.SortFunc(runs, func(a, b RunInfo) int { return strings.Compare(a.ID, b.ID) })
	return runs, junk, nil
}

// readLog reads the journal of run id, and the records beside its
// backup copies.
func (s *Store) readLog(id string) (*runLog, error) {
	dir := filepath.Join(s.dir, id)
	recs, err := readJournal(filepath.Join(dir, journalName))
	if err != nil {
		return nil, err
	}
	return loadLog(dir, recs)
}

// LatestGroup returns the runs of the latest command, newest first: the
// latest run, and if it belongs to a group (Meta.Group), every run of that
// group. It returns a *NoRunError if there are no runs.
func (s *Store) LatestGroup() ([]RunInfo, error) {
	runs, _, err := s.scan()
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	if len(runs) == 0 {
		return nil, &NoRunError{Dir: s.dir}
	}
	last := runs[len(runs)-1]
	group := cmp.Or(last.Group, last.ID)
	var out []RunInfo
	for _, r := range slices.Backward(runs) {
		if r.ID == group || r.Group == group {
			out = append(out, r)
		}
	}
	return out, nil
}

// find returns the run id, or the latest run if id is "".
func (s *Store) find(id string) (RunInfo, error) {
	runs, _, err := s.scan()
	if err != nil {
		return RunInfo{}, fmt.Errorf("restore: %w", err)
	}
	if id == "" && len(runs) > 0 {
		return runs[len(runs)-1], nil
	}
	for _, r := range runs {
		if r.ID == id {
			return r, nil
		}
	}
	return RunInfo{}, &NoRunError{ID: id, Dir: s.dir}
}

// removeIfExists removes name from r; a missing file is not an error.
func removeIfExists(r *os.Root, name string) error {
	err := r.Remove(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// rel returns path, absolute or relative to the root, as a slash-separated
// path relative to the root. It refuses paths outside the root and inside
// the store directory.
func (s *Store) rel(path string) (string, error) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(s.root, path)
	}
	path = filepath.Clean(path)
	rel, ok := within(s.root, path)
	if !ok {
		rel, ok = within(s.given, path)
	}
	if !ok {
		if dir, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
			rel, ok = within(s.root, filepath.Join(dir, filepath.Base(path)))
		}
	}
	switch {
	case !ok:
		return "", fmt.Errorf("%s is outside the module root %s", path, s.root)
	case rel == storeDir || strings.HasPrefix(rel, storeDir+string(filepath.Separator)):
		return "", fmt.Errorf("%s is inside the backup directory %s", path, s.dir)
	}
	return filepath.ToSlash(rel), nil
}

// within returns path relative to root, if it lies strictly inside it.
func within(root, path string) (string, bool) {
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return rel, true
}
