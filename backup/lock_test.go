package backup

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// lockChildEnv makes the test binary a child that holds the lock of the
// store at the root it names.
const lockChildEnv = "MIGRATE_BACKUP_LOCK_CHILD"

// lockChild locks the store at root, writes main.go in a run it leaves
// open, prints "locked RUN-ID" and waits until its stdin is closed or it
// is killed.
func lockChild(root string) int {
	s, err := Open(root)
	if err == nil {
		err = s.Lock("lock test child")
	}
	var r *Run
	if err == nil {
		r, err = s.Begin(Meta{Rules: []string{"lock"}})
	}
	if err == nil {
		var old []byte
		if old, err = os.ReadFile(filepath.Join(root, "main.go")); err == nil {
			err = r.WriteFile("main.go", old, migrated("main.go", old))
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	fmt.Println("locked", r.ID())
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// startLockChild starts lockChild on root and returns once it holds the
// lock, with the id of the run it is writing.
func startLockChild(t *testing.T, root string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), lockChildEnv+"="+root)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close() })
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	id, ok := strings.CutPrefix(strings.TrimSpace(line), "locked ")
	if err != nil || !ok {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("lock child: %q, %v", line, err)
	}
	return cmd, id
}

func TestLockIsExclusiveAndDiesWithItsHolder(t *testing.T) {
	orig := sample()
	s, root := newStore(t, orig)
	child, id := startLockChild(t, root)
	pid := child.Process.Pid

	// A second writer is refused at once, with the holder named.
	err := s.Lock("migrate restore")
	var locked *LockedError
	if !errors.As(err, &locked) || locked.Holder.PID != pid || locked.Holder.Command != "lock test child" {
		t.Fatalf("Lock while the child holds it = %v, want *LockedError naming pid %d", err, pid)
	}
	if !strings.Contains(err.Error(), "pid "+strconv.Itoa(pid)+" (lock test child)") {
		t.Errorf("message %q does not name the holder", err)
	}
	// So are the writing operations of a store that did not lock.
	if _, err := s.Begin(Meta{}); !errors.As(err, &locked) {
		t.Errorf("Begin = %v, want *LockedError", err)
	}
	if _, err := s.Restore("", nil, true); !errors.As(err, &locked) {
		t.Errorf("Restore = %v, want *LockedError", err)
	}
	if _, err := s.Prune(0, true); !errors.As(err, &locked) {
		t.Errorf("Prune = %v, want *LockedError", err)
	}
	// The live run is running, not interrupted.
	if info := runInfo(t, s, id); info.State != StateRunning || info.PID != pid {
		t.Errorf("List while the child writes = %+v, want running by pid %d", info, pid)
	}
	if h, held, err := LockHolder(root); err != nil || !held || h.PID != pid {
		t.Errorf("LockHolder = %+v, %v, %v; want held by pid %d", h, held, err, pid)
	}

	// kill -9: the kernel releases the lock; the run is interrupted.
	child.Process.Kill()
	child.Wait()
	if _, held, err := LockHolder(root); err != nil || held {
		t.Errorf("LockHolder after the kill = %v, %v; want free", held, err)
	}
	if info := runInfo(t, s, id); info.State != StateInterrupted {
		t.Errorf("List after the kill = %+v, want interrupted", info)
	}
	if err := s.Lock("migrate restore"); err != nil {
		t.Fatalf("Lock after the holder died: %v", err)
	}
	defer s.Unlock()
	var stuck *InterruptedError
	if _, err := s.Begin(Meta{}); !errors.As(err, &stuck) {
		t.Errorf("Begin after the kill = %v, want *InterruptedError", err)
	}
	if _, err := s.Restore(id, nil, false); err != nil {
		t.Fatal(err)
	}
	checkTree(t, root, orig)
}

func TestUnlockRemovesAStoreNothingUsed(t *testing.T) {
	root := t.TempDir()
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Lock("migrate run"); err != nil {
		t.Fatal(err)
	}
	if err := s.Unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, storeDir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s left behind by a command that recorded no run (%v)", storeDir, err)
	}

	// Once a run is recorded the store stays, and can be locked again.
	s, root = newStore(t, sample())
	if err := s.Lock("migrate run"); err != nil {
		t.Fatal(err)
	}
	rewrite(t, s, root, []string{"main.go"}, migrated).Commit()
	s.Unlock()
	if err := s.Lock("migrate restore"); err != nil {
		t.Fatalf("Lock again: %v", err)
	}
	s.Unlock()
	if runs, err := s.List(); err != nil || len(runs) != 1 || runs[0].State != StateComplete {
		t.Errorf("List = %+v, %v; want the complete run", runs, err)
	}
}
