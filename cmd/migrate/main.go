// Command migrate moves Go code off deprecated client libraries: it loads the
// packages with type information, rewrites the call sites with rules, shows
// the diff, backs every file up before writing and can restore any run.
//
// Run "migrate --help" for the commands.
package main

import (
	"os"

	"github.com/migrate-tool/migrate/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.StdIO()))
}
