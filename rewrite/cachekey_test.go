package rewrite

import (
	"cmp"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/migrate-tool/migrate/internal/gocmd"
	"github.com/migrate-tool/migrate/internal/resultcache"
)

// keyModule is the module the key tests change: a imports b, b imports c,
// d stands alone; x is a module outside it, which go.mod replaces.
var keyModule = map[string]string{
	"m/go.mod": "module example.com/m\n\ngo 1.21\n\nrequire example.com/x v0.0.0\n\nreplace example.com/x => ../x\n",
	"m/a/a.go": "package a\n\nimport _ \"example.com/m/b\"\n",
	"m/b/b.go": "package b\n\nimport _ \"example.com/m/c\"\n",
	"m/c/c.go": "package c\n\nconst C = 1\n",
	"m/d/d.go": "package d\n\nimport _ \"example.com/x\"\n",
	"x/go.mod": "module example.com/x\n\ngo 1.21\n",
	"x/x.go":   "package x\n",
}

// TestCacheKeys checks that each input of a package's key changes it, and
// that an edit changes the keys of the packages it can affect only.
func TestCacheKeys(t *testing.T) {
	all := []string{"a", "b", "c", "d"}
	cases := []struct {
		name    string
		edit    func(t *testing.T, dir string) // in the copy of keyModule
		env     []string                       // added to the environment
		pattern string                         // of the run; default ./...
		changed []string                       // packages whose key changes
		none    []string                       // packages left without a key
	}{
		{name: "package file", edit: write("m/c/c.go", "package c\n\nconst C = 2\n"), changed: []string{"a", "b", "c"}},
		{name: "file added", edit: write("m/d/d2.go", "package d\n"), changed: []string{"d"}},
		{name: "test file", edit: write("m/b/b_test.go", "package b\n\nimport _ \"example.com/m/d\"\n"), changed: []string{"a", "b"}},
		{name: "file excluded by its build constraints", edit: write("m/c/c_windows.go", "package c\n"), changed: []string{"a", "b", "c"}},
		{name: "dependency imported by a test", edit: func(t *testing.T, dir string) {
			write("m/b/b_test.go", "package b\n\nimport _ \"example.com/m/d\"\n")(t, dir)
			write("m/d/d.go", "package d\n\nconst D = 1\n")(t, dir)
		}, changed: []string{"a", "b", "d"}},
		{name: "go.mod", edit: write("m/go.mod", keyModule["m/go.mod"]+"\n// edited\n"), changed: all},
		{name: "go.sum", edit: write("m/go.sum", ""), changed: all},
		{name: "vendor", edit: goCmd("mod", "vendor"), changed: all},
		{name: "vendored file", edit: func(t *testing.T, dir string) {
			goCmd("mod", "vendor")(t, dir)
			write("m/vendor/example.com/x/x.go", "package x\n\nconst Y = 1\n")(t, dir)
		}, changed: all},
		{name: "local replacement", edit: write("x/x.go", "package x\n\nconst X = 1\n"), changed: all},
		{name: "workspace", edit: write("m/go.work.sum", "example.com/y v1.0.0 h1:x\n"), env: []string{"GOWORK=$M/go.work"}, changed: all},
		{name: "GOOS", env: []string{"GOOS=windows"}, changed: all},
		{name: "GOARCH", env: []string{"GOARCH=arm64"}, changed: all},
		{name: "build tags", env: []string{"GOFLAGS=-tags=integration"}, changed: all},
		{name: "CGO_ENABLED", env: []string{"CGO_ENABLED=0"}, changed: all},
		{name: "GOEXPERIMENT", env: []string{"GOEXPERIMENT=jsonv2"}, changed: all},
		{name: "cgo in a dependency", edit: write("m/c/cgo.go", "package c\n\nimport \"C\"\n"), none: []string{"a", "b", "c"}},
		{name: "embedded files", edit: write("m/d/embed.go", "package d\n\nimport _ \"embed\"\n"), none: []string{"d"}},
		{name: "dependency outside the patterns", pattern: "./a", edit: write("m/c/c.go", "package c\n\nconst C = 2\n"), changed: []string{"a"}},
		{name: "package created outside the patterns", pattern: "./a", edit: func(t *testing.T, dir string) {
			write("m/b/b.go", "package b\n\nimport _ \"example.com/m/e\"\n")(t, dir)
			write("m/e/e.go", "package e\n")(t, dir)
		}, changed: []string{"a"}},
		{name: "nothing", changed: nil},
	}
	// The module's place is part of the keys: every case starts again
	// from keyModule in the same directory.
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			writeTree(t, dir, keyModule)
			var env, baseEnv []string
			for _, kv := range c.env {
				env = append(env, strings.ReplaceAll(kv, "$M", filepath.Join(dir, "m")))
			}
			if c.name == "workspace" {
				// The workspace without go.work.sum, against which one
				// with it is compared.
				write("m/go.work", "go 1.21\n\nuse .\n")(t, dir)
				baseEnv = env
			}
			pattern := cmp.Or(c.pattern, "./...")
			base := packageKeys(t, dir, baseEnv, pattern)
			for pkg := range base {
				if !strings.HasPrefix(base[pkg], "key ") {
					t.Fatalf("package %s has no key: %s", pkg, base[pkg])
				}
			}
			if c.edit != nil {
				c.edit(t, dir)
			}
			got := packageKeys(t, dir, env, pattern)
			for _, pkg := range all {
				p := "example.com/m/" + pkg
				switch {
				case slices.Contains(c.none, pkg):
					if strings.HasPrefix(got[p], "key ") {
						t.Errorf("%s: got a key, want none", pkg)
					}
				case slices.Contains(c.changed, pkg) && got[p] == base[p]:
					t.Errorf("%s: key unchanged, want a new one", pkg)
				case !slices.Contains(c.changed, pkg) && got[p] != base[p]:
					t.Errorf("%s: key changed (%s), want it unchanged", pkg, got[p])
				}
			}
		})
	}
}

