package backup

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The crash test re-executes the test binary as a child that migrates a
// generated tree in one run, kills it with SIGKILL, restores, and checks
// every file. The environment tells the test binary to act as the child.
const (
	crashRootEnv = "MIGRATE_BACKUP_CRASH_ROOT" // the tree to migrate
	crashStepEnv = "MIGRATE_BACKUP_CRASH_STEP" // kill yourself at this fault-hook step
	crashFiles   = 300
	crashKills   = 30 // kills at random times
	crashSteps   = 10 // kills at random steps of the write protocol
	crashSeed    = 20261122
)

func TestMain(m *testing.M) {
	if root := os.Getenv(lockChildEnv); root != "" {
		os.Exit(lockChild(root))
	}
	if root := os.Getenv(crashRootEnv); root != "" {
		if err := crashChild(root, os.Getenv(crashStepEnv)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashChild migrates the tree at root in one run, printing "ready"
// before the run begins and "done <steps>" after it is committed, where
// steps is the number of fault-hook steps taken. If killAt is set, the
// child kills itself with SIGKILL at that step.
func crashChild(root, killAt string) error {
	s, err := Open(root)
	if err != nil {
		return err
	}
	stop, _ := strconv.Atoi(killAt)
	steps := 0
	s.faults = func(string) error {
		if steps++; steps == stop {
			self, _ := os.FindProcess(os.Getpid())
			self.Kill()
			select {}
		}
		return nil
	}
	fmt.Println("ready")
	r, err := s.Begin(Meta{Rules: []string{"crash"}})
	if err != nil {
		return err
	}
	for i := range crashFiles {
		p := crashPath(i)
		old, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			return err
		}
		if err := r.WriteFile(p, old, crashEdit(old)); err != nil {
			return err
		}
		if i%30 == 0 {
			if err := r.CreateFile(fmt.Sprintf("p%d/new%03d.go", i%10, i), old, 0o644); err != nil {
				return err
			}
			if err := crashDirs(r, root, i); err != nil {
				return err
			}
		}
	}
	if err := r.Commit(); err != nil {
		return err
	}
	fmt.Println("done", steps)
	return nil
}

// crashDirs is what a vendor sync does: it deletes the file of the
// directory gone/<i> and removes it, and makes made/<i>/sub with a file.
func crashDirs(r *Run, root string, i int) error {
	gone := fmt.Sprintf("gone/%03d", i)
	old, err := os.ReadFile(filepath.Join(root, gone, "x.go"))
	if err != nil {
		return err
	}
	if err := r.DeleteFile(gone+"/x.go", old); err != nil {
		return err
	}
	if err := r.RemoveDir(gone); err != nil {
		return err
	}
	made := fmt.Sprintf("made/%03d/sub", i)
	if err := r.MkdirAll(made, 0o755); err != nil {
		return err
	}
	return r.CreateFile(made+"/y.go", old, 0o644)
}

func crashPath(i int) string {
	return fmt.Sprintf("p%d/f%03d.go", i%10, i)
}

// crashEdit is the rewrite the child applies: it grows or shrinks files.
func crashEdit(old []byte) []byte {
	if len(old)%2 == 0 {
		return append(slices.Clip(old), "\n// migrated\n"...)
	}
	return append(slices.Clone(old[:len(old)/2]), "/* cut */"...)
}

// crashTree generates the tree the child migrates: text with and without
// a final newline, binary files, empty files, various modes.
func crashTree(rng *rand.Rand) tree {
	modes := []fs.FileMode{0o644, 0o755, 0o600, 0o444, 0o640}
	const text = "abcdefghijklmnopqrstuvwxyz {}()\t\n"
	tr := tree{}
	for i := range crashFiles {
		data := make([]byte, rng.IntN(4096))
		for j := range data {
			if i%3 == 0 {
				data[j] = byte(rng.UintN(256))
			} else {
				data[j] = text[rng.IntN(len(text))]
			}
		}
		if i%3 == 2 && len(data) > 0 {
			data[len(data)-1] = 'x'
		}
		tr[crashPath(i)] = file{data, modes[rng.IntN(len(modes))]}
		if i%30 == 0 {
			tr[fmt.Sprintf("gone/%03d/x.go", i)] = file{data, 0o644}
		}
	}
	return tr
}

// crash is one kill: after a delay, or at a fault-hook step.
type crash struct {
	seed  uint64
	delay time.Duration
	step  int
}

// crashWorkers is how many children run at once: they mostly wait for
// fsync, so more than the number of CPUs.
const crashWorkers = 4

func TestCrashAnywhereIsRestored(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test runs the test binary many times")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dur, steps, err := crashChildRun(exe, t.TempDir(), crash{seed: crashSeed})
	if err != nil {
		t.Fatalf("uninterrupted run: %v", err)
	}
	t.Logf("an uninterrupted run: %v, %d steps", dur.Round(time.Millisecond), steps)
	rng := rand.New(rand.NewPCG(crashSeed, 0))
	var crashes []crash
	for range crashKills {
		crashes = append(crashes, crash{seed: rng.Uint64(), delay: time.Duration(rng.Int64N(int64(dur) * 11 / 10))})
	}
	for range crashSteps {
		crashes = append(crashes, crash{seed: rng.Uint64(), step: 1 + rng.IntN(steps)})
	}
	landed := runCrashes(t, exe, crashes)
	t.Logf("where the kills landed: %v", landed)
}

// runCrashes runs the crashes, crashWorkers at a time, and counts where
// they landed.
func runCrashes(t *testing.T, exe string, crashes []crash) map[string]int {
	var mu sync.Mutex
	landed := map[string]int{}
	work := make(chan int)
	var wg sync.WaitGroup
	for range crashWorkers {
		wg.Go(func() {
			for i := range work {
				where, err := crashAndRestore(exe, t.TempDir(), crashes[i])
				mu.Lock()
				landed[where]++
				mu.Unlock()
				if err != nil {
					t.Errorf("crash %d (%+v), kill %s: %v", i, crashes[i], where, err)
				}
			}
		})
	}
	for i := range crashes {
		work <- i
	}
	close(work)
	wg.Wait()
	return landed
}

// crashChildRun runs the child on a fresh tree under root until it
// finishes, or until it is killed as c says. It returns how long the run
// took and how many fault-hook steps it took, when it finished.
func crashChildRun(exe, root string, c crash) (time.Duration, int, error) {
	if err := makeTree(root, crashTree(rand.New(rand.NewPCG(c.seed, 1)))); err != nil {
		return 0, 0, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), crashRootEnv+"="+root, crashStepEnv+"="+strconv.Itoa(c.step))
	stderr := new(bytes.Buffer)
	cmd.Stderr = stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	bound := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	defer bound.Stop()
	out := bufio.NewReader(pipe)
	if line, err := out.ReadString('\n'); line != "ready\n" {
		return 0, 0, fmt.Errorf("child did not start: %q, %v, %v, %s", line, err, cmd.Wait(), stderr)
	}
	start := time.Now()
	if c.delay > 0 {
		time.Sleep(c.delay)
		cmd.Process.Kill()
	}
	line, _ := out.ReadString('\n')
	err = cmd.Wait()
	if exit := (*exec.ExitError)(nil); errors.As(err, &exit) && exit.ExitCode() == -1 {
		return 0, 0, nil // killed
	}
	if err != nil || !strings.HasPrefix(line, "done ") {
		return 0, 0, fmt.Errorf("child failed on its own: %q, %v, %s", line, err, stderr)
	}
	steps, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "done ")))
	return time.Since(start), steps, err
}

