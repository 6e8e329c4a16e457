//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestInterruptPerFileRun sends SIGINT to a --per-file run while its second
// step is being verified, and checks that it exits 130 with one line about
// the interrupt, that the step in flight was rolled back and no later one
// written (only the first step's file differs from the original), and
// that restore then gives every byte back.
func TestInterruptPerFileRun(t *testing.T) {
	dir := t.TempDir()
	genModule(t, dir, 1, 5) // five files, five steps
	orig := snapshot(t, dir)
	ctl := t.TempDir()
	ready, gate := fifo(t, ctl, "ready"), fifo(t, ctl, "gate")
	run := start(t, dir, nil, "run", "--rules", "ioutil", "--per-file", "--test", holdCommand(ready, gate))
	run.awaitReady(t, ready) // step 1 verifying
	release(t, gate)
	run.awaitReady(t, ready) // step 2 verifying
	if err := run.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	code := run.wait()
	stderr := run.errb.String()
	if code != 130 {
		t.Errorf("exit %d, want 130; stderr:\n%s", code, stderr)
	}
	if !oneLine(stderr) || !strings.Contains(stderr, "interrupted at step 2/5") || !strings.Contains(stderr, "rolled back") ||
		!strings.Contains(stderr, "3 steps not started") || !strings.HasSuffix(stderr, "with: migrate restore\n") {
		t.Errorf("stderr is not one line saying what was rolled back, what is left and how to restore:\n%s", stderr)
	}
	if strings.Contains(stderr, "failed") || strings.Contains(stderr, "context canceled") {
		t.Errorf("the interrupt is reported as a failure:\n%s", stderr)
	}
	after := snapshot(t, dir)
	var changed []string
	for name, e := range orig {
		if !bytes.Equal(after[name].data, e.data) || after[name].mode != e.mode {
			changed = append(changed, name)
		}
	}
	if len(changed) != 1 || !strings.Contains(stderr, "left written: 1 step ("+filepath.ToSlash(changed[0])+")") {
		t.Errorf("files changed after the interrupt: %v; want only the first step's, as named in:\n%s", changed, stderr)
	}
	if out, code := migrateCode(t, dir, "restore"); code != 0 {
		t.Fatalf("restore: exit %d\n%s", code, out)
	}
	if !sameTree(t, orig, snapshot(t, dir)) {
		t.Error("the tree differs from the original after restore")
	}
}

// TestInterruptWhileLoading sends SIGINT, then in a second run SIGTERM,
// while migrate waits for its first go command (a wrapper on PATH that
// holds on a fifo, then runs the real go), and checks the one-line
// message, exit 130, and that nothing was written, not even .migrate/.
func TestInterruptWhileLoading(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) { interruptWhileLoading(t, sig) })
	}
}

func interruptWhileLoading(t *testing.T, sig syscall.Signal) {
	dir := t.TempDir()
	genModule(t, dir, 1, 2)
	orig := snapshot(t, dir)
	ctl := t.TempDir()
	ready, gate := fifo(t, ctl, "ready"), fifo(t, ctl, "gate")
	realGo, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(ctl, "bin")
	writeFile(t, filepath.Join(bin, "go"), "#!/bin/sh\n"+holdCommand(ready, gate)+"\nexec '"+realGo+"' \"$@\"\n", 0o755)
	run := start(t, dir, []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}, "run", "--rules", "ioutil")
	run.awaitReady(t, ready) // loading: the first go command is waiting
	if err := run.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	code := run.wait()
	if want := "migrate: interrupted while loading packages; nothing was written\n"; code != 130 || run.errb.String() != want {
		t.Errorf("exit %d, stderr %q; want 130 and %q", code, run.errb.String(), want)
	}
	if !sameTree(t, orig, snapshot(t, dir)) {
		t.Error("files changed")
	}
	if _, err := os.Stat(filepath.Join(dir, ".migrate")); err == nil {
		t.Error(".migrate left behind by a run interrupted before writing")
	}
}

// TestInterruptWhileChecking sends SIGINT while a run checks its step on
// an overlay (a go wrapper on PATH holds the go build that has -overlay),
// and checks the one-line message, exit 130, that no file was touched and
// that no backup run was made.
func TestInterruptWhileChecking(t *testing.T) {
	dir := t.TempDir()
	genModule(t, dir, 1, 2)
	orig := snapshot(t, dir)
	ctl := t.TempDir()
	ready, gate := fifo(t, ctl, "ready"), fifo(t, ctl, "gate")
	realGo, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(ctl, "bin")
	writeFile(t, filepath.Join(bin, "go"), "#!/bin/sh\nif [ \"$1\" = build ]; then case \" $* \" in *\" -overlay=\"*) "+holdCommand(ready, gate)+";; esac; fi\nexec '"+realGo+"' \"$@\"\n", 0o755)
	run := start(t, dir, []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}, "run", "--rules", "ioutil")
	run.awaitReady(t, ready) // checking: go build -overlay is waiting
	if err := run.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	code := run.wait()
	stderr := run.errb.String()
	if want := "migrate: run interrupted at step 1/1 (all files), before it wrote anything; nothing is left written\n"; code != 130 || stderr != want {
		t.Errorf("exit %d, stderr %q; want 130 and %q", code, stderr, want)
	}
	if !sameTree(t, orig, snapshot(t, dir)) {
		t.Error("files changed")
	}
	if out, code := migrateCode(t, dir, "backups"); code != 0 || strings.TrimSpace(out) != "migrate: no backed-up runs" {
		t.Errorf("backups: exit %d, %q; want no run", code, out)
	}
}
