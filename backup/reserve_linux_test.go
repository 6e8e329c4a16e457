//go:build linux

package backup

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestJournalReserveAllocatesWithoutGrowing(t *testing.T) {
	path := filepath.Join(t.TempDir(), journalName)
	j, err := createJournal(path, record{Op: opBegin, ID: "x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.close()
	const room = 1 << 20
	if err := j.reserve(room); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != j.size {
		t.Errorf("reserve changed the journal's size to %d, want %d", fi.Size(), j.size)
	}
	if got := fi.Sys().(*syscall.Stat_t).Blocks * 512; got < j.size+room {
		t.Errorf("journal of %d bytes has %d bytes allocated, want at least %d", j.size, got, j.size+room)
	}
	if err := j.append(true, record{Op: opState, State: StateFailed}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if recs, valid, err := parseJournal(data, ""); err != nil || len(recs) != 2 || valid != len(data) {
		t.Errorf("journal after an append into the reserved room = %d records, %d of %d bytes valid, %v; want 2, all", len(recs), valid, len(data), err)
	}
}
