// Package cli holds the migrate command tree: one file a subcommand, each
// with an options struct, and the mapping of errors to exit codes. It is the
// only package that prints to the terminal or decides an exit code.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
)

// Main runs the migrate command line with args and returns the exit code.
// SIGINT and SIGTERM cancel the command's context: a run rolls back the
// step in flight, starts no other and exits 130. A second signal ends the
// process at once (what it wrote is in its backup run, for migrate
// restore).
func Main(args []string, stdio IO) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)
	prof := &profiling{}
	root := newRootCmd(stdio, prof)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if perr := prof.stop(); perr != nil && err == nil {
		err = perr
	}
	if err != nil {
		var no *noError
		if !errors.As(err, &no) || no.msg != "" {
			fmt.Fprintln(stdio.Stderr, errorLine(err))
		}
	}
	return exitCode(err)
}

// globalOptions are the flags every command shares.
type globalOptions struct {
	dir   string // -C: the directory to run in
	quiet bool
	// timer records how long each stage takes (hidden --timings), or nil.
	timer *stageTimer
}

func newRootCmd(stdio IO, prof *profiling) *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "migrate",
		Short: "Move Go code off deprecated client libraries, safely",
		Long: `migrate rewrites Go code from an old client library to its replacement:
it loads your packages with full type information, rewrites only the call
sites that really use the old library, shows the unified diff, backs up
every file before writing it, and can restore any run byte for byte.

Start with:
  migrate list                               the built-in rule sets
  migrate run --rules ioutil --dry-run       show what would change
  migrate run --rules ioutil                 rewrite (backed up first)
  migrate restore                            undo the last run`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			g.timer = prof.timer(stdio.Stderr)
			return prof.start()
		},
	}
	prof.addFlags(root)
	root.SetIn(stdio.Stdin)
	root.SetOut(stdio.Stdout)
	root.SetErr(stdio.Stderr)
	root.PersistentFlags().StringVarP(&g.dir, "dir", "C", "", "run as if migrate was started in `DIR`")
	root.PersistentFlags().BoolVarP(&g.quiet, "quiet", "q", false, "print only errors and findings")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err: err} })
	env := &Env{IO: stdio, Global: g}
	for _, newCmd := range []func(*Env) *cobra.Command{newListCmd, newRunCmd, newStatusCmd, newCheckCmd, newExplainCmd, newRulesCmd, newBackupsCmd, newRestoreCmd} {
		root.AddCommand(newCmd(env))
	}
	return root
}

// Env is what every subcommand receives: the streams and the global flags.
type Env struct {
	IO
	Global *globalOptions
}

// workDir returns the directory the command runs in: -C if given
// (relative to the working directory), else the working directory.
func (e *Env) workDir() (string, error) {
	wd, err := e.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	if e.Global.dir == "" {
		return wd, nil
	}
	if filepath.IsAbs(e.Global.dir) {
		return e.Global.dir, nil
	}
	return filepath.Join(wd, e.Global.dir), nil
}
