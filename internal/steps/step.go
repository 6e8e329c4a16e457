package steps

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/migrate-tool/migrate/backup"
	"github.com/migrate-tool/migrate/internal/gocmd"
	"github.com/migrate-tool/migrate/internal/udiff"
	"github.com/migrate-tool/migrate/rewrite"
)

// step applies one step: it computes the step's go.mod, checks the step
// on an overlay, compares its benchmarks (with Options.Bench), then backs
// it up and writes it, and commits it. A step
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
	if a.o.Bench.Regexp != "" {
		if s.Bench = a.benchStep(ctx, s, p); !s.Bench.OK {
			if ctx.Err() != nil {
				return a.unwritten(ctx, s, ctx.Err())
			}
			s.Status, s.Reason = Failed, s.Bench.Summary()
			if s.Modules != nil && !a.o.DryRun {
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
	s.Status, s.Reason, s.Verify, s.Bench, s.Modules = Interrupted, "interrupted before writing", nil, nil, nil
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
	s.Status, s.Reason, s.Verify, s.Bench, s.Modules = Interrupted, "interrupted; rolled back", nil, nil, nil
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
		if err := writeChange(run, f); err != nil {
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

// writeChange writes one changed file through the backup run; a file with
// no Old is created, with the directories it needs, which a restore
// removes again.
func writeChange(run *backup.Run, f *rewrite.FileChange) error {
	if f.Old != nil {
		return run.WriteFile(f.Path, f.Old, f.New)
	}
	if err := run.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
		return err
	}
	return run.CreateFile(f.Path, f.New, f.Mode)
}
