package backup

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestOpenWritesGitignore(t *testing.T) {
	root := t.TempDir()
	if _, err := Open(root); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, ".migrate", ".gitignore"))
	if err != nil || string(data) != "*\n" {
		t.Fatalf(".migrate/.gitignore = %q, %v; want \"*\\n\"", data, err)
	}
	if _, err := Open(root); err != nil {
		t.Fatalf("second Open: %v", err)
	}
}

func TestOpenRefusesUnusableStore(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, ".migrate"), []byte("a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(root)
	if err == nil || !strings.Contains(err.Error(), ".migrate") || !strings.Contains(err.Error(), "writable directory") {
		t.Errorf("Open with .migrate a file = %v, want an error naming .migrate and what to do", err)
	}
	if _, err := Open(filepath.Join(root, "missing")); err == nil {
		t.Error("Open of a missing root succeeded")
	}
}

func TestRunIDsAreTimeBasedAndSorted(t *testing.T) {
	s, _ := newStore(t, tree{})
	var ids []string
	for range 4 {
		r, err := s.Begin(Meta{Rules: []string{"x"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Commit(); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID())
	}
	format := regexp.MustCompile(`^\d{8}-\d{6}\.\d{3}(-\d{2})?$`)
	for i, id := range ids {
		if !format.MatchString(id) {
			t.Errorf("id %q is not like 20261122-013045.123[-01]", id)
		}
		if i > 0 && ids[i-1] >= id {
			t.Errorf("ids not increasing: %q then %q", ids[i-1], id)
		}
	}
	runs, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, r := range runs {
		listed = append(listed, r.ID)
	}
	if !slices.Equal(listed, ids) {
		t.Errorf("List = %v, want oldest first %v", listed, ids)
	}
}

func TestListShowsEveryState(t *testing.T) {
	s, root := newStore(t, sample())
	complete := rewrite(t, s, root, []string{"main.go"}, migrated)
	complete.Commit()
	failed := rewrite(t, s, root, []string{"nonl.go"}, migrated)
	failed.Abort()
	restored := rewrite(t, s, root, []string{"empty.go"}, migrated)
	restored.Commit()
	if _, err := s.Restore("", nil, false); err != nil {
		t.Fatal(err)
	}
	interrupted := rewrite(t, s, root, []string{"cmd/tool.sh", "readonly.go"}, migrated)
	interrupted.close()

	runs, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id    string
		state State
		files int
	}{
		{complete.ID(), StateComplete, 1},
		{failed.ID(), StateFailed, 1},
		{restored.ID(), StateRestored, 1},
		{interrupted.ID(), StateInterrupted, 2},
	}
	if len(runs) != len(want) {
		t.Fatalf("List = %+v, want %d runs", runs, len(want))
	}
	for i, w := range want {
		r := runs[i]
		if r.ID != w.id || r.State != w.state || r.Files != w.files || r.Command != "migrate run" || r.Time.IsZero() {
			t.Errorf("run %d = %+v, want %s %s with %d files", i, r, w.id, w.state, w.files)
		}
	}
}

func TestPruneKeepsInterruptedRunsUnlessForced(t *testing.T) {
	s, root := newStore(t, sample())
	oldest := rewrite(t, s, root, []string{"main.go"}, migrated)
	oldest.Commit()
	stuck := rewrite(t, s, root, []string{"nonl.go"}, migrated)
	e, err := stuck.backup("empty.go", nil, true, 0o644, sum([]byte("x")))
	if err != nil {
		t.Fatal(err)
	}
	writeTree(t, root, tree{e.Tmp: {[]byte("x"), 0o600}}) // a crash's leftover
	stuck.close()
	middle, err := s.begin(Meta{}) // Begin would refuse: stuck is interrupted
	if err != nil {
		t.Fatal(err)
	}
	middle.Commit()
	newest, err := s.begin(Meta{})
	if err != nil {
		t.Fatal(err)
	}
	newest.Commit()
	junk := filepath.Join(s.dir, "29990101-000000.000") // a crash inside Begin
	if err := os.Mkdir(junk, 0o700); err != nil {
		t.Fatal(err)
	}

	deleted, err := s.Prune(1, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{oldest.ID(), middle.ID()}; !slices.Equal(deleted, want) {
		t.Errorf("Prune(1, false) deleted %v, want %v", deleted, want)
	}
	if ids := listIDs(t, s); !slices.Equal(ids, []string{stuck.ID(), newest.ID()}) {
		t.Errorf("after Prune(1, false): %v, want the interrupted and the newest run", ids)
	}
	if _, err := s.Prune(-1, false); err == nil {
		t.Error("Prune(-1) succeeded")
	}

	deleted, err = s.Prune(1, true)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(deleted, []string{stuck.ID()}) {
		t.Errorf("Prune(1, true) deleted %v, want only the interrupted run", deleted)
	}
	if _, err := os.Stat(filepath.Join(root, e.Tmp)); !os.IsNotExist(err) {
		t.Errorf("the interrupted run's temp file survived the prune: %v", err)
	}
	if _, err := os.Stat(junk); !os.IsNotExist(err) {
		t.Errorf("the junk run directory survived a forced prune: %v", err)
	}
	ents, _ := os.ReadDir(s.dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), trashPrefix) {
			t.Errorf("prune left %s behind", e.Name())
		}
	}
	if r, err := s.Begin(Meta{}); err != nil {
		t.Errorf("Begin after a forced prune: %v", err)
	} else {
		r.Commit()
	}
}

