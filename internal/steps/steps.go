// Package steps carries a computed rewrite to disk the way a careful person
// would: in steps (the whole run, one file, or one package at a time), each
// one backed up, written, reflected in go.mod, verified by building and
// testing, and committed; a step that fails verification is restored and
// the run goes on with the next one. When the context is cancelled (Ctrl-C)
// the step in flight is rolled back, or finished if it was verified, and no
// other is started.
package steps

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/migrate-tool/migrate/backup"
	"github.com/migrate-tool/migrate/internal/gitx"
	"github.com/migrate-tool/migrate/internal/gocmd"
	"github.com/migrate-tool/migrate/internal/udiff"
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
	// Warn, if set, is told at once of what the user should know before
	// the run goes on (a commit on a detached HEAD); Report.Warnings
	// lists the same.
	Warn func(msg string)
}

// Report is what Apply did.
type Report struct {
	Steps    []*StepReport `json:"steps"`
	Duration time.Duration `json:"duration_ns"`
	Warnings []string      `json:"warnings,omitempty"`
}

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
	// vendor), each change backed up.
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

// Apply writes the result step by step. It returns an error, after
// restoring what the failing step wrote, when a write fails or a step
// cannot be committed; verification failures are not errors: they are in
// the report. When ctx is cancelled it returns an *InterruptedError.
func Apply(ctx context.Context, o Options) (*Report, error) {
	start := time.Now()
	root := o.Result.Module.Root
	env, err := gocmd.NewEnv(ctx, root, o.Env)
	if err != nil {
		return nil, err
	}
	a := &applier{o: o, root: root, gocmd: &gocmd.Runner{Dir: root, Env: env}, mod: o.Result.GoMod, sum: o.Result.GoSum, pending: map[string][]byte{}}
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

// step applies one step: it computes the step's go.mod, checks the step
// on an overlay, then backs it up and writes it, and commits it. A step
// that cannot be checked on an overlay, or that runs the user's --test
// command, is checked after the write instead, and restored if the check
// fails.
func (a *applier) step(ctx context.Context, s *StepReport) error {
	for _, f := range s.changes {
		for rule, n := range f.SitesByRule {
			s.Sites[rule] += n
		}
	}
	p, err := a.prepareStep(ctx, s)
	if err != nil {
		return a.unwritten(ctx, s, err)
	}
	defer p.cleanup()
	if p.modules != nil {
		s.Modules = p.modules.report
	}
	first, lim, err := a.checkFirst(ctx, s, p)
	if err != nil {
		return a.unwritten(ctx, s, err)
	}
	if first && (lim.why == "" || a.o.DryRun) {
		caveat := ""
		if lim.why != "" {
			caveat = fallbackNote(true, lim.why)
		}
		if s.Verify = a.verifyOverlay(ctx, s, p, caveat); !s.Verify.OK {
			if ctx.Err() != nil {
				return a.unwritten(ctx, s, ctx.Err())
			}
			s.Status, s.Reason = Failed, s.Verify.Summary()
			if s.Modules != nil && !a.o.DryRun { // go.mod is not written; the notes still explain
				s.Modules = &ModuleReport{Notes: s.Modules.Notes}
			}
			return nil
		}
	}
	if a.o.DryRun {
		a.assume(s, p)
		s.Status = Checked
		return nil
	}
	return a.writeStep(ctx, s, p, first, lim)
}

// unwritten ends a step stopped before it wrote anything: by an interrupt
// (errRolledBack), or by err.
func (a *applier) unwritten(ctx context.Context, s *StepReport, err error) error {
	if ctx.Err() == nil {
		return err
	}
	s.Status, s.Reason, s.Verify, s.Modules = Interrupted, "interrupted before writing", nil, nil
	return errRolledBack
}

// writeStep backs up and writes a step, verifies it on disk if it was not
// checked before (first false, or a limit of the overlay), and commits it.
func (a *applier) writeStep(ctx context.Context, s *StepReport, p *prepared, first bool, lim limit) error {
	var known map[string]*gocmd.Result
	if first && lim.readsFiles {
		var err error
		if known, err = a.testsBefore(ctx, s, p); err != nil {
			return a.unwritten(ctx, s, err)
		}
		if ctx.Err() != nil {
			return a.unwritten(ctx, s, ctx.Err())
		}
	}
	run, err := a.store.Begin(backup.Meta{Rules: setNames(a.o.Sets), Command: a.o.Command + " [" + s.Name + "]", Group: a.group})
	if err != nil {
		return err
	}
	s.RunID = run.ID()
	if a.group == "" {
		a.group = run.ID() // the steps after the first join its group
	}
	s.Written = true
	written, err := a.write(ctx, run, s, p)
	if err != nil && ctx.Err() != nil {
		return rollBack(run, s)
	}
	if err != nil {
		return abort(run, err)
	}
	if !first || lim.why != "" {
		s.Verify = a.verify(ctx, s, known)
		if lim.why != "" {
			s.Verify.Fallback = fallbackNote(false, lim.why)
		}
		if !s.Verify.OK {
			if ctx.Err() != nil { // cut short, not failed
				return rollBack(run, s)
			}
			s.Status, s.Reason = Failed, s.Verify.Summary()
			if s.Modules != nil { // go.mod is restored with the rest; the notes still explain
				s.Modules = &ModuleReport{Notes: s.Modules.Notes}
			}
			if err := run.Abort(); err != nil {
				return fmt.Errorf("verification failed and restoring the step failed too: %w", err)
			}
			return nil
		}
	}
	relocate(a.o.Result, s)
	// The commit comes before the run is complete, so that a refused commit
	// rolls the step back; a verified step is finished even if the run is
	// interrupted now.
	if a.o.Commit {
		if s.Commit, err = a.commit(context.WithoutCancel(ctx), run, s, written); err != nil {
			return err
		}
	}
	if err := run.Commit(); err != nil {
		return err
	}
	if s.modAfter != nil {
		a.mod, a.sum = s.modAfter, s.sumAfter
	}
	s.Status = Done
	return nil
}

// relocate moves the findings in the files a step wrote to their lines in
// the new content (a TODO inserted above a site pushes it down), in the
// result and in the step, so that the report and the commit message point
// at the file as it now is.
func relocate(res *rewrite.Result, s *StepReport) {
	lineOf := map[string]func(int) int{}
	for _, c := range s.changes {
		lineOf[c.Rel] = udiff.LineMap(c.Old, c.New)
	}
	move := func(f *rewrite.Finding) {
		if m, ok := lineOf[f.Pos.Filename]; ok && f.Pos.Line > 0 {
			f.Pos.Line = m(f.Pos.Line)
		}
	}
	for i := range res.Findings {
		move(&res.Findings[i])
	}
	s.Findings = s.Findings[:0]
	for i := range s.findings {
		move(&s.findings[i])
		s.Findings = append(s.Findings, s.findings[i].String())
	}
}

// rollBack restores the step in flight of an interrupted run and returns
// errRolledBack.
func rollBack(run *backup.Run, s *StepReport) error {
	s.Status, s.Reason, s.Verify, s.Modules = Interrupted, "interrupted; rolled back", nil, nil
	if err := run.Abort(); err != nil {
		return fmt.Errorf("interrupted, and restoring the step failed: %w (run migrate restore %s)", err, run.ID())
	}
	return errRolledBack
}

func abort(run *backup.Run, err error) error {
	aerr := run.Abort()
	var incomplete *backup.IncompleteError
	switch {
	case errors.As(aerr, &incomplete): // it names the files left and the command
		return fmt.Errorf("%w; then %v", err, aerr)
	case aerr != nil:
		return fmt.Errorf("%w; restoring the files already written also failed: %v (run migrate restore %s)", err, aerr, run.ID())
	}
	return fmt.Errorf("%w; the files already written were restored", err)
}

// write writes the step's files and its planned go.mod change through the
// backup run, and returns the paths written.
func (a *applier) write(ctx context.Context, run *backup.Run, s *StepReport, p *prepared) ([]string, error) {
	var written []string
	for _, f := range s.changes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := run.WriteFile(f.Path, f.Old, f.New); err != nil {
			return nil, err
		}
		written = append(written, f.Path)
	}
	paths, err := a.writeModules(run, s, p.modules)
	if err != nil {
		return nil, err
	}
	return append(written, paths...), nil
}

func setNames(sets []*rules.Set) []string {
	var names []string
	for _, s := range sets {
		names = append(names, s.Name)
	}
	return names
}
