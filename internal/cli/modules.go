package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/migrate-tool/migrate/backup"
	"github.com/migrate-tool/migrate/internal/localmods"
	"github.com/migrate-tool/migrate/internal/steps"
	"github.com/migrate-tool/migrate/internal/udiff"
	"github.com/migrate-tool/migrate/rewrite"
	"github.com/migrate-tool/migrate/rules"
)

// modRun is one module of a run over several.
type modRun struct {
	mod   *localmods.Module
	store *backup.Store
	res   *rewrite.Result
	rep   *steps.Report
}

// several runs the modules of a repository together (see localmods.Find),
// each after the modules it requires: every module's rewrite is computed
// and checked with the new code of the modules before it, then each is
// verified and written, in order, its checks seeing the other modules'
// new code and its baseline their old code. When a module fails its
// checks, the modules written before it are restored.
type several struct {
	env  *Env
	o    *runOptions
	sets []*rules.Set
	runs []*modRun
	root string // the directory the paths shown are relative to
	cmd  string // the command line, for the backup records
}

func runModules(cmd *cobra.Command, env *Env, o *runOptions, args []string, run *localmods.Run, sets []*rules.Set) error {
	mods := run.Modules
	s := &several{env: env, o: o, sets: sets, root: shownRoot(run), cmd: commandLine(cmd, args)}
	for _, m := range mods {
		s.runs = append(s.runs, &modRun{mod: m})
	}
	if !o.dryRun {
		unlock, err := s.lock()
		defer unlock()
		if err != nil {
			return err
		}
	}
	if !env.Global.quiet {
		fmt.Fprintf(env.Stderr, "migrate: %d modules, each after the ones it requires: %s\n", len(mods), s.moduleList())
	}
	ctx := cmd.Context()
	if err := s.compute(ctx); err != nil {
		return err
	}
	if !o.dryRun {
		if err := s.write(ctx); err != nil {
			return err
		}
	}
	return s.report()
}

// lock takes the lock of every module's backup store, and refuses when an
// interrupted run blocks one; unlock releases those taken.
func (s *several) lock() (unlock func(), err error) {
	unlock = func() {
		for _, r := range s.runs {
			if r.store != nil {
				r.store.Unlock()
			}
		}
	}
	for _, r := range s.runs {
		store, err := backup.Open(r.mod.Dir)
		if err != nil {
			return unlock, err
		}
		if err := store.Lock(s.cmd); err != nil {
			return unlock, fmt.Errorf("module %s: %w", s.rel(r.mod.Dir), err)
		}
		r.store = store
		if err := store.CheckBlocked(); err != nil {
			return unlock, fmt.Errorf("module %s: %w", s.rel(r.mod.Dir), err)
		}
	}
	return unlock, nil
}

// compute rewrites each module in order; the check of each sees the new
// code of the ones before it (in a dry run, their go.mod and go.sum too).
func (s *several) compute(ctx context.Context) error {
	after := map[string][]byte{}
	for _, r := range s.runs {
		bar := newProgress(s.env)
		res, err := rewrite.Run(ctx, rewrite.Options{
			Dir: r.mod.Dir, Patterns: r.mod.Patterns, Sets: s.sets, IncludeGenerated: s.o.includeGenerated,
			Overlay: maps.Clone(after), Together: s.paths(r), Progress: bar.stage, Types: openTypesCache(),
		})
		bar.clear()
		if err != nil && interrupted(ctx, err) {
			return &interruptedError{msg: "interrupted while loading packages; nothing was written"}
		}
		if err != nil {
			return fmt.Errorf("module %s: %w", s.rel(r.mod.Dir), err)
		}
		r.res = res
		for _, f := range res.Files {
			after[f.Path] = f.New
		}
		if s.o.dryRun && len(res.Files) > 0 {
			if r.rep, err = s.plan(ctx, r, after); err != nil {
				return err
			}
			maps.Copy(after, r.rep.Assumed())
		}
	}
	return nil
}

// plan runs the steps of a dry run of one module, as showPlan does.
func (s *several) plan(ctx context.Context, r *modRun, after map[string][]byte) (*steps.Report, error) {
	opts := steps.Options{Result: r.res, Sets: s.sets, Split: s.o.split(), DryRun: true, Bench: s.o.bench.steps(),
		Around: steps.Around{After: maps.Clone(after)}}
	if !s.o.verify {
		opts.Split, opts.Verify = steps.Whole, steps.Verify{Skip: true}
	}
	bar := newProgress(s.env)
	opts.Progress = bar.planStep(s.o.verify)
	rep, err := steps.Apply(ctx, opts)
	bar.clear()
	var intr *steps.InterruptedError
	if errors.As(err, &intr) {
		return nil, &interruptedError{msg: "dry run interrupted while checking; nothing was written"}
	}
	if err != nil {
		return nil, fmt.Errorf("module %s: %w", s.rel(r.mod.Dir), err)
	}
	return rep, nil
}

