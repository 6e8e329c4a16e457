package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/migrate-tool/migrate/backup"
	"github.com/migrate-tool/migrate/internal/status"
	"github.com/migrate-tool/migrate/rewrite"
	"github.com/migrate-tool/migrate/rules"
	"github.com/migrate-tool/migrate/rules/builtin"
)

// dryRun loads the rule sets and computes the rewrite without writing:
// what status and check report on. Packages whose result is in the result
// cache, and whose files and dependencies have not changed since, are
// taken from it (unless --no-cache).
func dryRun(ctx context.Context, env *Env, co *cacheOptions, ruleNames, patterns []string) (*rewrite.Result, []*rules.Set, error) {
	if len(ruleNames) == 0 {
		return nil, nil, usagef("--rules is required (see migrate list)")
	}
	dir, err := env.workDir()
	if err != nil {
		return nil, nil, err
	}
	before := rulesFingerprint(dir, ruleNames)
	sets, err := builtin.Resolve(dir, ruleNames)
	if err != nil {
		return nil, nil, err
	}
	opts := rewrite.Options{Dir: dir, Patterns: patterns, Sets: sets, AllowErrors: true}
	cache := openCache(co, dir, ruleNames, before)
	if cache != nil {
		opts.Cache = cache
	}
	if !co.off {
		opts.Types = openTypesCache()
	}
	bar := newProgress(env)
	opts.Progress = bar.stage
	res, err := rewrite.Run(ctx, opts)
	bar.clear()
	if err == nil {
		noteCache(env, res.Stats, cache)
	}
	if err != nil && interrupted(ctx, err) {
		return nil, nil, &interruptedError{msg: "interrupted while loading packages; nothing was written"}
	}
	if err == nil && !env.Global.quiet {
		noteWriter(env, res.Module.Root)
	}
	return res, sets, err
}

// noteWriter says so when another migrate command is writing in the
// module: what status and check report may change when it finishes.
func noteWriter(env *Env, root string) {
	h, held, err := backup.LockHolder(root)
	if err != nil || !held {
		return
	}
	fmt.Fprintf(env.Stderr, "migrate: %s is writing in this module (migrate backups shows its run as running); this report may change when it finishes\n", h)
}

func newStatusCmd(env *Env) *cobra.Command {
	var ruleNames []string
	var format string
	var co cacheOptions
	cmd := &cobra.Command{
		Use:   "status --rules NAME [--format text|markdown|json] [PATTERN...]",
		Short: "Report how far a migration is: files done and to do, old uses left",
		Long: `Status reports where a migration stands, from the code itself: for each file,
the remaining uses of the old API (file:line and what), the sites left for a
person, the files already migrated, and totals with a percentage. A file is
done when it uses the new API and nothing of the old one.

--format markdown writes a migration plan to paste into a ticket: a
checklist of files, the manual follow-ups and the next command to run.
For a rule set that is one phase of a migration in phases (redigo-compat,
then redigo), the plan also lists the phases, which are done, and what
comes next: the next phase's run, or the cleanup of what a phase added.
Status only reads; it never writes. Like check, it keeps each package's
result in a cache; --no-cache computes everything.`,
		Example: `  migrate status --rules ioutil
  migrate status --rules go-redis-v9 --format markdown > MIGRATION.md`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "markdown" && format != "json" {
				return usagef("status: --format must be text, markdown or json, not %q", format)
			}
			res, sets, err := dryRun(cmd.Context(), env, &co, ruleNames, args)
			if err != nil {
				return err
			}
			next := "migrate run --rules " + strings.Join(ruleNames, ",") + " --per-file --commit"
			rep := status.Build(res, sets, next, status.PackageNames(cmd.Context(), res.Module.Root, sets))
			if chain := phaseChain(env, sets); chain != nil {
				rep.SetPhases(status.Steps(res.Module.Root, chain), chain)
			}
			switch format {
			case "json":
				return writeJSON(env.Stdout, rep)
			case "markdown":
				rep.Markdown(env.Stdout)
			default:
				rep.Text(env.Stdout)
			}
			return nil
		},
	}
	cmd.Flags().StringSliceVarP(&ruleNames, "rules", "r", nil, "rule sets: built-in `NAME`s or rule file paths")
	cmd.Flags().StringVar(&format, "format", "text", "text, markdown or json")
	co.addFlags(cmd.Flags())
	return cmd
}

// phaseChain returns the rule sets of the migration in phases that the
// sets asked for take part in (a set's phase names the next set, or a
// built-in set's names it), or nil when they take part in none, or not
// all in the same.
func phaseChain(env *Env, sets []*rules.Set) []*rules.Set {
	known, err := builtin.All()
	if err != nil || len(sets) == 0 {
		return nil
	}
	dir, _ := env.workDir()
	chain := status.Chain(sets[0], known, func(name string) (*rules.Set, error) {
		found, err := builtin.Resolve(dir, []string{name})
		if err != nil {
			return nil, err
		}
		return found[0], nil
	})
	for _, s := range sets[1:] {
		if !slices.ContainsFunc(chain, func(c *rules.Set) bool { return c.Name == s.Name }) {
			return nil
		}
	}
	return chain
}

func newCheckCmd(env *Env) *cobra.Command {
	var ruleNames []string
	var co cacheOptions
	cmd := &cobra.Command{
		Use:   "check --rules NAME [PATTERN...]",
		Short: "Fail when code still uses the old API (for CI and review)",
		Long: `Check prints each remaining use of the old API as file:line:col: message, the
go vet format that editors and CI annotate, and exits 1 if any remains, 0
otherwise. It never writes.

A deliberate exception is kept with a comment on the line, or the line
above:

    //migrate:ignore NAME reason

Such sites are printed as ignored and do not fail the check.

Each package's result is kept in a cache ($MIGRATE_CACHE, else migrate/
under the user cache directory), keyed by its files, the module's packages
it imports, go.mod and go.sum, the go configuration, the rule sets and
migrate's own build: a check on an unchanged tree costs about the import
scan. --no-cache computes everything.`,
		Example: `  migrate check --rules ioutil
  migrate check --rules go-redis-v9 ./internal/...`,
		RunE: func(cmd *cobra.Command, args []string) error {
			res, _, err := dryRun(cmd.Context(), env, &co, ruleNames, args)
			if err != nil {
				return err
			}
			return printCheck(env, res)
		},
	}
	cmd.Flags().StringSliceVarP(&ruleNames, "rules", "r", nil, "rule sets: built-in `NAME`s or rule file paths")
	co.addFlags(cmd.Flags())
	return cmd
}

// printCheck prints the remaining uses and returns a "no" when any is
// left.
func printCheck(env *Env, res *rewrite.Result) error {
	all := append(append([]rewrite.Finding(nil), res.Uses...), res.Findings...)
	rewrite.SortFindings(all)
	remaining, ignored := 0, 0
	for _, f := range all {
		switch f.Kind {
		case rewrite.Ignored:
			ignored++
			fmt.Fprintln(env.Stdout, f.String())
		case rewrite.Warning:
		default:
			remaining++
			fmt.Fprintln(env.Stdout, f.String())
		}
	}
	if remaining == 0 {
		if ignored > 0 && !env.Global.quiet {
			fmt.Fprintf(env.Stderr, "migrate: no old uses left (%d ignored)\n", ignored)
		}
		return nil
	}
	return &noError{msg: fmt.Sprintf("check: %d old %s left (%d ignored): run 'migrate run' or see 'migrate status'", remaining, plural(remaining, "use", "uses"), ignored)}
}