// crashAndRestore kills a child migrating a fresh tree under root,
// restores the latest run, checks the tree, and says where the kill
// landed.
func crashAndRestore(exe, root string, c crash) (string, error) {
	if _, _, err := crashChildRun(exe, root, c); err != nil {
		return "nowhere", err
	}
	s, err := Open(root)
	if err != nil {
		return "nowhere", err
	}
	where, err := landing(s)
	if err != nil {
		return where, err
	}
	_, err = s.Restore("", nil, false)
	var none *NoRunError
	if err != nil && !(errors.As(err, &none) && where == "before the run") {
		return where, fmt.Errorf("restore: %w", err)
	}
	got, err := readTree(root)
	if err != nil {
		return where, err
	}
	if d := diffTrees(crashTree(rand.New(rand.NewPCG(c.seed, 1))), got); d != "" {
		return where, fmt.Errorf("tree differs after restore:\n%s", d)
	}
	if _, err := os.Stat(filepath.Join(root, "made")); !errors.Is(err, fs.ErrNotExist) {
		return where, fmt.Errorf("a directory the run made is still there after restore (%v)", err)
	}
	r, err := s.Begin(Meta{})
	if err != nil {
		return where, fmt.Errorf("begin after restore: %w", err)
	}
	return where, r.Commit()
}

// landing describes, coarsely, where the kill interrupted the run.
func landing(s *Store) (string, error) {
	runs, err := s.List()
	switch {
	case err != nil:
		return "nowhere", err
	case len(runs) == 0:
		return "before the run", nil
	case runs[0].State == StateInterrupted:
		return fmt.Sprintf("during the run (%d0%%)", runs[0].Files*10/(crashFiles+crashFiles/30)), nil
	default:
		return "after " + string(runs[0].State), nil
	}
}
