package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/migrate-tool/migrate/backup"
	"github.com/migrate-tool/migrate/internal/steps"
	"github.com/migrate-tool/migrate/internal/udiff"
	"github.com/migrate-tool/migrate/rewrite"
	"github.com/migrate-tool/migrate/rules"
	"github.com/migrate-tool/migrate/rules/builtin"
)

type runOptions struct {
	rules            []string
	dryRun           bool
	verify           bool
	includeGenerated bool
	json             bool
	perFile          bool
	perPackage       bool
	test             string
	noTest           bool
	commit           bool
	allowDirty       bool
	oneModule        bool
	bench            benchOptions
}

func newRunCmd(env *Env) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run --rules NAME[,NAME...] [--dry-run] [PATTERN... | FILE.go...]",
		Short: "Rewrite code with rule sets (backed up first), or show the diff",
		Long: `Run loads the packages matching the patterns (default ./...) with type
information, applies the rule sets, and writes the changed files. Only
packages whose files import a path the rules touch are type-checked. Every
file is backed up in .migrate/ before it is written, atomically; "migrate
restore" undoes the run.

Dependencies' types, the import graph, the list of packages that reach the
old API through others, the go.mod that go get and go mod tidy compute and
the type check's answer on the rewritten code are kept between runs under
$MIGRATE_CACHE (default: migrate/ in the user cache directory), keyed by
the files and go configuration they come from; the rewrite itself is
always computed. MIGRATE_CACHE=off keeps nothing. --timings (hidden)
prints where a run's time went.

Arguments are go package patterns, or .go files: with files, only those
files are rewritten (their packages are still loaded for type information).

--rules takes built-in rule set names (see "migrate list") and paths to rule
files (.yaml), comma-separated or repeated.

--dry-run prints a unified diff that "git apply" accepts and writes nothing.

Before anything is shown or written, the rewritten packages (and their
tests) are type-checked in memory, against go.mod with the modules the
rule sets add already required. A type error at a site left for a person
(reported, ignored, or in a generated file left alone) is listed with that
site: "does not compile until fixed by hand". Any other one means a rule
broke the code without saying so: the run stops, dry run and --no-test
included, with exit 2, nothing written and no diff shown, naming the
error's position and the rule whose edit is at or nearest to it.

Each step is checked before it is written: go build of the changed
packages and of the packages that import them, go vet of the changed
packages, and go test of both (with -vet=off; the tests that ran are
counted), all on the new contents, which the go command reads through
-overlay, with the new go.mod and go.sum. A failure that was already there
before the rewrite is noted, not counted. Only a step that passes is backed
up and written; a failing step writes nothing, and its failing package,
test or vet message is shown with the tail of the output. Where a package
cannot be checked through an overlay (cgo files, a rewritten file that is
embedded, tests that read Go files, a vendor/ that changes), the step is
written, checked, and restored if a check fails; the output says so.
--test CMD replaces the checks with your command, run by sh in the module
root on the written files: that step too is written first and restored if
CMD fails. --no-test skips the checks. A rule set that moves to another
module also updates go.mod and go.sum (go get, then go mod tidy).

--dry-run --verify runs the same checks on the diff it prints, and writes
nothing: exit 0 when the diff builds, vets and passes the tests, 1 naming
what failed.

--bench REGEXP also runs, for each step, the benchmarks matching REGEXP
(as go test -bench; . for all) of the changed packages and of the
packages that import them, before the step (the files on disk) and after
it (the same overlay the checks use), --bench-count times a side,
interleaved, with -benchmem and -benchtime set by --bench-time. They are
compared as benchstat does (medians, Mann-Whitney U test): a slowdown in
time/op, B/op or allocs/op that is significant (p < 0.05) and larger than
--bench-threshold fails the step like a failing test (exit 1, nothing
written), with a benchstat-style table. The result goes into --json and
the commit message of --commit.

A run also migrates the local modules it reaches: the targets of directory
replace directives inside the repository (git work tree), and in a go.work
workspace the modules its patterns name (./... from the workspace root
names all), those that import a path the rules touch. It lists them, and
takes each after the modules it requires or imports: rewritten and checked
with their new code, verified and written with its own go.mod and backup
(the summary gives each one's restore command). When a module fails its
checks, those written before it are restored. The dry run prints one diff,
paths relative to the repository root; --json prints {"modules": [...]}.
--one-module migrates only the module the run starts in.

--per-file and --per-package make each file or package a step of its own:
backup, write, go.mod, verify, and with --commit a git commit whose message
says what changed; a failing step is restored and the run goes on.

A summary goes to stderr: files changed, sites rewritten per rule, and each
site left for manual follow-up as file:line:col: message. Generated files
are left alone and listed (regenerate them), unless --include-generated.
A //migrate:ignore NAME reason comment keeps a site as it is.

A run that writes holds the module's lock (.migrate/lock) from before it
reads the files until it ends: a second run, a restore or a prune is
refused meanwhile, naming its pid. A dry run takes no lock.

Ctrl-C (SIGINT) or SIGTERM stops the run: the step in flight is rolled
back (or finished, if it was verified), no other step starts, and one line
says which steps are left written and the command that restores them.

Exit status: 0 when the run worked (even with sites left for follow-up),
1 when a step failed verification (it was not written, or was restored),
or a check of --dry-run --verify failed, 2 on an error (bad
flags, unknown rules, a malformed rule file, a rewrite that does not
type-check (a package that did not before is listed, not an error), a
write that failed, the module locked by another migrate); on an error
nothing is left written. 130 when interrupted.`,
		Example: `  migrate run --rules ioutil --dry-run
  migrate run --rules go-redis-v9 --dry-run --verify
  migrate run --rules ioutil ./internal/...
  migrate run --rules go-redis-v9 --per-file --commit
  migrate run --rules ./rules/ourclient.yaml --bench . --bench-time 200ms
  migrate run --rules ./rules/ourclient.yaml cmd/server/main.go
  migrate run -C ~/src/service --rules ioutil --json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd, env, o, args)
		},
	}
	f := cmd.Flags()
	f.StringSliceVarP(&o.rules, "rules", "r", nil, "rule sets to apply: built-in `NAME`s or rule file paths")
	f.BoolVarP(&o.dryRun, "dry-run", "n", false, "print the diff, write nothing")
	f.BoolVar(&o.verify, "verify", false, "with --dry-run, build, vet and test the diff as a run would (on an overlay); exit 1 if a check fails")
	f.BoolVar(&o.includeGenerated, "include-generated", false, "also rewrite generated files (// Code generated ... DO NOT EDIT.)")
	f.BoolVar(&o.json, "json", false, "print a JSON report on stdout instead of the diff")
	f.BoolVar(&o.perFile, "per-file", false, "one step per file: write, verify, commit; a failing step is restored and the run goes on")
	f.BoolVar(&o.perPackage, "per-package", false, "one step per package (directory), like --per-file")
	f.StringVar(&o.test, "test", "", "verify each step with `CMD` (run by sh in the module root) instead of go build, vet and test; the step is written first, restored if CMD fails")
	f.BoolVar(&o.noTest, "no-test", false, "do not verify")
	f.BoolVar(&o.commit, "commit", false, "git commit each verified step with a descriptive message")
	f.BoolVar(&o.allowDirty, "allow-dirty", false, "with --commit, go on when files to change have uncommitted edits")
	f.BoolVar(&o.oneModule, "one-module", false, "migrate only the module the run starts in, not the local modules it reaches (replace targets, workspace modules)")
	addBenchFlags(f, &o.bench)
	return cmd
}

func (o *runOptions) check(f *pflag.FlagSet) error {
	if err := o.bench.check(f, o); err != nil {
		return err
	}
	switch {
	case len(o.rules) == 0:
		return usagef("run: --rules is required (see migrate list)")
	case o.perFile && o.perPackage:
		return usagef("run: --per-file and --per-package exclude each other")
	case o.noTest && o.test != "":
		return usagef("run: --test and --no-test exclude each other")
	case o.allowDirty && !o.commit:
		return usagef("run: --allow-dirty goes with --commit")
	case o.verify && !o.dryRun:
		return usagef("run: --verify goes with --dry-run (a run always verifies, unless --no-test)")
	case o.verify && (o.noTest || o.test != ""):
		return usagef("run: --dry-run --verify runs the default checks; --test and --no-test do not go with it")
	}
	return nil
}

func (o *runOptions) split() steps.Split {
	switch {
	case o.perFile:
		return steps.PerFile
	case o.perPackage:
		return steps.PerPackage
	}
	return steps.Whole
}

func runRun(cmd *cobra.Command, env *Env, o *runOptions, args []string) error {
	if err := o.check(cmd.Flags()); err != nil {
		return err
	}
	dir, err := env.workDir()
	if err != nil {
		return err
	}
	patterns, files, err := splitArgs(args)
	if err != nil {
		return err
	}
	before := rulesFingerprint(dir, o.rules)
	sets, err := builtin.Resolve(dir, o.rules)
	if err != nil {
		return err
	}
	if mods, err := findModules(o, dir, patterns, files, sets); err != nil {
		return err
	} else if mods != nil {
		return runModules(cmd, env, o, args, mods, sets)
	}
	// A writing run holds the module's lock from before it reads the
	// files to the end; a dry run takes none and creates nothing.
	var store *backup.Store
	if !o.dryRun {
		if store, err = lockStore(env, cmd, args); err != nil {
			return err
		}
		defer store.Unlock()
		// Fail before loading when an interrupted or damaged run blocks.
		if err := store.CheckBlocked(); err != nil {
			return err
		}
	}
	ctx := cmd.Context()
	bar := newProgress(env)
	ropts := rewrite.Options{
		Dir: dir, Patterns: patterns, Files: files, Sets: sets, IncludeGenerated: o.includeGenerated,
		Progress: bar.stage, Types: openTypesCache(),
		// One step (a dry run without --verify is one): the check
		// computes its go.mod alongside.
		Tidy: o.split() == steps.Whole || o.dryRun && !o.verify,
	}
	cache := openCache(&cacheOptions{}, dir, o.rules, before)
	if cache != nil {
		// Not results: the packages reaching the old API through others,
		// the import graph's go list, and the answers of go commands and
		// of the check that are functions of what their keys cover
		// (rewrite.Options.Cache).
		ropts.Cache = cache
	}
	res, err := rewrite.Run(ctx, ropts)
	if cache != nil {
		cache.Trim(time.Now())
	}
	bar.clear()
	if err != nil && interrupted(ctx, err) {
		return &interruptedError{msg: "interrupted while loading packages; nothing was written"}
	}
	if err != nil {
		return err
	}
	if o.dryRun {
		return showPlan(ctx, env, o, res, sets)
	}
	var rep *steps.Report
	if len(res.Files) > 0 {
		rep, err = steps.Apply(ctx, steps.Options{
			Result: res, Sets: sets, Split: o.split(), Commit: o.commit, AllowDirty: o.allowDirty,
			Verify:   steps.Verify{Skip: o.noTest, Command: o.test},
			Bench:    o.bench.steps(),
			Command:  commandLine(cmd, args),
			Store:    store,
			Progress: bar.step,
			Warn:     func(msg string) { fmt.Fprintf(env.Stderr, "migrate: warning: %s\n", msg) },
		})
		bar.clear()
		var intr *steps.InterruptedError
		if errors.As(err, &intr) {
			return interruptedRun(env, o, res, rep, intr)
		}
		if err != nil {
			return err
		}
	}
	if o.json {
		if err := writeJSON(env.Stdout, newRunReport(res, false, rep)); err != nil {
			return err
		}
	} else {
		printSummary(env.Stderr, res, false, rep, env.Global.quiet, "migrate restore")
	}
	return failedSteps(rep)
}

// commandLine reconstructs the command as given, for the backup record.
func commandLine(cmd *cobra.Command, args []string) string {
	parts := []string{cmd.CommandPath()}
	cmd.Flags().Visit(func(f *pflag.Flag) { parts = append(parts, "--"+f.Name+"="+f.Value.String()) })
	return strings.Join(append(parts, args...), " ")
}

// showPlan prints the dry run: the diff (with a comment line before each
// step when the run is split, which git apply skips), or the JSON report;
// with --verify, the checks of each step, run on an overlay.
func showPlan(ctx context.Context, env *Env, o *runOptions, res *rewrite.Result, sets []*rules.Set) error {
	var rep *steps.Report
	if len(res.Files) > 0 {
		// Without --verify the steps only compute go.mod, for the notes a
		// run would print (a retired module still required, a companion).
		opts := steps.Options{Result: res, Sets: sets, Split: o.split(), DryRun: true, Bench: o.bench.steps()}
		if !o.verify {
			opts.Split, opts.Verify = steps.Whole, steps.Verify{Skip: true}
		}
		bar := newProgress(env)
		opts.Progress = bar.planStep(o.verify)
		var err error
		rep, err = steps.Apply(ctx, opts)
		bar.clear()
		var intr *steps.InterruptedError
		if errors.As(err, &intr) {
			return &interruptedError{msg: "dry run interrupted while checking; nothing was written"}
		}
		if err != nil {
			return err
		}
	}
	if o.json {
		if err := writeJSON(env.Stdout, newRunReport(res, true, rep)); err != nil {
			return err
		}
		return failedSteps(rep)
	}
	plan := steps.Plan(res, o.split())
	for i, s := range plan {
		if o.split() != steps.Whole {
			fmt.Fprintf(env.Stdout, "# step %d/%d: %s\n", i+1, len(plan), s.Name)
		}
		for _, f := range res.Files {
			if slices.Contains(s.Files, f.Rel) {
				io.WriteString(env.Stdout, udiff.Unified(udiff.File{Path: f.Rel, Old: f.Old, New: f.New}))
			}
		}
	}
	printSummary(env.Stderr, res, true, rep, env.Global.quiet, "migrate restore")
	if len(res.Files) > 0 && !env.Global.quiet {
		noteModules(env, res)
		noteNestedModule(env, res.Module.Root)
	}
	return failedSteps(rep)
}

// failedSteps returns the error of exit status 1 when a step failed its
// checks.
func failedSteps(rep *steps.Report) error {
	if rep != nil && len(rep.Failed()) > 0 {
		return &noError{}
	}
	return nil
}

// splitArgs separates package patterns from .go file arguments; mixing
// them is an error.
func splitArgs(args []string) (patterns, files []string, err error) {
	for _, a := range args {
		if strings.HasSuffix(a, ".go") {
			files = append(files, a)
		} else {
			patterns = append(patterns, a)
		}
	}
	if len(files) > 0 && len(patterns) > 0 {
		return nil, nil, usagef("run: give either package patterns or .go files, not both")
	}
	return patterns, files, nil
}

// interruptedRun reports a run stopped by SIGINT or SIGTERM in one line:
// the step rolled back, the steps left written and how to undo them.
func interruptedRun(env *Env, o *runOptions, res *rewrite.Result, rep *steps.Report, e *steps.InterruptedError) error {
	if o.json && rep != nil {
		writeJSON(env.Stdout, newRunReport(res, false, rep))
	}
	var done []string
	for _, s := range rep.Steps {
		if s.Status == steps.Done {
			done = append(done, s.Name)
		}
	}
	msg := "run interrupted"
	switch {
	case e.At > 0 && e.Unwritten:
		msg += fmt.Sprintf(" at step %d/%d (%s), before it wrote anything", e.At, e.Total, rep.Steps[e.At-1].Name)
	case e.At > 0:
		msg += fmt.Sprintf(" at step %d/%d (%s), which was rolled back", e.At, e.Total, rep.Steps[e.At-1].Name)
	case len(done) > 0:
		msg += fmt.Sprintf(" after step %d/%d", len(rep.Steps), e.Total)
	}
	if e.NotStarted > 0 {
		msg += fmt.Sprintf("; %d %s not started", e.NotStarted, plural(e.NotStarted, "step", "steps"))
	}
	if len(done) == 0 {
		return &interruptedError{msg: msg + "; nothing is left written"}
	}
	return &interruptedError{msg: fmt.Sprintf("%s; left written: %d %s (%s); undo %s with: %s",
		msg, len(done), plural(len(done), "step", "steps"), strings.Join(done, ", "), plural(len(done), "it", "them"), restoreCommand(env))}
}

// restoreCommand is the command that undoes the latest run, as the user
// would type it where they ran migrate.
func restoreCommand(env *Env) string {
	if env.Global.dir == "" {
		return "migrate restore"
	}
	return "migrate -C " + shellQuote(env.Global.dir) + " restore"
}

// shellQuote quotes s for sh when it holds anything but plain path
// characters.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+,:@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
