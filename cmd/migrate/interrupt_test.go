//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
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
	run := startHoldingGo(t, dir, "*", "run", "--rules", "ioutil") // loading: the first go command holds
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
	// checking: the go build with -overlay holds
	run := startHoldingGo(t, dir, `*" build "*" -overlay="*`, "run", "--rules", "ioutil")
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

// TestInterruptBetweenModules sends SIGINT while a run over two modules
// checks the second (the service; the library it uses through a replace
// directive is written): exit 130, one line naming the module and the
// command that undoes what is left written, the service untouched, and
// that command restores the library.
func TestInterruptBetweenModules(t *testing.T) {
	root := t.TempDir()
	for name, content := range map[string]string{
		"lib/go.mod": "module example.com/lib\n\ngo 1.21\n",
		"lib/lib.go": "package lib\n\nimport \"io/ioutil\"\n\nfunc Read(p string) ([]byte, error) { return ioutil.ReadFile(p) }\n",
		"app/go.mod": "module example.com/app\n\ngo 1.21\n\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ../lib\n",
		"app/app.go": "package app\n\nimport (\n\t\"io/ioutil\"\n\n\t\"example.com/lib\"\n)\n\nfunc Read(p string) ([]byte, error) {\n\tif b, err := lib.Read(p); err == nil {\n\t\treturn b, nil\n\t}\n\treturn ioutil.ReadFile(p)\n}\n",
	} {
		writeFile(t, filepath.Join(root, name), content, 0o644)
	}
	app, lib := filepath.Join(root, "app"), filepath.Join(root, "lib")
	origApp, origLib := snapshot(t, app), snapshot(t, lib)
	// The service's check: its go build with -overlay holds.
	run := startHoldingGo(t, app, `*"/app build "*" -overlay="*`, "run", "--rules", "ioutil")
	if err := run.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	code := run.wait()
	stderr := run.errb.String()
	undo := regexp.MustCompile(`undo what is left written with: (migrate -C \.\./lib restore \S+)\n$`).FindStringSubmatch(stderr)
	if code != 130 || !strings.Contains(stderr, "migrate: run interrupted in module app") || undo == nil {
		t.Fatalf("exit %d, stderr:\n%s\nwant 130, the module interrupted and the restore command of lib", code, stderr)
	}
	if !sameTree(t, origApp, snapshot(t, app)) {
		t.Error("the service changed")
	}
	if b, err := os.ReadFile(filepath.Join(lib, "lib.go")); err != nil || strings.Contains(string(b), "ioutil") {
		t.Fatalf("the library was not written before the interrupt: %v\n%s", err, b)
	}
	out, code := migrateCode(t, app, strings.Fields(undo[1])[1:]...)
	if code != 0 {
		t.Fatalf("%s: exit %d\n%s", undo[1], code, out)
	}
	if !sameTree(t, origLib, snapshot(t, lib)) {
		t.Error("the library differs from the original after the restore the message gives")
	}
}
