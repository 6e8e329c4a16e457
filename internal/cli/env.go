package cli

import (
	"io"
	"os"
)

// IO holds the streams and working directory a command uses, so that the CLI
// can run in-process in tests.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getwd returns the directory that relative paths and the default -C
	// resolve against.
	Getwd func() (string, error)
	// IsTerminal reports whether Stderr is an interactive terminal.
	IsTerminal bool
}

// StdIO returns the process's standard streams.
func StdIO() IO {
	return IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getwd: os.Getwd, IsTerminal: isTerminal(os.Stderr)}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
