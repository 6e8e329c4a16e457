// Command migrate moves Go code off deprecated client libraries: it loads the
// packages with type information, rewrites the call sites with rules, shows
// the diff, backs every file up before writing and can restore any run.
//
// Run "migrate --help" for the commands.
package main

import (
	"os"
	"runtime/debug"

	"github.com/migrate-tool/migrate/internal/cli"
)

// A run allocates syntax trees and type information that live until it
// ends, so the collector's default pace (GOGC=100) spends a fifth of a
// warm run collecting what it has to keep (go-git's warm dry run, median
// of 6: 1.34 s at 200, 1.24 s at 400, 1.15 s at 800, against about 1.6 s
// at 100). Unless the environment says otherwise, migrate lets the heap
// grow to nine times what is live (go-git: 320 MB), within a soft limit
// that keeps the largest runs measured under 1 GiB.
const (
	gcPercent   = 800
	memoryLimit = 768 << 20
)

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	os.Exit(cli.Main(os.Args[1:], cli.StdIO()))
}
