package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

func small(out string) options {
	return options{out: out, module: "example.com/small", pkgs: 9, files: 4, affected: 3, lines: 40, seed: 7,
		manifest: filepath.Join(filepath.Dir(out), filepath.Base(out)+".manifest")}
}

// readTree returns the files under dir by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestDeterministic(t *testing.T) {
	tmp := t.TempDir()
	a, b := small(filepath.Join(tmp, "a")), small(filepath.Join(tmp, "b"))
	if _, err := run(a); err != nil {
		t.Fatal(err)
	}
	st, err := run(b)
	if err != nil {
		t.Fatal(err)
	}
	ta, tb := readTree(t, a.out), readTree(t, b.out)
	if len(ta) != len(tb) {
		t.Fatalf("%d files, then %d", len(ta), len(tb))
	}
	for name, data := range ta {
		if !bytes.Equal(data, tb[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
	if want := 1 + a.pkgs*a.files; len(ta) != want {
		t.Errorf("%d files, want %d", len(ta), want)
	}
	if string(ta["go.mod"]) != "module example.com/small\n\ngo 1.21\n" {
		t.Errorf("go.mod = %q", ta["go.mod"])
	}

	// The manifest lists exactly the files that import io/ioutil, in
	// exactly -affected packages.
	manifest, err := os.ReadFile(a.manifest)
	if err != nil {
		t.Fatal(err)
	}
	listed := strings.Fields(string(manifest))
	var importing []string
	dirs := map[string]bool{}
	for name, data := range ta {
		if bytes.Contains(data, []byte(`"io/ioutil"`)) {
			importing = append(importing, name)
			dirs[path.Dir(name)] = true
		}
	}
	if strings.Join(listed, "\n") != strings.Join(st.affectedFiles, "\n") || len(listed) != len(importing) {
		t.Errorf("manifest %q, files importing io/ioutil %q", listed, importing)
	}
	if len(dirs) != a.affected {
		t.Errorf("io/ioutil is used in %d packages, want %d", len(dirs), a.affected)
	}
}

func TestCheck(t *testing.T) {
	tmp := t.TempDir()
	for _, tc := range []struct {
		name string
		edit func(*options)
		want string
	}{
		{"no out", func(o *options) { o.out = "" }, "-out is required"},
		{"files", func(o *options) { o.files = 1 }, "-files must be at least 2"},
		{"affected", func(o *options) { o.affected = o.pkgs + 1 }, "-affected must be between"},
		{"module", func(o *options) { o.module = "a b" }, "is not a module path"},
	} {
		o := small(filepath.Join(tmp, tc.name))
		tc.edit(&o)
		if _, err := run(o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	o := small(tmp)
	if _, err := run(o); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("non-empty -out: err = %v", err)
	}
}

// TestVet checks that small generated modules build and vet, tests
// included: with two files a package (everything in one source file) and
// with more (io/ioutil used in several files).
func TestVet(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	for _, files := range []int{2, 5} {
		o := small(filepath.Join(t.TempDir(), "m"))
		o.files = files
		if _, err := run(o); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(gobin, "vet", "./...")
		cmd.Dir = o.out
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("-files %d: go vet ./...: %v\n%s", files, err, out)
		}
	}
}
