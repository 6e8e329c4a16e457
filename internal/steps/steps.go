// Package steps carries a computed rewrite to disk the way a careful person
// would: in steps (the whole run, one file, or one package at a time), each
// one computed with its go.mod, checked by building, vetting and testing
// it through an -overlay of its new contents, then backed up, written and
// committed; a step that fails its checks is not written, and the run goes
// on with the next one. A step the go command cannot check through an
// overlay, or checked by the user's command, is written first and restored
// if the check fails. When the context is cancelled (Ctrl-C) the step in
// flight is stopped before it writes, rolled back, or finished if it was
// verified, and no other is started.
package steps

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/migrate-tool/migrate/backup"
	"github.com/migrate-tool/migrate/internal/gitx"
	"github.com/migrate-tool/migrate/internal/gocmd"
	"github.com/migrate-tool/migrate/rewrite"
	"github.com/migrate-tool/migrate/rules"
)

// Split says how a run is cut into steps.
type Split string

// Ways to split a run.
const (
	Whole      Split = ""
	PerFile    Split = "file"
	PerPackage Split = "package"
)

// WholeName names the single step of a run that is not split.
const WholeName = "all files"

// Options configure Apply.
type Options struct {
	Result *rewrite.Result
	Sets   []*rules.Set
	Split  Split
	// Verify is how each step is checked.
	Verify Verify
	// Bench, with a Regexp, also compares the benchmarks of each step's
	// packages and their importers before and after the step, before it
	// is written: a regression fails the step like a failing test.
	Bench Bench
	// DryRun checks each step as a run would, on an overlay, and writes
	// nothing: no file, no backup, no commit. A step whose checks pass is
	// then assumed written for the checks of the steps after it.
	DryRun bool
	// Commit makes a git commit after each verified step.
	Commit bool
	// AllowDirty lets Commit go on when files to change have uncommitted
	// edits.
	AllowDirty bool
	// Command is recorded in each backup run.
	Command string
	// Env is the user's environment (nil: the process's), from which
	// gocmd.NewEnv makes the go command's; a --test command gets it as is.
	Env []string
	// Store is the backup store to write through, locked by the caller
	// (backup.Store.Lock) before it read the files; nil: Apply opens the
	// module's store itself.
	Store *backup.Store
	// Progress, if set, is told when a step starts.
	Progress func(i, n int, name string)
	// Around are the files outside the module that the same run changes
	// (other modules of a repository migrated together, absolute paths):
	// Before their contents as the run read them, After as it leaves
	// them. A step's checks see After and its baseline sees Before,
	// whichever of the two is on disk.
	Around Around
	// Warn, if set, is told at once of what the user should know before
	// the run goes on (a commit on a detached HEAD); Report.Warnings
	// lists the same.
	Warn func(msg string)
}

// Around are the contents of files outside the module, before and after a
// run (see Options.Around).
type Around struct {
	Before, After map[string][]byte
}

// Report is what Apply did.
type Report struct {
	Steps    []*StepReport `json:"steps"`
	Duration time.Duration `json:"duration_ns"`
	Warnings []string      `json:"warnings,omitempty"`
	// assumed are, in a dry run, the new contents of the steps checked
	// (go.mod and go.sum included).
	assumed map[string][]byte
}

// Assumed returns, for a dry run, the files its checked steps would write
// (go.mod and go.sum included): what the checks of another module that
// uses this one must see.
func (r *Report) Assumed() map[string][]byte { return r.assumed }

// Failed returns the steps that failed verification.
func (r *Report) Failed() []*StepReport {
	return slices.DeleteFunc(slices.Clone(r.Steps), func(s *StepReport) bool { return s.Status != Failed })
}

// Status of a step.
type Status string

// Step statuses.
const (
	Done   Status = "done"
	Failed Status = "failed"
	// Interrupted is a step that was in flight when the run was
	// interrupted: it was rolled back, whatever its verification said.
	Interrupted Status = "interrupted"
	// Checked is a step of a dry run whose checks passed: a run would
	// write it.
	Checked Status = "checked"
	// Restored is a step written, then restored because a later module
	// of the same run failed (the run left the repository as it was).
	Restored Status = "restored"
)

