package backup

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
)

// ChangedError is returned by Run.WriteFile when the file on disk is not
// the content the caller read: someone edited it meanwhile. Nothing was
// written.
type ChangedError struct {
	// Path is the file, relative to the root.
	Path string
}

// Error describes the error and what to do about it.
func (e *ChangedError) Error() string {
	return fmt.Sprintf("write %s: changed since it was read; re-run migrate", e.Path)
}

// InterruptedError is returned by Store.Begin when earlier runs never
// finished: their files may be half-written, so they must be restored or
// discarded first.
type InterruptedError struct {
	// IDs are the interrupted runs, oldest first.
	IDs []string
}

// Error describes the error and what to do about it.
func (e *InterruptedError) Error() string {
	runs, was, last := "run", "was", e.IDs[len(e.IDs)-1]
	if len(e.IDs) > 1 {
		runs, was = "runs", "were"
	}
	return fmt.Sprintf("%s %s %s interrupted before finishing, or its records are damaged, and may have left files half-migrated; "+
		"run `migrate restore %s` to put them back, or `migrate backups prune --force %s` to discard the backups",
		runs, strings.Join(e.IDs, ", "), was, last, strings.Join(e.IDs, " "))
}

// ConflictError is returned by Store.Restore, and Run.Abort, when files
// changed after the run wrote them, so restoring them would lose those
// changes.
type ConflictError struct {
	// ID is the run being restored.
	ID string
	// Files are the changed files, relative to the root.
	Files []string
	// Partial is set when the other files were restored (always with
	// Run.Abort; with Store.Restore when the files changed while it ran);
	// when it is not set nothing was restored.
	Partial bool
	// Abort is set when the error comes from Run.Abort.
	Abort bool
}

// Error describes the error and what to do about it.
func (e *ConflictError) Error() string {
	files := strings.Join(e.Files, ", ")
	switch {
	case e.Abort:
		return fmt.Sprintf("abort run %s: %d file(s) changed during the run and were left as they are: %s; "+
			"run `migrate restore %s --force` to save them as a new backup and restore them", e.ID, len(e.Files), files, e.ID)
	case e.Partial:
		return fmt.Sprintf("restore %s: %d file(s) changed during the restore and were left as they are: %s; "+
			"the other files were restored; re-run with --force to save them as a new backup and restore them", e.ID, len(e.Files), files)
	}
	return fmt.Sprintf("restore %s: %d file(s) changed since the run: %s; nothing was restored; "+
		"re-run with --force to save them as a new backup and restore anyway", e.ID, len(e.Files), files)
}

// NoRunError is returned by Store.Restore when the requested run does not
// exist, or when there are no runs at all.
type NoRunError struct {
	// ID is the requested run; "" when the latest was asked for.
	ID string
	// Dir is the store directory.
	Dir string
}

// Error describes the error and what to do about it.
func (e *NoRunError) Error() string {
	if e.ID == "" {
		return fmt.Sprintf("restore: no backup runs in %s; nothing to restore", e.Dir)
	}
	return fmt.Sprintf("restore %s: no such run in %s; run `migrate backups list` to see the runs", e.ID, e.Dir)
}

// withAdvice wraps err as "op: err", followed by what the user can do
// about it when that is known.
func withAdvice(op string, err error) error {
	switch {
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return fmt.Errorf("%s: %w; check that the file and its directory are writable", op, err)
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return fmt.Errorf("%s: %w; free some disk space", op, err)
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
}
