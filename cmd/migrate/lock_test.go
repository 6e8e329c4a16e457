//go:build unix

package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestLockKeepsOneWriter holds a migrate run in its verification (its
// --test command waits on a fifo) and checks that meanwhile a second run,
// a restore and a prune are each refused at once with exit 2 naming the
// run's pid, that the listing shows the run as running, and that the run
// then finishes intact and restores byte for byte.
func TestLockKeepsOneWriter(t *testing.T) {
	dir := t.TempDir()
	genModule(t, dir, 2, 3)
	orig := snapshot(t, dir)
	ctl := t.TempDir()
	ready, gate := fifo(t, ctl, "ready"), fifo(t, ctl, "gate")
	first := start(t, dir, nil, "run", "--rules", "ioutil", "--test", holdCommand(ready, gate))
	first.awaitReady(t, ready) // written, verifying, holding the lock
	pid := first.cmd.Process.Pid
	holder := fmt.Sprintf("held by pid %d (migrate run", pid)

	for _, args := range [][]string{
		{"run", "--rules", "ioutil"},
		{"restore"},
		{"backups", "prune", "--keep", "0", "--force"},
	} {
		out, code := migrateCode(t, dir, args...)
		if code != 2 || !strings.Contains(out, holder) || !oneLine(out) {
			t.Errorf("migrate %s while a run writes: exit %d, output %q; want exit 2 and one line naming pid %d",
				strings.Join(args, " "), code, out, pid)
		}
	}
	out, code := migrateCode(t, dir, "backups")
	if code != 0 || !regexp.MustCompile(fmt.Sprintf(`running \(pid %d\)`, pid)).MatchString(out) || strings.Contains(out, "interrupted") {
		t.Errorf("migrate backups while a run writes: exit %d\n%s\nwant the run listed as running by pid %d", code, out, pid)
	}
	if out, code := migrateCode(t, dir, "run", "--rules", "ioutil", "--dry-run"); code != 0 {
		t.Errorf("a dry run takes no lock, but: exit %d\n%s", code, out)
	}

	release(t, gate)
	if code := first.wait(); code != 0 {
		t.Fatalf("the first run: exit %d\n%s", code, first.errb.String())
	}
	migratedTree := snapshot(t, dir)
	for name := range orig {
		if strings.HasSuffix(name, ".go") && strings.Contains(string(migratedTree[name].data), "ioutil") {
			t.Errorf("%s: not migrated by the run the others waited for", name)
		}
	}
	if out, code := migrateCode(t, dir, "restore"); code != 0 {
		t.Fatalf("restore: exit %d\n%s", code, out)
	}
	if !sameTree(t, orig, snapshot(t, dir)) {
		t.Error("the tree differs from the original after restore")
	}
}