// StepReport is one step's outcome.
type StepReport struct {
	Name     string         `json:"name"`
	Files    []string       `json:"files"`
	Sites    map[string]int `json:"sites"`
	Findings []string       `json:"findings,omitempty"`
	RunID    string         `json:"run_id"`
	Status   Status         `json:"status"`
	Reason   string         `json:"reason,omitempty"`
	Modules  *ModuleReport  `json:"modules,omitempty"`
	Verify   *VerifyReport  `json:"verify,omitempty"`
	Bench    *BenchReport   `json:"bench,omitempty"`
	Commit   string         `json:"commit,omitempty"`
	// Written tells that the step's files were written, even if restored
	// since: a step that fails its checks before the write is not.
	Written  bool `json:"written"`
	changes  []*rewrite.FileChange
	findings []rewrite.Finding
	// modBefore is go.mod before the step changed it (nil if it did not),
	// and sumBefore go.sum (nil if there was none): the baseline of the
	// verification builds against them.
	modBefore, sumBefore []byte
	// modAfter and sumAfter are go.mod and go.sum after the step updated
	// them (modAfter nil if it did not; sumAfter nil: no go.sum).
	modAfter, sumAfter []byte
}

// ModuleReport says how go.mod changed.
type ModuleReport struct {
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
	// Notes are modules left for a person: a retired module still
	// required, a companion module that moves with the old client.
	Notes []string `json:"notes,omitempty"`
	// Vendored tells that vendor/ was synced with the new go.mod (go mod
	// vendor), each change backed up. In a dry run it tells that the run
	// would sync it: without checks, whenever the module vendors (the
	// vendor tree is not computed).
	Vendored bool `json:"vendored,omitempty"`
}

// Plan cuts the result into steps without applying them.
func Plan(res *rewrite.Result, split Split) []*StepReport {
	var steps []*StepReport
	byKey := map[string]*StepReport{}
	for _, f := range res.Files {
		key := WholeName
		switch split {
		case PerFile:
			key = f.Rel
		case PerPackage:
			key = filepath.ToSlash(filepath.Dir(f.Rel))
		}
		s := byKey[key]
		if s == nil {
			s = &StepReport{Name: key, Sites: map[string]int{}}
			byKey[key] = s
			steps = append(steps, s)
		}
		s.Files = append(s.Files, f.Rel)
		s.changes = append(s.changes, f)
	}
	for _, fd := range res.Findings {
		for _, s := range steps {
			if slices.Contains(s.Files, fd.Pos.Filename) {
				s.findings = append(s.findings, fd)
				s.Findings = append(s.Findings, fd.String())
			}
		}
	}
	return steps
}

// InterruptedError is returned by Apply when its context is cancelled
// (SIGINT, SIGTERM): the step in flight was rolled back, or finished if it
// had passed verification, and no later step was started. The report
// returned with it holds the steps started; those Done are left written.
type InterruptedError struct {
	// At is the step rolled back (1-based), 0 if none was.
	At int
	// Unwritten tells that step At was stopped before it wrote anything.
	Unwritten bool
	// Total is the number of steps of the run.
	Total int
	// NotStarted is the number of steps never started.
	NotStarted int
}

// Error says where the run stopped.
func (e *InterruptedError) Error() string {
	switch {
	case e.At == 0:
		return fmt.Sprintf("interrupted; %d of %d steps not started", e.NotStarted, e.Total)
	case e.Unwritten:
		return fmt.Sprintf("interrupted at step %d/%d, before it wrote anything; %d not started", e.At, e.Total, e.NotStarted)
	}
	return fmt.Sprintf("interrupted at step %d/%d, rolled back; %d not started", e.At, e.Total, e.NotStarted)
}