// write verifies and writes each module in order. The checks of a module
// see the modules written before it on disk, and its baseline their
// contents before the run. A module that fails (a whole run's checks, or
// an error) has the modules written before it restored.
func (s *several) write(ctx context.Context) error {
	for i, r := range s.runs {
		if len(r.res.Files) == 0 {
			continue
		}
		bar := newProgress(s.env)
		rep, err := steps.Apply(ctx, steps.Options{
			Result: r.res, Sets: s.sets, Split: s.o.split(), Commit: s.o.commit, AllowDirty: s.o.allowDirty,
			Verify: steps.Verify{Skip: s.o.noTest, Command: s.o.test}, Bench: s.o.bench.steps(),
			Command: s.cmd, Store: r.store, Progress: bar.step, Around: steps.Around{Before: s.before(r)},
			Warn: func(msg string) { fmt.Fprintf(s.env.Stderr, "migrate: warning: %s\n", msg) },
		})
		bar.clear()
		r.rep = rep
		var intr *steps.InterruptedError
		if errors.As(err, &intr) {
			return s.interrupted(i, intr)
		}
		if err != nil || (s.o.split() == steps.Whole && len(rep.Failed()) > 0) {
			s.restoreBefore(i)
		}
		if err != nil {
			return fmt.Errorf("module %s: %w", s.rel(r.mod.Dir), err)
		}
		if s.o.split() == steps.Whole && len(rep.Failed()) > 0 {
			return nil
		}
	}
	return nil
}

// before returns the contents, as the run read them, of the files the
// run changes in the other modules, go.mod and go.sum included.
func (s *several) before(self *modRun) map[string][]byte {
	old := map[string][]byte{}
	for _, r := range s.runs {
		if r == self || len(r.res.Files) == 0 {
			continue
		}
		for _, f := range r.res.Files {
			old[f.Path] = f.Old
		}
		old[filepath.Join(r.mod.Dir, "go.mod")] = r.res.GoMod
		if r.res.GoSum != nil {
			old[filepath.Join(r.mod.Dir, "go.sum")] = r.res.GoSum
		}
	}
	return old
}

// restoreBefore restores what the modules before the i-th wrote, so that
// the repository is left as it was rather than half migrated.
func (s *several) restoreBefore(i int) {
	for j := i - 1; j >= 0; j-- {
		r := s.runs[j]
		if r.rep == nil {
			continue
		}
		for _, st := range r.rep.Steps {
			if st.Status != steps.Done {
				continue
			}
			if _, err := r.store.Restore(st.RunID, nil, false); err != nil {
				fmt.Fprintf(s.env.Stderr, "migrate: module %s: could not restore run %s: %v; restore it with: %s %s\n", s.rel(r.mod.Dir), st.RunID, err, s.undo(r), st.RunID)
				continue
			}
			st.Status = steps.Restored
			fmt.Fprintf(s.env.Stderr, "migrate: module %s restored (run %s), because module %s was not written\n", s.rel(r.mod.Dir), st.RunID, s.rel(s.runs[i].mod.Dir))
		}
	}
}

// interrupted says which modules the interrupted run left written.
func (s *several) interrupted(i int, e *steps.InterruptedError) error {
	msg := fmt.Sprintf("run interrupted in module %s (step %d/%d rolled back or not written)", s.rel(s.runs[i].mod.Dir), e.At, e.Total)
	var left []string
	for _, r := range s.runs[:i+1] {
		if r.rep == nil {
			continue
		}
		for _, st := range r.rep.Steps {
			if st.Status == steps.Done {
				left = append(left, s.undo(r)+" "+st.RunID)
			}
		}
	}
	if len(left) == 0 {
		return &interruptedError{msg: msg + "; nothing is left written"}
	}
	return &interruptedError{msg: msg + "; undo what is left written with: " + strings.Join(left, " && ")}
}

// report prints the diffs (dry run) or the summaries, or the JSON report.
func (s *several) report() error {
	var failed error
	for _, r := range s.runs {
		if err := failedSteps(r.rep); err != nil {
			failed = err
		}
	}
	if s.o.json {
		out := struct {
			Modules []*runReport `json:"modules"`
		}{}
		for _, r := range s.runs {
			out.Modules = append(out.Modules, newRunReport(r.res, s.o.dryRun, r.rep))
		}
		if err := writeJSON(s.env.Stdout, out); err != nil {
			return err
		}
		return failed
	}
	if s.o.dryRun {
		s.printDiffs(s.env.Stdout)
	}
	for _, r := range s.runs {
		if len(r.res.Files) == 0 && len(r.res.Findings) == 0 {
			continue
		}
		if !s.env.Global.quiet {
			fmt.Fprintf(s.env.Stderr, "migrate: module %s (%s):\n", r.mod.Path, s.rel(r.mod.Dir))
		}
		printSummary(s.env.Stderr, s.shown(r), s.o.dryRun, r.rep, s.env.Global.quiet, s.undo(r))
		if s.o.dryRun && len(r.res.Files) > 0 && !s.env.Global.quiet {
			noteModules(s.env, r.res)
		}
	}
	if s.o.dryRun && !s.env.Global.quiet {
		s.noteRoot()
	}
	return failed
}

