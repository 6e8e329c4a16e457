package cli

import (
	"errors"
	"fmt"
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
only the FILEs named. Files the run created are removed. An interrupted
run (killed midway) can be restored too.

A file edited after the run wrote it is not overwritten: restore lists
such files and exits 1. With --force their current content is first saved
as a new backup run (so it can be restored in turn), then the run is
restored. Restoring a run already restored does nothing.`,
		Example: `  migrate restore
  migrate restore 20261122-013045.123
  migrate restore 20261122-013045.123 internal/store/store.go
  migrate restore --force`,
		RunE: func(cmd *cobra.Command, args []string) error {
			id, files := "", args
			if len(args) > 0 && runIDRE.MatchString(args[0]) {
				id, files = args[0], args[1:]
			}
			store, err := openStore(env)
			if err != nil {
				return err
			}
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
			if asJSON {
				return writeJSON(env.Stdout, rep)
			}
			printRestore(env, rep)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "restore files changed since the run, saving their content as a new backup first")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printRestore(env *Env, rep *backup.RestoreReport) {
	if rep.AlreadyRestored {
		fmt.Fprintf(env.Stderr, "migrate: run %s is already restored; nothing to do\n", rep.ID)
		return
	}
	if rep.SavedRun != "" {
		fmt.Fprintf(env.Stderr, "migrate: saved the changed files as run %s (migrate restore %s brings them back)\n", rep.SavedRun, rep.SavedRun)
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
