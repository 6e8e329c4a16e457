//go:build !unix

package proc

import "os/exec"

// isolate leaves cmd in migrate's process group: cancelling kills cmd
// alone (the exec package's default).
func isolate(*exec.Cmd) {}
