package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/migrate-tool/migrate/backup"
	"github.com/migrate-tool/migrate/rewrite"
)

func newBackupsCmd(env *Env) *cobra.Command {
	var asJSON bool
	list := func(cmd *cobra.Command, _ []string) error { return listBackups(env, asJSON) }
	cmd := &cobra.Command{
		Use:   "backups",
		Short: "List the backed-up runs, or prune old ones",
		Long: `Every writing run backs up the files it changes in .migrate/ at the module
root (git ignores it). "migrate backups" lists the runs, oldest first: id,
time, rule sets, number of files, and state:

  complete     the run wrote all its files
  running      a migrate process (pid shown) is writing it right now
  interrupted  the run stopped midway (killed, crashed): restore it
  failed       a write failed and the run restored what it had written
  restored     "migrate restore" put its files back

Restore a run with "migrate restore ID". The commands that write (run,
restore, backups prune) take the module's lock (.migrate/lock) for as long
as they run: a second one is refused at once, naming the pid holding it.`,
		Args: cobra.NoArgs,
		RunE: list,
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	ls := &cobra.Command{Use: "list", Short: "List the runs (the default)", Args: cobra.NoArgs, RunE: list}
	ls.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(ls, newPruneCmd(env))
	return cmd
}

func openStore(env *Env) (*backup.Store, error) {
	root, err := moduleRoot(env)
	if err != nil {
		return nil, err
	}
	return backup.Open(root)
}

func moduleRoot(env *Env) (string, error) {
	dir, err := env.workDir()
	if err != nil {
		return "", err
	}
	mod, err := rewrite.FindModule(dir)
	if err != nil {
		return "", err
	}
	return mod.Root, nil
}

// lockStore opens the backups of the module and takes its write lock for
// the command cmd with args; the caller must Unlock it.
func lockStore(env *Env, cmd *cobra.Command, args []string) (*backup.Store, error) {
	store, err := openStore(env)
	if err != nil {
		return nil, err
	}
	if err := store.Lock(commandLine(cmd, args)); err != nil {
		return nil, err
	}
	return store, nil
}

func listBackups(env *Env, asJSON bool) error {
	runs, err := listRuns(env)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(env.Stdout, backupsJSON(runs))
	}
	if len(runs) == 0 {
		fmt.Fprintln(env.Stderr, "migrate: no backed-up runs")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME\tRULES\tFILES\tSTATE")
	for _, r := range runs {
		state := string(r.State)
		if r.State == backup.StateRunning {
			state += fmt.Sprintf(" (pid %d)", r.PID)
		}
		if r.Restored > 0 && r.Restored < r.Files {
			state += fmt.Sprintf(" (%d of %d restored)", r.Restored, r.Files)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", r.ID, r.Time.Local().Format(time.DateTime), strings.Join(r.Rules, ","), r.Files, state)
	}
	return tw.Flush()
}

// listRuns returns the module's backed-up runs; a module with no
// .migrate/ has none, and listing does not create it.
func listRuns(env *Env) ([]backup.RunInfo, error) {
	root, err := moduleRoot(env)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(root, ".migrate")); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	store, err := backup.Open(root)
	if err != nil {
		return nil, err
	}
	return store.List()
}

type runJSON struct {
	ID       string    `json:"id"`
	Time     time.Time `json:"time"`
	Rules    []string  `json:"rules"`
	Command  string    `json:"command"`
	Files    int       `json:"files"`
	Restored int       `json:"restored"`
	State    string    `json:"state"`
	PID      int       `json:"pid,omitempty"` // the process writing a running run
}

func backupsJSON(runs []backup.RunInfo) []runJSON {
	out := []runJSON{}
	for _, r := range runs {
		out = append(out, runJSON{r.ID, r.Time, r.Rules, r.Command, r.Files, r.Restored, string(r.State), r.PID})
	}
	return out
}

func newPruneCmd(env *Env) *cobra.Command {
	var keep int
	var force bool
	cmd := &cobra.Command{
		Use:   "prune (--keep N | RUN-ID...)",
		Short: "Delete all but the newest N runs, or the runs named",
		Long: `Prune deletes the backups of all but the newest N runs (--keep N), or of
the runs named. An interrupted or damaged run is never deleted without
--force: restore it first. A running run is never deleted: prune is refused
while another migrate command writes.`,
		Example: `  migrate backups prune --keep 5
  migrate backups prune --force 20261122-013045.123`,
		RunE: func(cmd *cobra.Command, ids []string) error {
			byKeep := cmd.Flags().Changed("keep")
			switch {
			case byKeep && len(ids) > 0:
				return usagef("backups prune: give --keep N or run ids, not both")
			case !byKeep && len(ids) == 0:
				return usagef("backups prune: give --keep N (N >= 0) or the ids of the runs to delete")
			case byKeep && keep < 0:
				return usagef("backups prune: --keep N needs N >= 0")
			}
			store, err := lockStore(env, cmd, nil)
			if err != nil {
				return err
			}
			defer store.Unlock()
			var deleted []string
			if byKeep {
				deleted, err = store.Prune(keep, force)
			} else {
				deleted, err = store.Delete(ids, force)
			}
			for _, id := range deleted {
				fmt.Fprintf(env.Stderr, "migrate: deleted run %s\n", id)
			}
			return err
		},
	}
	cmd.Flags().IntVar(&keep, "keep", 0, "number of newest runs to keep")
	cmd.Flags().BoolVar(&force, "force", false, "also delete interrupted and damaged runs")
	return cmd
}
