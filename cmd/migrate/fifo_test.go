//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The interrupt and lock tests hold a migrate process at a known point:
// its --test command (or a go command) writes to a fifo, which blocks
// until the test reads it, then blocks reading another fifo until the test
// writes to it. No sleeps: every wait is on a fifo or on the process.

// fifo makes a named pipe in dir and returns its path.
func fifo(t *testing.T, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// holdCommand is a shell command that signals on ready, then blocks until
// the test releases gate. Both are sh builtins, so that a kill of the
// shell leaves nothing running.
func holdCommand(ready, gate string) string {
	return "echo holding > '" + ready + "'; read x < '" + gate + "'"
}

// startHoldingGo starts migrate with args in dir, with a go wrapper first
// on PATH that holds (holdCommand) each go command whose "$(pwd) $*"
// matches the sh case pattern match, then runs the real go; it returns the
// child once such a command holds.
func startHoldingGo(t *testing.T, dir, match string, args ...string) *child {
	t.Helper()
	ctl := t.TempDir()
	ready, gate := fifo(t, ctl, "ready"), fifo(t, ctl, "gate")
	realGo, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(ctl, "bin")
	writeFile(t, filepath.Join(bin, "go"), "#!/bin/sh\ncase \"$(pwd) $*\" in "+match+") "+holdCommand(ready, gate)+";; esac\nexec '"+realGo+"' \"$@\"\n", 0o755)
	c := start(t, dir, []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}, args...)
	c.awaitReady(t, ready)
	return c
}

// child is a migrate process started in the background.
type child struct {
	cmd    *exec.Cmd
	out    bytes.Buffer // stdout
	errb   bytes.Buffer // stderr
	exited chan struct{}
	err    error
}

// start starts migrate with args in dir, with extra environment.
func start(t *testing.T, dir string, env []string, args ...string) *child {
	t.Helper()
	c := &child{cmd: migrateCmd(context.Background(), dir, args...), exited: make(chan struct{})}
	c.cmd.Env = append(c.cmd.Env, env...)
	c.cmd.Stdout, c.cmd.Stderr = &c.out, &c.errb
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		<-c.exited
	})
	return c
}

// awaitReady reads the fifo ready, which blocks until the child's command
// writes to it. If the child exits first, the test fails with its output.
func (c *child) awaitReady(t *testing.T, ready string) {
	t.Helper()
	read := make(chan struct{})
	go func() {
		os.ReadFile(ready)
		close(read)
	}()
	select {
	case <-read:
	case <-c.exited:
		// Unblock the reader: a writer that opens and closes at once.
		if f, err := os.OpenFile(ready, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
		<-read
		t.Fatalf("migrate exited (%v) before it got there:\n%s%s", c.err, c.out.String(), c.errb.String())
	}
}

// release lets the child's blocked command go on.
func release(t *testing.T, gate string) {
	t.Helper()
	if err := os.WriteFile(gate, []byte("go\n"), 0); err != nil {
		t.Fatal(err)
	}
}

// wait waits for the child and returns its exit code.
func (c *child) wait() int {
	<-c.exited
	var exit *exec.ExitError
	if errors.As(c.err, &exit) {
		return exit.ExitCode()
	}
	if c.err != nil {
		return -1
	}
	return 0
}

// migrateCode runs migrate in dir and returns its combined output and exit
// code.
func migrateCode(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	out, err := migrate(dir, args...)
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return out, exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out, 0
}

// oneLine reports whether s is a single line.
func oneLine(s string) bool {
	return s != "" && !strings.Contains(strings.TrimSuffix(s, "\n"), "\n")
}
