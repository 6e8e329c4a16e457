package steps

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/migrate-tool/migrate/backup"
	"github.com/migrate-tool/migrate/internal/gitx"
)

// prepareGit opens the git work tree for --commit. Unless AllowDirty, it
// refuses files to change that hold work git has not committed: edits,
// staged or not, and untracked files, which a commit would record whole.
// It warns when HEAD is detached.
func (a *applier) prepareGit(ctx context.Context) error {
	var err error
	if a.repo, err = gitx.Open(ctx, a.root); err != nil {
		return err
	}
	if !a.o.AllowDirty {
		dirty, err := a.repo.Dirty(ctx, a.pathsToChange())
		if err != nil {
			return err
		}
		if len(dirty) > 0 {
			return dirtyError(dirty)
		}
	}
	detached, at, err := a.repo.Detached(ctx)
	if err != nil {
		return err
	}
	if detached {
		a.warn(fmt.Sprintf("HEAD is detached at %s: --commit makes commits on no branch; keep them with git switch -c BRANCH", at))
	}
	return nil
}

// pathsToChange returns the files the run may write: the rewritten files,
// and go.mod, go.sum and vendor/ when the rule sets change modules.
func (a *applier) pathsToChange() []string {
	var paths []string
	for _, f := range a.o.Result.Files {
		paths = append(paths, f.Path)
	}
	if !a.changesModules() {
		return paths
	}
	paths = append(paths, filepath.Join(a.root, "go.mod"), filepath.Join(a.root, "go.sum"))
	if vendored(a.root) {
		paths = append(paths, filepath.Join(a.root, "vendor"))
	}
	return paths
}

func dirtyError(dirty []gitx.Change) error {
	var edited, untracked []string
	for _, c := range dirty {
		if c.Untracked {
			untracked = append(untracked, c.Path)
		} else {
			edited = append(edited, c.Path)
		}
	}
	var parts []string
	if len(edited) > 0 {
		parts = append(parts, fmt.Sprintf("files to change have uncommitted edits: %v", edited))
	}
	if len(untracked) > 0 {
		parts = append(parts, fmt.Sprintf("files to change are untracked (a commit would record them whole): %v", untracked))
	}
	return fmt.Errorf("%s; commit or stash them first, or pass --allow-dirty", strings.Join(parts, "; "))
}

// warn tells the caller of something to know before the run goes on.
func (a *applier) warn(msg string) {
	a.warnings = append(a.warnings, msg)
	if a.o.Warn != nil {
		a.o.Warn(msg)
	}
}

// commit makes the git commit of a verified step whose backup run is still
// open. When git refuses it (a hook fails), gitx has put the index entries
// back, and the run is aborted: the files are as before the step.
func (a *applier) commit(ctx context.Context, run *backup.Run, s *StepReport, written []string) (string, error) {
	hash, err := a.repo.Commit(ctx, written, commitMessage(a.o, s))
	if err == nil {
		return hash, nil
	}
	if aerr := run.Abort(); aerr != nil {
		return "", fmt.Errorf("nothing committed, and restoring the step's files failed: %v (run migrate restore %s): %w", aerr, run.ID(), err)
	}
	return "", fmt.Errorf("nothing committed; the step's files are restored (backup run %s, marked failed): %w", run.ID(), err)
}
