package backup

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"testing"
)

// dirModes maps each directory under root, except the store, to its mode.
func dirModes(t *testing.T, root string) map[string]fs.FileMode {
	t.Helper()
	out := map[string]fs.FileMode{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if d.Name() == storeDir {
			return filepath.SkipDir
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out[filepath.ToSlash(rel)] = fi.Mode()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// vendorTree is a tree shaped like a vendor directory.
func vendorTree() tree {
	return tree{
		"go.mod":                          {[]byte("module m\n"), 0o644},
		"vendor/modules.txt":              {[]byte("# old v8\n"), 0o644},
		"vendor/old/redis/v8/redis.go":    {[]byte("package redis\n"), 0o644},
		"vendor/old/redis/v8/internal/x":  {[]byte("x\n"), 0o600},
		"vendor/shared/keep.go":           {[]byte("package shared\n"), 0o644},
		"vendor/shared/sub/gone.go":       {[]byte("package sub\n"), 0o644},
		"vendor/shared/sub/deeper/d.go":   {[]byte("package deeper\n"), 0o644},
		"vendor/shared/sub/deeper/e.go":   {[]byte("package deeper\n"), 0o644},
		"vendor/shared/sub/deeper/f.txt":  {[]byte("f\n"), 0o644},
		"vendor/shared/sub/deeper/g.data": {[]byte{0, 1}, 0o644},
	}
}

// syncVendor changes the vendor tree the way go mod vendor would when a
// module is replaced: files deleted, directories emptied and removed, new
// directories made and filled, one file rewritten.
func syncVendor(t *testing.T, r *Run, root string) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	read := func(p string) []byte {
		data, err := os.ReadFile(filepath.Join(root, p))
		must(err)
		return data
	}
	for _, p := range []string{"vendor/old/redis/v8/redis.go", "vendor/old/redis/v8/internal/x",
		"vendor/shared/sub/gone.go", "vendor/shared/sub/deeper/d.go", "vendor/shared/sub/deeper/e.go",
		"vendor/shared/sub/deeper/f.txt", "vendor/shared/sub/deeper/g.data"} {
		must(r.DeleteFile(p, read(p)))
	}
	for _, d := range []string{"vendor/old/redis/v8/internal", "vendor/old/redis/v8", "vendor/old/redis",
		"vendor/old", "vendor/shared/sub/deeper", "vendor/shared/sub"} {
		must(r.RemoveDir(d))
	}
	must(r.MkdirAll("vendor/new/redis/v9/internal/pool", 0o755))
	must(r.CreateFile("vendor/new/redis/v9/redis.go", []byte("package redis // v9\n"), 0o644))
	must(r.CreateFile("vendor/new/redis/v9/internal/pool/pool.go", []byte("package pool\n"), 0o644))
	must(r.WriteFile("vendor/modules.txt", read("vendor/modules.txt"), []byte("# new v9\n")))
}

func TestVendorSyncRestoresByteForByte(t *testing.T) {
	for _, how := range []string{"abort", "restore"} {
		t.Run(how, func(t *testing.T) {
			s, root := newStore(t, vendorTree())
			if err := os.Chmod(filepath.Join(root, "vendor/shared/sub"), 0o750); err != nil {
				t.Fatal(err)
			}
			files, dirs := snapshot(t, root), dirModes(t, root)
			r, err := s.Begin(Meta{Rules: []string{"test"}})
			if err != nil {
				t.Fatal(err)
			}
			syncVendor(t, r, root)
			if _, err := os.Stat(filepath.Join(root, "vendor/old")); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("vendor/old still there after the sync: %v", err)
			}
			if got := runInfo(t, s, r.ID()).Files; got != 10 {
				t.Errorf("run lists %d files, want 10 (directories are not counted)", got)
			}
			switch how {
			case "abort":
				if err := r.Abort(); err != nil {
					t.Fatal(err)
				}
			case "restore":
				if err := r.Commit(); err != nil {
					t.Fatal(err)
				}
				rep, err := s.Restore("", nil, false)
				if err != nil {
					t.Fatal(err)
				}
				if len(rep.Dirs) != 11 || len(rep.Removed) != 2 || len(rep.Restored) != 8 {
					t.Errorf("report: %d dirs, %d removed, %d restored; want 11, 2, 8", len(rep.Dirs), len(rep.Removed), len(rep.Restored))
				}
			}
			checkTree(t, root, files)
			if got := dirModes(t, root); !maps.Equal(got, dirs) {
				t.Errorf("directories after %s:\n got %v\nwant %v", how, got, dirs)
			}
		})
	}
}

func TestRestoreKeepsMadeDirectoryWithForeignFiles(t *testing.T) {
	s, root := newStore(t, tree{"go.mod": {[]byte("module m\n"), 0o644}})
	r, err := s.Begin(Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.MkdirAll("a/b", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(root, "a/b/mine.go")
	if err := os.WriteFile(mine, []byte("package b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Restore("", nil, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Fatalf("a file the run did not write was lost: %v", err)
	}
}

func TestDeleteFileRefusesChangedFile(t *testing.T) {
	s, root := newStore(t, tree{"a.go": {[]byte("package a\n"), 0o644}})
	r, err := s.Begin(Meta{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Abort()
	var changed *ChangedError
	if err := r.DeleteFile("a.go", []byte("package old\n")); !errors.As(err, &changed) {
		t.Fatalf("DeleteFile of a changed file: %v, want *ChangedError", err)
	}
	checkTree(t, root, tree{"a.go": {[]byte("package a\n"), 0o644}})
}
