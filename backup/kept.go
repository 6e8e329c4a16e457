package backup

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// keptName is the copy of the file record of seq kept beside the backup
// copies, relative to the run directory.
func keptName(seq int) string {
	return fmt.Sprintf("%s/%05d.json", filesDir, seq)
}

// keep writes the backup copy of the original of e, old, if e has one,
// and e itself, encoded as line, beside it, and syncs them and their
// directory. Written before e's journal line, they let the run be
// restored from files/ alone if the journal is cut short.
func (r *Run) keep(e record, line, old []byte) error {
	if e.Backup != "" {
		if err := writeSynced(filepath.Join(r.dir, native(e.Backup)), old, r.s.faults, "backup"); err != nil {
			return err
		}
	}
	if err := writeSynced(filepath.Join(r.dir, native(keptName(e.Seq))), append(line, '\n'), r.s.faults, "record"); err != nil {
		return err
	}
	if err := hit(r.s.faults, "backup-dir-sync"); err != nil {
		return err
	}
	return syncPath(filepath.Join(r.dir, filesDir))
}

// unkeep removes what keep wrote for e, after its journal line could not
// be written: the file was not touched.
func (r *Run) unkeep(e record) {
	os.Remove(filepath.Join(r.dir, native(keptName(e.Seq))))
	if e.Backup != "" {
		os.Remove(filepath.Join(r.dir, native(e.Backup)))
	}
}

// loadLog replays the journal records recs of the run in dir, and adds
// the file records kept beside its backup copies that the journal lost
// (cut short): each was written before its journal line, so every file
// the run may have touched has one. A journal that lost even its begin
// record gets one made from the directory's name.
func loadLog(dir string, recs []record) (*runLog, error) {
	kept, err := keptSeqs(dir)
	if err != nil {
		return nil, err
	}
	var lost []record
	if len(recs) == 0 && len(kept) > 0 {
		recs = []record{madeBegin(filepath.Base(dir))}
		lost = recs
	}
	l, err := replay(dir, recs)
	if err != nil {
		return nil, err
	}
	for _, seq := range kept {
		if l.seqs[seq] {
			continue
		}
		e, ok, err := readKept(dir, seq, seq == kept[len(kept)-1])
		if err != nil {
			return nil, err
		}
		if ok {
			l.add(e)
			lost = append(lost, e)
		}
	}
	l.lost = lost
	slices.SortFunc(l.files, func(a, b record) int { return cmp.Compare(a.Seq, b.Seq) })
	return l, nil
}

// keptSeqs returns the seqs of the file records kept in the run directory
// dir, in order.
func keptSeqs(dir string) ([]int, error) {
	ents, err := os.ReadDir(filepath.Join(dir, filesDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var seqs []int
	for _, e := range ents {
		stem, ok := strings.CutSuffix(e.Name(), ".json")
		if seq, err := strconv.Atoi(stem); ok && err == nil && seq > 0 && keptName(seq) == filesDir+"/"+e.Name() {
			seqs = append(seqs, seq)
		}
	}
	slices.Sort(seqs)
	return seqs, nil
}

// readKept reads and checks the file record of seq kept in the run
// directory dir. A record torn by a crash is ignored if it is the last
// one: its journal line was never written, so its file was never touched.
func readKept(dir string, seq int, last bool) (record, bool, error) {
	id, name := filepath.Base(dir), keptName(seq)
	data, err := os.ReadFile(filepath.Join(dir, native(name)))
	if err != nil {
		return record{}, false, err
	}
	bad := func(field, problem string) error {
		return &DamagedError{ID: id, Dir: dir, File: name, Field: field, Problem: problem}
	}
	e, ok := decodeRecord(bytes.TrimSuffix(data, []byte("\n")))
	switch {
	case (!ok || !bytes.HasSuffix(data, []byte("\n"))) && last:
		return record{}, false, nil
	case !ok:
		return record{}, false, bad("", "not a file record")
	case e.Op != opFile:
		return record{}, false, bad("op", fmt.Sprintf("%q is not %q", e.Op, opFile))
	case e.Seq != seq:
		return record{}, false, bad("seq", fmt.Sprintf("%d is not the seq of its name", e.Seq))
	}
	if field, problem := e.checkFile(id); problem != "" {
		return record{}, false, bad(field, problem)
	}
	return e, true, nil
}

// madeBegin is the begin record of run id when its journal lost it.
func madeBegin(id string) record {
	t, _ := time.Parse("20060102-150405.000", id[:min(len(id), len("20060102-150405.000"))])
	return record{Op: opBegin, ID: id, Time: t, Command: "(the journal lost its begin record)"}
}

// crossCheck compares each file record of the journal of the run in dir
// with the copy kept beside the backups, where there is one (runs written
// before migrate kept them have none): a journal line that says something
// else, such as another mode or digest, is damaged.
func (l *runLog) crossCheck(dir string) error {
	kept, err := keptSeqs(dir)
	if err != nil {
		return err
	}
	files := map[int]record{}
	for _, f := range l.files {
		files[f.Seq] = f
	}
	for _, seq := range kept {
		e, ok := files[seq]
		line := l.lines[seq]
		if !ok || line == 0 {
			continue
		}
		k, _, err := readKept(dir, seq, false)
		if err != nil {
			return err
		}
		if field, j, c := differ(e, k); field != "" {
			return &DamagedError{ID: filepath.Base(dir), Dir: dir, File: journalName, Line: line, Field: field,
				Problem: fmt.Sprintf("%v, where %s says %v", j, keptName(seq), c)}
		}
	}
	return nil
}

// differ returns the first field in which the file records a and b
// differ, and its values, or "" if they agree.
func differ(a, b record) (field string, av, bv any) {
	switch {
	case a.Path != b.Path:
		return "path", a.Path, b.Path
	case a.Dir != b.Dir:
		return "dir", a.Dir, b.Dir
	case a.Before != b.Before:
		return "before", a.Before, b.Before
	case a.After != b.After:
		return "after", a.After, b.After
	case a.Mode != b.Mode:
		return "mode", a.Mode, b.Mode
	case a.Backup != b.Backup:
		return "backup", a.Backup, b.Backup
	case a.Tmp != b.Tmp:
		return "tmp", a.Tmp, b.Tmp
	}
	return "", nil, nil
}