// listIDs returns the ids of the runs of s, oldest first.
func listIDs(t *testing.T, s *Store) []string {
	t.Helper()
	runs, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range runs {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.txt")
	for _, tc := range []struct {
		data string
		mode fs.FileMode
	}{
		{"first\n", 0o640}, // created: the umask does not apply
		{"second, no newline", 0o755},
		{"", 0o600},
	} {
		if err := WriteFileAtomic(path, []byte(tc.data), tc.mode); err != nil {
			t.Fatal(err)
		}
		checkTree(t, dir, tree{"f.txt": {[]byte(tc.data), tc.mode}}) // and no temp file left
	}
	err := WriteFileAtomic(filepath.Join(dir, "missing", "f.txt"), []byte("x"), 0o644)
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("WriteFileAtomic into a missing directory = %v, want an error naming it", err)
	}
}

func TestRunWithoutFilesDoesNotBlock(t *testing.T) {
	s, _ := newStore(t, tree{})
	empty, err := s.Begin(Meta{})
	if err != nil {
		t.Fatal(err)
	}
	empty.close() // a crash before the first write
	if info := runInfo(t, s, empty.ID()); info.State != StateInterrupted || info.Files != 0 {
		t.Errorf("List = %+v, want interrupted with no files", info)
	}
	next, err := s.Begin(Meta{})
	if err != nil {
		t.Fatalf("Begin after an interrupted run with no files: %v", err)
	}
	next.Commit()
	if deleted, err := s.Prune(1, false); err != nil || !slices.Equal(deleted, []string{empty.ID()}) {
		t.Errorf("Prune(1, false) = %v, %v; want the empty interrupted run deleted", deleted, err)
	}
}

func TestLatestGroup(t *testing.T) {
	s, _ := newStore(t, sample())
	begin := func(group string) string {
		t.Helper()
		r, err := s.Begin(Meta{Group: group})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Commit(); err != nil {
			t.Fatal(err)
		}
		return r.ID()
	}
	first := begin("")
	second := begin(first)
	third := begin(first)
	ids := func() []string {
		runs, err := s.LatestGroup()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range runs {
			out = append(out, r.ID)
		}
		return out
	}
	if got, want := ids(), []string{third, second, first}; !slices.Equal(got, want) {
		t.Errorf("LatestGroup = %v, want the group newest first %v", got, want)
	}
	solo := begin("")
	if got := ids(); !slices.Equal(got, []string{solo}) {
		t.Errorf("after a run on its own, LatestGroup = %v, want [%s]", got, solo)
	}
}
