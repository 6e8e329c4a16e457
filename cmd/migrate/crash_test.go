package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCrashRestore kills the real migrate process with SIGKILL at random
// moments of a write run over a generated module of a few hundred files,
// then restores with "migrate restore" and checks that every file has its
// original bytes and mode.
func TestCrashRestore(t *testing.T) {
	if testing.Short() {
		t.Skip("kills 30 runs; skipped with -short")
	}
	orig := t.TempDir()
	genModule(t, orig, 30, 10)
	want := snapshot(t, orig)
	full := timeRun(t, orig)
	rng := rand.New(rand.NewPCG(1, 2))
	kills := 30
	hitWrites := 0
	for i := range kills {
		dir := t.TempDir()
		copyTree(t, orig, dir)
		// Kill anywhere in the run, but mostly in its second half, where
		// the files are written.
		at := time.Duration(float64(full) * (0.3 + 0.8*rng.Float64()))
		killed := runKilledAt(t, dir, at)
		if _, err := os.Stat(filepath.Join(dir, ".migrate")); err == nil {
			hitWrites++
			out, err := migrate(dir, "restore")
			if err != nil && !strings.Contains(out, "no backup runs") {
				t.Fatalf("kill %d at %v: restore: %v\n%s", i, at, err, out)
			}
		}
		if got := snapshot(t, dir); !sameTree(t, want, got) {
			t.Fatalf("kill %d at %v (killed=%v): tree differs from the original after restore", i, at, killed)
		}
	}
	t.Logf("%d kills over a %v run; %d left backups to restore", kills, full, hitWrites)
	if hitWrites == 0 {
		t.Errorf("no kill happened after the backup store was created: the test did not exercise restore")
	}
}

type entry struct {
	data []byte
	mode fs.FileMode
}

func genModule(t *testing.T, dir string, pkgs, files int) {
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/crash\n\ngo 1.21\n", 0o644)
	for p := range pkgs {
		for f := range files {
			src := fmt.Sprintf("package p%d\n\nimport (\n\t\"io/ioutil\"\n\t\"strings\"\n)\n\n// F%d reads.\nfunc F%d() ([]byte, error) {\n\tb, err := ioutil.ReadAll(strings.NewReader(\"x\"))\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn b, ioutil.WriteFile(\"/dev/null\", b, 0o644)\n}\n", p, f, f)
			mode := fs.FileMode(0o644)
			if f%3 == 0 {
				mode = 0o600
			}
			writeFile(t, filepath.Join(dir, fmt.Sprintf("p%d/f%d.go", p, f)), src, mode)
		}
	}
}

func writeFile(t *testing.T, path, content string, mode fs.FileMode) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, mode)
}

func snapshot(t *testing.T, dir string) map[string]entry {
	t.Helper()
	m := map[string]entry{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".migrate" {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		m[rel] = entry{data, info.Mode()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sameTree(t *testing.T, want, got map[string]entry) bool {
	t.Helper()
	ok := true
	for name, w := range want {
		g, found := got[name]
		switch {
		case !found:
			t.Errorf("%s: missing", name)
			ok = false
		case !bytes.Equal(g.data, w.data) || g.mode != w.mode:
			t.Errorf("%s: content or mode differs (mode %v, want %v)", name, g.mode, w.mode)
			ok = false
		}
	}
	for name := range got {
		if _, found := want[name]; !found {
			t.Errorf("%s: left behind", name)
			ok = false
		}
	}
	return ok
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	if out, err := exec.Command("cp", "-a", from+"/.", to).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
}

func migrateCmd(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), asMigrateEnv+"=1", "GOFLAGS=-mod=mod", "GOPROXY=off")
	return cmd
}

func migrate(dir string, args ...string) (string, error) {
	out, err := migrateCmd(context.Background(), dir, args...).CombinedOutput()
	return string(out), err
}

// timeRun measures an uninterrupted write run on a copy of the module.
func timeRun(t *testing.T, orig string) time.Duration {
	dir := t.TempDir()
	copyTree(t, orig, dir)
	start := time.Now()
	if out, err := migrate(dir, "run", "--rules", "ioutil", "--no-test"); err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	return time.Since(start)
}

// runKilledAt starts a write run and sends SIGKILL after d; it reports
// whether the process was still running then.
func runKilledAt(t *testing.T, dir string, d time.Duration) bool {
	cmd := migrateCmd(context.Background(), dir, "run", "--rules", "ioutil", "--no-test")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return false
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		return true
	}
}
