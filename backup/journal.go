package backup

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Journal operations, the "op" field of each line.
const (
	opBegin    = "begin"    // first line: the run's id, time and meta
	opFile     = "file"     // a file is about to be written; its backup is durable
	opWritten  = "written"  // the file with this seq has its new content
	opRestored = "restored" // the file with this seq has its original content again
	opSkipped  = "skipped"  // the write of this seq was given up; the file was not touched
	opState    = "state"    // the run reached a final state
)

// record is one line of a run's journal. Fields are used by op as follows:
// begin: ID, Time, Rules, Command, Group, Holder; file: Seq, Path, Before, After, Mode,
// Backup, Tmp, Dir; written, restored and skipped: Seq; state: State.
type record struct {
	Op      string      `json:"op,omitempty"`
	ID      string      `json:"id,omitempty"`
	Time    time.Time   `json:"time,omitzero"`
	Rules   []string    `json:"rules,omitempty"`
	Command string      `json:"command,omitempty"`
	Group   string      `json:"group,omitempty"`
	Holder  string      `json:"holder,omitempty"` // token of the write lock held by the process writing the run
	Seq     int         `json:"seq,omitempty"`
	Path    string      `json:"path,omitempty"`   // slash-separated, relative to the root
	Before  string      `json:"before,omitempty"` // SHA-256 hex of the original; "" if absent
	After   string      `json:"after,omitempty"`  // SHA-256 hex of the new content; "" if absent
	Mode    fs.FileMode `json:"mode,omitempty"`   // mode of the original
	Backup  string      `json:"backup,omitempty"` // copy of the original, relative to the run dir
	Tmp     string      `json:"tmp,omitempty"`    // temp file used to write Path, relative to the root
	Dir     bool        `json:"dir,omitempty"`    // Path is a directory; Before and After are "dir" or ""
	State   State       `json:"state,omitempty"`
}

// journal is an append-only file of JSON lines. size is the length of its
// valid prefix: a failed append is cut off before the next one.
type journal struct {
	f     *os.File
	size  int64
	dirty bool
	fault func(step string) error
}

