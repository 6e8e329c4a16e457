package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/migrate-tool/migrate/backup"
	"github.com/migrate-tool/migrate/internal/udiff"
	"github.com/migrate-tool/migrate/rewrite"
	"github.com/migrate-tool/migrate/rules"
	"github.com/migrate-tool/migrate/rules/builtin"
)

type runOptions struct {
	rules            []string
	dryRun           bool
	includeGenerated bool
	json             bool
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

Arguments are go package patterns, or .go files: with files, only those
files are rewritten (their packages are still loaded for type information).

--rules takes built-in rule set names (see "migrate list") and paths to rule
files (.yaml), comma-separated or repeated.

--dry-run prints a unified diff that "git apply" accepts and writes nothing.

A summary goes to stderr: files changed, sites rewritten per rule, and each
site left for manual follow-up as file:line:col: message. Generated files
are left alone and listed (regenerate them), unless --include-generated.

Exit status: 0 when the run worked (even with sites left for follow-up),
2 on an error (bad flags, unknown rules, a malformed rule file, packages
that do not parse or type-check); on an error nothing is written.`,
		Example: `  migrate run --rules ioutil --dry-run
  migrate run --rules ioutil ./internal/...
  migrate run --rules ./rules/ourclient.yaml cmd/server/main.go
  migrate run -C ~/src/service --rules ioutil --json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd, env, o, args)
		},
	}
	f := cmd.Flags()
	f.StringSliceVarP(&o.rules, "rules", "r", nil, "rule sets to apply: built-in `NAME`s or rule file paths")
	f.BoolVarP(&o.dryRun, "dry-run", "n", false, "print the diff, write nothing")
	f.BoolVar(&o.includeGenerated, "include-generated", false, "also rewrite generated files (// Code generated ... DO NOT EDIT.)")
	f.BoolVar(&o.json, "json", false, "print a JSON report on stdout instead of the diff")
	return cmd
}

func runRun(cmd *cobra.Command, env *Env, o *runOptions, args []string) error {
	if len(o.rules) == 0 {
		return usagef("run: --rules is required (see migrate list)")
	}
	dir, err := env.workDir()
	if err != nil {
		return err
	}
	patterns, files, err := splitArgs(args)
	if err != nil {
		return err
	}
	sets, err := builtin.Resolve(dir, o.rules)
	if err != nil {
		return err
	}
	if !o.dryRun {
		if err := checkNoInterrupted(dir); err != nil {
			return err
		}
	}
	res, err := rewrite.Run(cmd.Context(), rewrite.Options{
		Dir: dir, Patterns: patterns, Files: files, Sets: sets, IncludeGenerated: o.includeGenerated,
	})
	if err != nil {
		return err
	}
	runID := ""
	if !o.dryRun && len(res.Files) > 0 {
		if runID, err = writeChanges(res, setNames(sets), cmd.CommandPath()+" "+strings.Join(args, " ")); err != nil {
			return err
		}
	}
	if o.json {
		return writeJSON(env.Stdout, newRunReport(res, o.dryRun, runID))
	}
	if o.dryRun {
		for _, f := range res.Files {
			io.WriteString(env.Stdout, udiff.Unified(udiff.File{Path: f.Rel, Old: f.Old, New: f.New}))
		}
	}
	printSummary(env.Stderr, res, o.dryRun, runID, env.Global.quiet)
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

func setNames(sets []*rules.Set) []string {
	var names []string
	for _, s := range sets {
		names = append(names, s.Name)
	}
	return names
}

// checkNoInterrupted fails early, before the packages are loaded, when an
// earlier run of the module was interrupted with files to restore.
func checkNoInterrupted(dir string) error {
	mod, err := rewrite.FindModule(dir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(mod.Root, ".migrate")); err != nil {
		return nil // no backups yet
	}
	store, err := backup.Open(mod.Root)
	if err != nil {
		return err
	}
	runs, err := store.List()
	if err != nil {
		return err
	}
	for _, r := range runs {
		if r.State == backup.StateInterrupted && r.Restored < r.Files {
			return fmt.Errorf("run %s was interrupted before finishing and may have left files half-migrated: run 'migrate restore %s' first (or 'migrate backups prune --force' to discard it)", r.ID, r.ID)
		}
	}
	return nil
}

// writeChanges writes the changed files through a backup run and returns
// its id. On a write error, the files already written are restored.
func writeChanges(res *rewrite.Result, ruleSets []string, command string) (string, error) {
	store, err := backup.Open(res.Module.Root)
	if err != nil {
		return "", err
	}
	run, err := store.Begin(backup.Meta{Rules: ruleSets, Command: command})
	if err != nil {
		return "", err
	}
	for _, f := range res.Files {
		if err := run.WriteFile(f.Path, f.Old, f.New); err != nil {
			if aerr := run.Abort(); aerr != nil {
				return "", fmt.Errorf("%w; restoring the files already written also failed: %v (run migrate restore %s)", err, aerr, run.ID())
			}
			return "", fmt.Errorf("%w; the files already written were restored", err)
		}
	}
	if err := run.Commit(); err != nil {
		return "", err
	}
	return run.ID(), nil
}
