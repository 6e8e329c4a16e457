package backup

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// DamagedError is returned when the records of a run cannot be trusted: a
// line of its journal in the middle that is not a record, or a record
// whose field names a file outside the module, or a backup copy outside
// the run. Nothing is restored from such a run.
type DamagedError struct {
	// ID is the run.
	ID string
	// Dir is the run's directory.
	Dir string
	// File is the damaged file, relative to Dir: the journal, or the
	// record kept beside a backup copy (files/00003.json).
	File string
	// Line is the damaged line of File, 0 for the whole file.
	Line int
	// Field is the field at fault, "" when the line as a whole is.
	Field string
	// Problem says what is wrong.
	Problem string
}

// Error describes the error and what to do about it.
func (e *DamagedError) Error() string {
	where := e.File
	if e.Line > 0 {
		where += fmt.Sprintf(" line %d", e.Line)
	}
	if e.Field != "" {
		where += ": field " + e.Field
	}
	return fmt.Sprintf("%s: %s; the records of run %s are damaged, so nothing was restored; "+
		"the original files are in %s (files/NNNNN.json names each), or discard the run with `migrate backups prune --force %s`",
		where, e.Problem, e.ID, filepath.Join(e.Dir, filesDir), e.ID)
}

// check returns the field of r at fault and what is wrong with it, or ""
// and "" if r is a valid record of run id other than its begin record.
// seen says whether a file record of a seq came before.
func (r record) check(id string, seen func(seq int) bool) (field, problem string) {
	switch r.Op {
	case opFile:
		return r.checkFile(id)
	case opWritten, opRestored, opSkipped:
		if !seen(r.Seq) {
			return "seq", fmt.Sprintf("%d names no file record before it", r.Seq)
		}
	case opState:
		if r.State != StateComplete && r.State != StateFailed && r.State != StateRestored {
			return "state", fmt.Sprintf("%q is not a final state", r.State)
		}
	case opBegin:
		return "op", "a second begin record"
	default:
		return "op", fmt.Sprintf("%q is not a journal operation", r.Op)
	}
	return "", ""
}

// checkFile checks a file record of run id: its paths must stay inside
// the module and out of .migrate, its temp file must be the one migrate
// names, and its backup copy the one of its seq in the run's directory.
func (r record) checkFile(id string) (field, problem string) {
	switch {
	case r.Seq < 1:
		return "seq", fmt.Sprintf("%d is not a positive number", r.Seq)
	case !localPath(r.Path):
		return "path", fmt.Sprintf("%q is not a clean path inside the module and outside %s", r.Path, storeDir)
	case r.Mode&^modeBits != 0:
		return "mode", fmt.Sprintf("%v has bits migrate never records", r.Mode)
	case r.Dir:
		return r.checkDir()
	case !digestOrEmpty(r.Before):
		return "before", fmt.Sprintf("%q is not a SHA-256", r.Before)
	case !digestOrEmpty(r.After):
		return "after", fmt.Sprintf("%q is not a SHA-256", r.After)
	case r.Tmp != tmpName(r.Path, id, r.Seq):
		return "tmp", fmt.Sprintf("%q is not the temp file migrate names for %s (%s)", r.Tmp, r.Path, tmpName(r.Path, id, r.Seq))
	case r.Backup != backupName(r.Seq, r.Before != ""):
		return "backup", fmt.Sprintf("%q is not the backup copy of seq %d (%q)", r.Backup, r.Seq, backupName(r.Seq, r.Before != ""))
	}
	return "", ""
}

// checkDir checks the fields particular to a record about a directory.
func (r record) checkDir() (field, problem string) {
	switch {
	case r.Before != "" && r.Before != dirMark:
		return "before", fmt.Sprintf("%q is neither %q nor empty", r.Before, dirMark)
	case r.After != "" && r.After != dirMark:
		return "after", fmt.Sprintf("%q is neither %q nor empty", r.After, dirMark)
	case r.Tmp != "":
		return "tmp", "a directory has no temp file"
	case r.Backup != "":
		return "backup", "a directory has no backup copy"
	}
	return "", ""
}

// localPath reports whether p is a clean, slash-separated, relative path
// inside the module root, and outside the store directory.
func localPath(p string) bool {
	return p != "" && p != "." && path.Clean(p) == p && !strings.ContainsRune(p, 0) &&
		filepath.IsLocal(native(p)) && filepath.ToSlash(native(p)) == p &&
		p != storeDir && !strings.HasPrefix(p, storeDir+"/")
}

// digestOrEmpty reports whether s is "" or a SHA-256 in lower-case hex.
func digestOrEmpty(s string) bool {
	if s == "" {
		return true
	}
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// backupName is the backup copy of the file with seq, relative to the run
// directory, or "" if the file did not exist before.
func backupName(seq int, existed bool) string {
	if !existed {
		return ""
	}
	return fmt.Sprintf("%s/%05d", filesDir, seq)
}