// errRolledBack is what step returns when it rolled itself back because
// the context was cancelled.
var errRolledBack = errors.New("rolled back: interrupted")

// Apply checks and writes the result step by step (with o.DryRun, only
// checks it). It returns an error, after restoring what the failing step
// wrote, when a write fails or a step cannot be committed; verification
// failures are not errors: they are in the report. When ctx is cancelled
// it returns an *InterruptedError.
func Apply(ctx context.Context, o Options) (*Report, error) {
	start := time.Now()
	root := o.Result.Module.Root
	env, err := gocmd.NewEnv(ctx, root, o.Env)
	if err != nil {
		return nil, err
	}
	a := &applier{o: o, root: root, gocmd: &gocmd.Runner{Dir: root, Env: env}, mod: o.Result.GoMod, sum: o.Result.GoSum, pending: map[string][]byte{}, moved: movedPaths(o.Sets)}
	if len(o.Around.Before) > 0 {
		// The go commands that look at the tree before the step (listing
		// its packages and import graph) see the other modules as they
		// were; the checks after it add an -overlay of their own, which
		// the go command takes over this one.
		file, cleanup, err := gocmd.WriteOverlay(o.Around.Before)
		if err != nil {
			return nil, err
		}
		defer cleanup()
		a.gocmd = a.gocmd.With("-overlay=" + file)
	}
	steps := Plan(o.Result, o.Split)
	if err := a.prepare(ctx, steps); err != nil {
		if ctx.Err() != nil {
			return &Report{}, &InterruptedError{Total: len(steps), NotStarted: len(steps)}
		}
		return nil, err
	}
	rep := &Report{Steps: steps, Warnings: a.warnings}
	for i, s := range steps {
		if ctx.Err() != nil {
			rep.Steps = steps[:i]
			return rep, &InterruptedError{Total: len(steps), NotStarted: len(steps) - i}
		}
		if o.Progress != nil {
			o.Progress(i+1, len(steps), s.Name)
		}
		err := a.step(ctx, s)
		if errors.Is(err, errRolledBack) {
			rep.Steps = steps[:i+1]
			return rep, &InterruptedError{At: i + 1, Unwritten: !s.Written, Total: len(steps), NotStarted: len(steps) - i - 1}
		}
		if err != nil {
			return rep, fmt.Errorf("step %s: %w", s.Name, err)
		}
	}
	rep.Duration = time.Since(start)
	rep.assumed = a.pending
	return rep, nil
}

type applier struct {
	o        Options
	root     string
	gocmd    *gocmd.Runner
	store    *backup.Store
	repo     *gitx.Repo
	graph    *gocmd.Graph // the module's import graph, listed once
	group    string       // the first step's run id: the backup group of the steps
	warnings []string
	// mod and sum are go.mod and go.sum as the run read them, then as the
	// last committed step wrote them (sum nil: no go.sum): what the next
	// write of them expects to find.
	mod, sum []byte
	// pending are, in a dry run, the new contents of the steps checked so
	// far (go.mod and go.sum included), which the next steps' checks see
	// through their overlay as a run would see them on disk.
	pending map[string][]byte
	// moved makes the import paths the rule sets move one, for comparing
	// failures before and after (see failureKeys).
	moved *strings.Replacer
}

// prepare opens, for --commit, the git work tree, refusing files with
// uncommitted work (before anything is written, .migrate/ included), then
// the backup store. A dry run needs neither.
func (a *applier) prepare(ctx context.Context, steps []*StepReport) error {
	if a.o.DryRun {
		return nil
	}
	if a.o.Commit {
		if err := a.prepareGit(ctx); err != nil {
			return err
		}
	}
	a.store = a.o.Store
	if a.store == nil {
		store, err := backup.Open(a.root)
		if err != nil {
			return err
		}
		a.store = store
	}
	return nil
}

func setNames(sets []*rules.Set) []string {
	var names []string
	for _, s := range sets {
		names = append(names, s.Name)
	}
	return names
}
