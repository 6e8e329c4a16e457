//go:build linux

package backup

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestJournalKeepsRoomForTheRollback(t *testing.T) {
	s, root := newStore(t, sample())
	r := rewrite(t, s, root, sampleWrites(), migrated)
	fi, err := os.Stat(filepath.Join(s.dir, r.ID(), journalName))
	if err != nil {
		t.Fatal(err)
	}
	restored := int64(len(`{"op":"restored","seq":10}` + "\n"))
	failed := int64(len(`{"op":"state","state":"failed"}` + "\n"))
	need := fi.Size() + int64(len(sampleWrites()))*restored + failed
	if got := fi.Sys().(*syscall.Stat_t).Blocks * 512; got < need {
		t.Errorf("journal of %d bytes has %d bytes allocated, want at least %d for its rollback", fi.Size(), got, need)
	}
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
}
