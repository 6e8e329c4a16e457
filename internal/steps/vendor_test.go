package steps

import (
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/migrate-tool/migrate/backup"
)

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, data := range files {
		path := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// flat describes a tree for comparison: files by content, directories as "/".
func flat(t *testing.T, root string) map[string]string {
	t.Helper()
	tr, err := readTree(root)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for p, e := range tr {
		if e.dir {
			out[p] = "/"
		} else {
			out[p] = string(e.data)
		}
	}
	return out
}

func TestSyncTreeThenAbort(t *testing.T) {
	mod, src := t.TempDir(), t.TempDir()
	dst := filepath.Join(mod, "vendor")
	writeFiles(t, dst, map[string]string{
		"modules.txt":       "# old\n",
		"old/v8/a.go":       "package v8\n",
		"old/v8/sub/b.go":   "package sub\n",
		"shared/same.go":    "package shared\n",
		"shared/changed.go": "package shared // 1\n",
		"x/file-then-dir":   "was a file\n",
	})
	writeFiles(t, src, map[string]string{
		"modules.txt":           "# new\n",
		"new/v9/a.go":           "package v9\n",
		"new/v9/internal/c.go":  "package internal\n",
		"shared/same.go":        "package shared\n",
		"shared/changed.go":     "package shared // 2\n",
		"x/file-then-dir/d.txt": "now a directory\n",
	})
	before, want := flat(t, dst), flat(t, src)
	store, err := backup.Open(mod)
	if err != nil {
		t.Fatal(err)
	}
	run, err := store.Begin(backup.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	changed, err := syncTree(run, dst, src)
	if err != nil || !changed {
		t.Fatalf("syncTree = %v, %v; want true, nil", changed, err)
	}
	if got := flat(t, dst); !maps.Equal(got, want) {
		t.Fatalf("after sync:\n got %v\nwant %v", got, want)
	}
	if changed, err := syncTree(run, dst, src); err != nil || changed {
		t.Errorf("second sync = %v, %v; want nothing to do", changed, err)
	}
	if err := run.Abort(); err != nil {
		t.Fatal(err)
	}
	if got := flat(t, dst); !maps.Equal(got, before) {
		t.Fatalf("after abort:\n got %v\nwant %v", got, before)
	}
}
