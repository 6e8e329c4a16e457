package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"

	"github.com/spf13/cobra"

	"github.com/migrate-tool/migrate/backup"
)

var runIDRE = regexp.MustCompile(`^[0-9]{8}-[0-9]{6}\.[0-9]{3}(-[0-9]+)?$`)

func newRestoreCmd(env *Env) *cobra.Command {
	var force, asJSON bool
	cmd := &cobra.Command{
		Use:   "restore [RUN-ID] [FILE...]",
		Short: "Put files back as they were before a run",
		Long: `Restore gives back the files of a run, byte for byte and with their modes:
the latest run by default, or the run RUN-ID (see "migrate backups"), or
only the FILEs named (of the latest run, or of RUN-ID; relative to the
current directory, or to -C). Files the run created are removed,
directories it made or removed are put back. An interrupted run (killed
midway) can be restored too.

A "migrate run --per-file" or "--per-package" writes one run a step; by
default restore undoes every step of the latest such command, newest
first. Name a RUN-ID to undo one step. With --json it then prints a JSON
array, one report a run.

A file edited after the run wrote it is not overwritten: restore lists
such files and exits 1. With --force the current content of every file the
restore overwrites, edited or not, is first saved as a new backup run (so
restoring that run gives back the tree as it was), then the run is
restored. Restoring a run already restored does nothing. Restore is
refused while another migrate command writes in the module.`,
		Example: `  migrate restore
  migrate restore 20261122-013045.123
  migrate restore 20261122-013045.123 internal/store/store.go
  migrate restore --force`,
		RunE: func(cmd *cobra.Command, args []string) error {
			id, files := "", args
			if len(args) > 0 && runIDRE.MatchString(args[0]) {
				id, files = args[0], args[1:]
			}
			store, err := lockStore(env, cmd, args)
			if err != nil {
				return err
			}
			defer store.Unlock()
			if files, err = resolveFiles(env, files); err != nil {
				return err
			}
			ids := []string{id}
			if id == "" && len(files) == 0 {
				if ids, err = latestCommand(store); err != nil {
					return err
				}
			}
			var reps []*backup.RestoreReport
			for _, id := range ids {
				rep, err := store.Restore(id, files, force)
				var conflict *backup.ConflictError
				if errors.As(err, &conflict) {
					for _, f := range conflict.Files {
						fmt.Fprintf(env.Stderr, "%s: changed since run %s wrote it\n", f, conflict.ID)
					}
					return &noError{msg: err.Error()}
				}
				if err != nil {
					return err
				}
				reps = append(reps, rep)
				if !asJSON {
					printRestore(env, rep)
				}
			}
			switch {
			case !asJSON:
				return nil
			case len(reps) == 1:
				return writeJSON(env.Stdout, reps[0])
			}
			return writeJSON(env.Stdout, reps)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "restore files changed since the run, saving their content as a new backup first")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// resolveFiles makes the FILE arguments absolute: a relative one names a
// file from the directory the user is in (-C if given), as with every other
// tool, not from the module root.
func resolveFiles(env *Env, files []string) ([]string, error) {
	if len(files) == 0 {
		return nil, nil
	}
	dir, err := env.workDir()
	if err != nil {
		return nil, err
	}
	abs := make([]string, len(files))
	for i, f := range files {
		abs[i] = f
		if !filepath.IsAbs(f) {
			abs[i] = filepath.Join(dir, f)
		}
	}
	return abs, nil
}

// latestCommand returns the runs to restore by default, newest first: the
// latest run, or every run of the latest command when it wrote one run a
// step (--per-file, --per-package); those already restored are left out,
// unless all are.
func latestCommand(store *backup.Store) ([]string, error) {
	runs, err := store.LatestGroup()
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, r := range runs {
		if r.State != backup.StateRestored {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		ids = []string{runs[0].ID}
	}
	return ids, nil
}

func printRestore(env *Env, rep *backup.RestoreReport) {
	if rep.AlreadyRestored {
		fmt.Fprintf(env.Stderr, "migrate: run %s is already restored; nothing to do\n", rep.ID)
		return
	}
	if rep.SavedRun != "" {
		fmt.Fprintf(env.Stderr, "migrate: saved the current content of every file it overwrote as run %s (migrate restore %s puts it all back)\n", rep.SavedRun, rep.SavedRun)
	}
	n := len(rep.Restored) + len(rep.Removed)
	fmt.Fprintf(env.Stderr, "migrate: restored run %s: %d %s restored", rep.ID, len(rep.Restored), plural(len(rep.Restored), "file", "files"))
	if len(rep.Removed) > 0 {
		fmt.Fprintf(env.Stderr, ", %d created %s removed", len(rep.Removed), plural(len(rep.Removed), "file", "files"))
	}
	if len(rep.Dirs) > 0 {
		fmt.Fprintf(env.Stderr, ", %d %s put back", len(rep.Dirs), plural(len(rep.Dirs), "directory", "directories"))
	}
	if len(rep.Unchanged) > 0 {
		fmt.Fprintf(env.Stderr, ", %d already as before", len(rep.Unchanged))
	}
	if n == 0 && len(rep.Unchanged) == 0 {
		fmt.Fprint(env.Stderr, " (nothing to do)")
	}
	fmt.Fprintln(env.Stderr)
}