// TestKeyerUnchanged: an edit between the scan and the store of a result,
// in the package or a package it imports, keeps it from being stored.
func TestKeyerUnchanged(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, keyModule)
	k := newTestKeyer(t, dir, nil, "./...")
	if !k.unchanged([]string{"example.com/m/a"}) {
		t.Fatal("nothing edited: changed")
	}
	write("m/d/d.go", "package d\n\nconst D = 1\n")(t, dir)
	if !k.unchanged([]string{"example.com/m/a"}) {
		t.Error("d edited: a changed, though it does not import d")
	}
	if k.unchanged([]string{"example.com/m/d"}) {
		t.Error("d edited: d unchanged")
	}
	write("m/c/c.go", "package c\n\nconst C = 2\n")(t, dir)
	if k.unchanged([]string{"example.com/m/a"}) {
		t.Error("c edited: a, which imports it through b, unchanged")
	}
	if k.unchanged(nil) {
		t.Error("c edited: the module unchanged")
	}
}

// packageKeys returns the key of every package of the module in dir/m
// that pattern matches, the way a run computes them, or "none: why".
func packageKeys(t *testing.T, dir string, env []string, pattern string) map[string]string {
	t.Helper()
	k := newTestKeyer(t, dir, env, pattern)
	out := map[string]string{}
	for pkg := range k.listed {
		key, why := k.key(pkg)
		if why != "" {
			out[pkg] = "none: " + why
		} else {
			out[pkg] = "key " + key
		}
	}
	return out
}

// TestKeepIfUnchanged: the answers a run keeps when it ends are stored
// only if no file the keys cover changed meanwhile, wherever it is in the
// module (an edit to the replacement x, or to c, which nothing here
// reads, keeps them out too).
func TestKeepIfUnchanged(t *testing.T) {
	for _, edit := range []string{"", "m/c/c.go", "x/x.go"} {
		dir := t.TempDir()
		writeTree(t, dir, keyModule)
		k, goenv := newTestKeyerEnv(t, dir, nil, "./...")
		cache := resultcache.Open(t.TempDir(), "")
		r := &runner{opts: Options{Cache: cache}, mod: k.mod, keys: k, goenv: goenv, res: &Result{}}
		r.keepIfUnchanged("answer", []byte("42"))
		if edit != "" {
			write(edit, "package edited\n")(t, dir)
		}
		r.flushPending(context.Background())
		if _, ok := cache.Get("answer"); ok == (edit != "") {
			t.Errorf("edit %q: stored %v", edit, ok)
		}
	}
}

// newTestKeyer returns the keyer of a run on the module in dir/m.
func newTestKeyer(t *testing.T, dir string, env []string, pattern string) *keyer {
	t.Helper()
	k, _ := newTestKeyerEnv(t, dir, env, pattern)
	return k
}

// newTestKeyerEnv is newTestKeyer that also returns the go environment.
func newTestKeyerEnv(t *testing.T, dir string, env []string, pattern string) (*keyer, *gocmd.Env) {
	t.Helper()
	ctx := context.Background()
	root := filepath.Join(dir, "m")
	mod, err := FindModule(root)
	if err != nil {
		t.Fatal(err)
	}
	// The user's environment, without what the cases set.
	user := append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "GOFLAGS=") || strings.HasPrefix(kv, "GOWORK=")
	}), "GOFLAGS=-mod=mod", "GOWORK=off")
	goenv, err := gocmd.NewEnv(ctx, root, append(user, env...))
	if err != nil {
		t.Fatal(err)
	}
	files, err := listFiles(ctx, mod, &gocmd.Runner{Dir: root, Env: goenv}, []string{pattern})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := readImports(files, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := readIfExists(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	return newKeyer(mod, moduleDigest(mod, sum, goenv, nil), files, fi), goenv
}

// writeTree empties dir and writes files in it.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range files {
		write(name, content)(t, dir)
	}
}

// goCmd runs the go command in dir/m.
func goCmd(args ...string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir = filepath.Join(dir, "m")
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOPROXY=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

func write(name, content string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o666); err != nil {
			t.Fatal(err)
		}
	}
}