// createJournal creates a new journal at path holding first, synced.
func createJournal(path string, first record, fault func(string) error) (*journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	j := &journal{f: f, fault: fault}
	if err := j.append(true, first); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// openJournal opens the journal at path for appending, creating it if it
// is missing, and returns its records. A torn tail left by a crash is cut
// off before the next append.
func openJournal(path string, fault func(string) error) (*journal, []record, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	recs, valid, err := parseJournal(data, filepath.Dir(path))
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	j := &journal{f: f, size: int64(valid), dirty: valid < len(data), fault: fault}
	return j, recs, nil
}

// readJournal returns the records of the journal at path without opening
// it for writing. A missing journal has none.
func readJournal(path string) ([]record, error) {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	recs, _, err := parseJournal(data, filepath.Dir(path))
	return recs, err
}

// parseJournal decodes the longest prefix of complete lines that are
// records, and returns them and the prefix's length. What follows is the
// tail of an append that a crash tore (a line without its newline, or
// blocks never written), and is ignored: unless a complete record follows
// it, since then a line in the middle of the journal of the run in dir is
// damaged.
func parseJournal(data []byte, dir string) ([]record, int, error) {
	var recs []record
	valid := 0
	for {
		i := bytes.IndexByte(data[valid:], '\n')
		if i < 0 {
			return recs, valid, nil
		}
		r, ok := decodeRecord(data[valid : valid+i])
		if !ok {
			if hasRecord(data[valid+i+1:]) {
				return nil, 0, &DamagedError{ID: filepath.Base(dir), Dir: dir, File: journalName, Line: len(recs) + 1, Problem: "not a journal record"}
			}
			return recs, valid, nil
		}
		recs = append(recs, r)
		valid += i + 1
	}
}

// decodeRecord decodes one line of a journal.
func decodeRecord(line []byte) (record, bool) {
	var r record
	err := json.Unmarshal(line, &r)
	return r, err == nil && r.Op != ""
}

// hasRecord reports whether one of the complete lines of data is a record.
func hasRecord(data []byte) bool {
	lines := bytes.Split(data, []byte("\n"))
	for _, line := range lines[:len(lines)-1] {
		if _, ok := decodeRecord(line); ok {
			return true
		}
	}
	return false
}

// append writes recs as lines at the end of the valid prefix, and syncs
// the file if sync is set.
func (j *journal) append(sync bool, recs ...record) error {
	var buf bytes.Buffer
	for _, r := range recs {
		line, err := json.Marshal(r)
		if err != nil {
			return err
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	if err := j.cutTail(); err != nil {
		return err
	}
	if err := j.write(buf.Bytes(), sync); err != nil {
		j.dirty = true
		return err
	}
	j.size += int64(buf.Len())
	return nil
}

// cutTail removes whatever a failed append may have left after the valid
// prefix.
func (j *journal) cutTail() error {
	if !j.dirty {
		return nil
	}
	if err := j.f.Truncate(j.size); err != nil {
		return err
	}
	j.dirty = false
	return nil
}

// rollbackRoom is the journal space a rollback may need per file record
// (its "written" and "restored" lines), and once (the state and skipped
// lines).
const (
	rollbackRoomPerFile = 96
	rollbackRoomOnce    = 128
)

// reserve allocates n bytes past the journal's valid prefix without
// changing its size, so that appending them later takes no new space.
func (j *journal) reserve(n int64) error {
	if err := hit(j.fault, "journal-reserve"); err != nil {
		return err
	}
	return preallocate(j.f, j.size, n)
}

func (j *journal) write(b []byte, sync bool) error {
	if err := hit(j.fault, "journal-write"); err != nil {
		return err
	}
	if _, err := j.f.WriteAt(b, j.size); err != nil {
		return err
	}
	if !sync {
		return nil
	}
	if err := hit(j.fault, "journal-sync"); err != nil {
		return err
	}
	return j.f.Sync()
}

func (j *journal) close() error {
	return j.f.Close()
}

// hit calls the fault hook, if any, before step.
func hit(fault func(string) error, step string) error {
	if fault == nil {
		return nil
	}
	return fault(step)
}

// runLog is a run's journal replayed.
type runLog struct {
	begin    record
	files    []record     // op "file", in seq order, without those skipped
	seqs     map[int]bool // the seqs of every file record, skipped included
	written  map[int]bool
	restored map[int]bool
	state    State
	lost     []record    // records the journal lost, found beside the backups
	lines    map[int]int // the journal line of each file record's seq
}

// errNoBegin says that a run directory has no journal with a begin record
// and no record of a file beside the backup copies: a crash inside
// Store.Begin left it, before the run could touch anything.
var errNoBegin = errors.New("journal has no begin record")

// replay builds the runLog of the records recs of the run in dir, which
// must start with its begin record, checking every record.
func replay(dir string, recs []record) (*runLog, error) {
	id := filepath.Base(dir)
	if len(recs) == 0 {
		return nil, errNoBegin
	}
	l := &runLog{begin: recs[0], seqs: map[int]bool{}, written: map[int]bool{}, restored: map[int]bool{}, state: StateInterrupted, lines: map[int]int{}}
	bad := func(line int, field, problem string) error {
		return &DamagedError{ID: id, Dir: dir, File: journalName, Line: line, Field: field, Problem: problem}
	}
	switch {
	case recs[0].Op != opBegin:
		return nil, bad(1, "op", fmt.Sprintf("%q where the begin record should be", recs[0].Op))
	case recs[0].ID != id:
		return nil, bad(1, "id", fmt.Sprintf("%q is not the run of this directory", recs[0].ID))
	}
	for i, r := range recs[1:] {
		field, problem := r.check(id, func(seq int) bool { return l.seqs[seq] })
		if problem == "" && r.Op == opFile && l.seqs[r.Seq] {
			field, problem = "seq", fmt.Sprintf("%d names a second file record", r.Seq)
		}
		if problem != "" {
			return nil, bad(i+2, field, problem)
		}
		if r.Op == opFile {
			l.lines[r.Seq] = i + 2
		}
		l.add(r)
	}
	return l, nil
}

// add applies one record to the log.
func (l *runLog) add(r record) {
	switch r.Op {
	case opFile:
		l.files = append(l.files, r)
		l.seqs[r.Seq] = true
	case opWritten:
		l.written[r.Seq] = true
	case opRestored:
		l.restored[r.Seq] = true
	case opSkipped:
		l.files = slices.DeleteFunc(l.files, func(f record) bool { return f.Seq == r.Seq })
	case opState:
		l.state = r.State
	}
}

// allRestored reports whether every file of the run has been restored.
func (l *runLog) allRestored() bool {
	for _, f := range l.files {
		if !l.restored[f.Seq] {
			return false
		}
	}
	return true
}

// info summarises the log for List.
func (l *runLog) info() RunInfo {
	return RunInfo{
		ID:       l.begin.ID,
		Time:     l.begin.Time,
		Rules:    l.begin.Rules,
		Command:  l.begin.Command,
		Group:    l.begin.Group,
		Files:    l.fileCount(),
		Restored: len(l.restored),
		State:    l.state,
	}
}

// fileCount is the number of files, not directories, the run wrote.
func (l *runLog) fileCount() int {
	n := 0
	for _, f := range l.files {
		if !f.Dir {
			n++
		}
	}
	return n
}

// manifest is the summary written next to the journal whenever a run
// reaches a state. It is for people and tools; the journal is the truth.
type manifest struct {
	ID      string         `json:"id"`
	Time    time.Time      `json:"time"`
	Rules   []string       `json:"rules,omitempty"`
	Command string         `json:"command,omitempty"`
	State   State          `json:"state"`
	Files   []manifestFile `json:"files"`
}

// manifestFile is a file of the manifest: its journal entry and where it
// stands.
type manifestFile struct {
	record
	// State is "backed-up" (the original is saved; the file may or may
	// not have been written), "written" or "restored".
	State string `json:"state"`
}

// writeManifest replaces path with the manifest of l.
func (l *runLog) writeManifest(path string, fault func(string) error) error {
	m := manifest{ID: l.begin.ID, Time: l.begin.Time, Rules: l.begin.Rules, Command: l.begin.Command, State: l.state, Files: []manifestFile{}}
	for _, f := range l.files {
		f.Op = ""
		m.Files = append(m.Files, manifestFile{record: f, State: l.fileState(f.Seq)})
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	return writeFileAtomic(path, append(data, '\n'), 0o600, fault)
}

// fileState says where the file seq of the run stands.
func (l *runLog) fileState(seq int) string {
	switch {
	case l.restored[seq]:
		return "restored"
	case l.written[seq]:
		return "written"
	default:
		return "backed-up"
	}
}