// noteRoot says where the diff applies when that is not where migrate
// ran.
func (s *several) noteRoot() {
	wd, err := s.env.workDir()
	if err != nil || wd == s.root {
		return
	}
	rel, err := filepath.Rel(wd, s.root)
	if err != nil {
		rel = s.root
	}
	fmt.Fprintf(s.env.Stderr, "migrate: the diff's paths are relative to %s: apply it there with git apply\n", filepath.ToSlash(rel))
	noteDiffRoot(s.env, s.root, "the directory")
}

// printDiffs prints each module's diff, its paths relative to s.root.
func (s *several) printDiffs(w io.Writer) {
	for _, r := range s.runs {
		plan := steps.Plan(r.res, s.o.split())
		for _, st := range plan {
			if s.o.split() != steps.Whole {
				fmt.Fprintf(w, "# module %s, step: %s\n", s.rel(r.mod.Dir), st.Name)
			}
			for _, f := range r.res.Files {
				for _, name := range st.Files {
					if name == f.Rel {
						io.WriteString(w, udiff.Unified(udiff.File{Path: s.relSlash(f.Path), Old: f.Old, New: f.New}))
					}
				}
			}
		}
	}
}

// shown is r's result with the findings' files relative to s.root, as
// printed.
func (s *several) shown(r *modRun) *rewrite.Result {
	res := *r.res
	res.Findings = make([]rewrite.Finding, len(r.res.Findings))
	for i, f := range r.res.Findings {
		if f.Pos.Filename != "-" && f.Pos.Filename != "" {
			f.Pos.Filename = s.relSlash(filepath.Join(r.mod.Dir, f.Pos.Filename))
		}
		res.Findings[i] = f
	}
	return &res
}

// undo is the command that restores a run of r's module, typed where
// migrate ran.
func (s *several) undo(r *modRun) string {
	wd, err := s.env.workDir()
	if err != nil {
		return "migrate -C " + shellQuote(r.mod.Dir) + " restore"
	}
	rel, err := filepath.Rel(wd, r.mod.Dir)
	if err != nil || rel == "." {
		return "migrate restore"
	}
	return "migrate -C " + shellQuote(filepath.ToSlash(rel)) + " restore"
}

// paths returns the module paths of the run but self's.
func (s *several) paths(self *modRun) []string {
	var out []string
	for _, r := range s.runs {
		if r != self {
			out = append(out, r.mod.Path)
		}
	}
	return out
}

func (s *several) moduleList() string {
	var parts []string
	for _, m := range s.runs {
		why := ""
		switch m.mod.Why {
		case "replace":
			why = ", a replace target"
		case "workspace":
			why = ", in go.work"
		}
		parts = append(parts, fmt.Sprintf("%s (%s%s)", s.rel(m.mod.Dir), m.mod.Path, why))
	}
	return strings.Join(parts, ", ")
}

func (s *several) rel(path string) string {
	rel, err := filepath.Rel(s.root, path)
	if err != nil {
		return path
	}
	return rel
}

func (s *several) relSlash(path string) string { return filepath.ToSlash(s.rel(path)) }

// shownRoot is the directory the paths shown are relative to: the
// repository's, or else the deepest directory that holds every module.
func shownRoot(run *localmods.Run) string {
	mods := run.Modules
	if slices.ContainsFunc(mods, func(m *localmods.Module) bool { return !within(m.Dir, run.Root) }) {
		return commonDir(mods)
	}
	return run.Root
}

func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// commonDir is the deepest directory that holds every module.
func commonDir(mods []*localmods.Module) string {
	dir := mods[0].Dir
	for _, m := range mods[1:] {
		for !strings.HasPrefix(m.Dir+string(filepath.Separator), dir+string(filepath.Separator)) && filepath.Dir(dir) != dir {
			dir = filepath.Dir(dir)
		}
	}
	return dir
}

// findModules returns the modules a run over patterns reaches from dir,
// or nil when it is the plain case: the one module dir is in.
func findModules(o *runOptions, dir string, patterns, files []string, sets []*rules.Set) (*localmods.Run, error) {
	if len(files) > 0 || o.oneModule {
		return nil, nil
	}
	var old []string
	for _, s := range sets {
		old = append(old, s.Paths()...)
	}
	run, err := localmods.Find(localmods.Options{Dir: dir, Patterns: patterns, Old: old, GoWork: os.Getenv("GOWORK")})
	if err != nil {
		if _, merr := rewrite.FindModule(dir); merr != nil {
			// No module here: the plain run says so its own way.
			return nil, nil
		}
		return nil, err // a go.mod or go.work of the repository that does not parse
	}
	if len(run.Modules) == 0 || len(run.Modules) == 1 && run.Modules[0].Why == "here" {
		return nil, nil
	}
	return run, nil
}
