// Package proc runs the commands migrate starts for verification (go
// build, vet and test, a --test command) so that stopping migrate stops
// them too, with everything they started.
package proc

import (
	"os/exec"
	"time"
)

// waitDelay is how long a cancelled command has to exit after the
// signal before it is killed and its output pipes are closed.
const waitDelay = 5 * time.Second

// Isolate prepares cmd, made with exec.CommandContext, to run in a process
// group of its own: a Ctrl-C at the terminal reaches migrate alone, which
// decides what to roll back, and cancelling the context sends SIGTERM to
// the whole group (a go test binary, a shell's children), not only to
// cmd. A group still running waitDelay after that is killed, and Wait
// returns even if a child holds cmd's output open.
func Isolate(cmd *exec.Cmd) {
	isolate(cmd)
	cmd.WaitDelay = waitDelay
}
