package rewrite

import (
	"bytes"
	"context"
	"fmt"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/migrate-tool/migrate/internal/resultcache"
)

// TestLoadFromSource loads a module whose roots have test files, an
// external test package, a package between two roots and a type error,
// once with loadFromSource and once with go/packages, and compares the
// packages the engine reads; with a type error, loadFromSource declines.
func TestLoadFromSource(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":      "module example.com/m\n\ngo 1.21\n",
		"a/a.go":      "package a\n\nimport (\n\t\"io/ioutil\"\n\n\t\"example.com/m/b\"\n)\n\nvar D = ioutil.Discard\n\nfunc F() int { return b.G() }\n",
		"a/a_test.go": "package a\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) { _ = F() }\n",
		"a/x_test.go": "package a_test\n\nimport (\n\t\"testing\"\n\n\t\"example.com/m/a\"\n)\n\nfunc TestX(t *testing.T) { _ = a.F() }\n",
		"b/b.go":      "package b\n\nimport \"example.com/m/c\"\n\nfunc G() int { return c.H() }\n",
		"c/c.go":      "package c\n\nimport (\n\t\"net\"\n\t\"os\"\n)\n\nfunc H() int { return len(os.Args) + net.IPv4len }\n",
	}
	writeTree(t, dir, files)
	cfg := func() *packages.Config { return srcConfig(dir) }
	patterns := []string{"example.com/m/a", "example.com/m/c"}
	got, ok, err := loadFromSource(cfg(), patterns, srcOptions{})
	if err != nil || !ok {
		t.Fatalf("loadFromSource: ok %v, err %v", ok, err)
	}
	// A package checked from source that does not type-check is left to
	// go/packages, whose errors include the compiler's.
	broken := filepath.Join(dir, "c", "c_broken.go")
	if err := os.WriteFile(broken, []byte("package c\n\nvar bad int = \"x\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := loadFromSource(cfg(), patterns, srcOptions{}); ok || err != nil {
		t.Errorf("loadFromSource of a package with a type error: ok %v, err %v; want false, nil", ok, err)
	}
	os.Remove(broken)
	want, err := packages.Load(cfg(), patterns...)
	if err != nil {
		t.Fatal(err)
	}
	want = slices.DeleteFunc(want, func(p *packages.Package) bool { return strings.HasSuffix(p.ID, ".test") })
	if g, w := describe(got.roots), describe(want); g != w {
		t.Errorf("loadFromSource gives:\n%s\ngo/packages gives:\n%s", g, w)
	}
	// With a types cache, the dependencies are type-checked from source
	// the first time and read from the cache the second, net (with cgo,
	// where it is on) too: the same packages either way; a damaged entry
	// is a miss, stored again.
	cacheDir := t.TempDir()
	store := &countingStore{TypesCache: resultcache.Open(cacheDir, "")}
	tc := newTypesCache(store, []string{"GOARCH=test"})
	for _, run := range []string{"first", "second", "damaged"} {
		var damaged map[string][]byte
		if run == "damaged" {
			damaged = damage(t, cacheDir)
		}
		store.puts = 0
		got, ok, err := loadFromSource(cfg(), patterns, srcOptions{types: tc})
		if err != nil || !ok {
			t.Fatalf("%s load with a types cache: ok %v, err %v", run, ok, err)
		}
		if stored := store.puts > 0; stored != (run != "second") {
			t.Errorf("%s load with a types cache stored %d entries", run, store.puts)
		}
		if g, w := describe(got.roots), describe(want); g != w {
			t.Errorf("%s load with a types cache gives:\n%s\ngo/packages gives:\n%s", run, g, w)
		}
		for path, bad := range damaged {
			if now, _ := os.ReadFile(path); bytes.Equal(now, bad) {
				t.Errorf("the damaged entry %s was not stored again", path)
			}
		}
	}
}

// srcConfig returns the configuration the first load uses for the module
// in dir, offline.
func srcConfig(dir string) *packages.Config {
	srcs := &sources{byName: map[string][]byte{}}
	return &packages.Config{Context: context.Background(), Mode: loadMode, Dir: dir, Tests: true,
		Env: append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOPROXY=off"), ParseFile: srcs.parse}
}

// countingStore counts the entries a TypesCache is given.
type countingStore struct {
	TypesCache
	puts int
}

func (s *countingStore) Put(key string, value []byte) {
	s.puts++
	s.TypesCache.Put(key, value)
}

// describe prints what the engine reads of pkgs and of the packages they
// import: which were checked from source, their files, scope and errors,
// a package a paragraph, in ID order (a dependency read from the types
// cache lists no imports, so the graph's order may differ).
func describe(pkgs []*packages.Package) string {
	var blocks []string
	imported := map[string]bool{}
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, imp := range p.Imports {
			imported[imp.ID] = imported[imp.ID] || p.TypesInfo != nil
		}
	})
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		var b strings.Builder
		defer func() { blocks = append(blocks, b.String()) }()
		if p.Types == nil || !p.Types.Complete() || p.ID == "unsafe" || p.TypesInfo == nil && !imported[p.ID] {
			return
		}
		if p.TypesInfo == nil {
			n := 0
			for _, name := range p.Types.Scope().Names() {
				if token.IsExported(name) {
					n++
				}
			}
			fmt.Fprintf(&b, "%s: export data, %d exported names\n", p.ID, n)
			return
		}
		fmt.Fprintf(&b, "%s (%s %s): source %v, files %d/%d, scope %v, imports %v\n", p.ID, p.Name, p.PkgPath,
			p.TypesInfo != nil, len(p.Syntax), len(p.CompiledGoFiles), p.Types.Scope().Names(), sortedKeys(p.Imports))
		for _, e := range p.Errors {
			fmt.Fprintf(&b, "\terror %v %s: %s\n", e.Kind, e.Pos, e.Msg)
		}
		if p.TypesInfo != nil {
			fmt.Fprintf(&b, "\tinfo: %d types, %d defs, %d uses, %d selections\n", len(p.TypesInfo.Types), len(p.TypesInfo.Defs), len(p.TypesInfo.Uses), len(p.TypesInfo.Selections))
		}
	})
	slices.Sort(blocks)
	return strings.Join(blocks, "")
}

func sortedKeys(m map[string]*packages.Package) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// damage flips the last byte of every entry of the cache in dir and
// returns the entries' damaged contents.
func damage(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "trim.txt") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil || len(data) == 0 {
			return err
		}
		data[len(data)-1] ^= 0xff
		out[path] = data
		return os.WriteFile(path, data, 0o644)
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("damage the types cache: %d entries, %v", len(out), err)
	}
	return out
}

// TestStoreDepChangedFile checks that a dependency whose file changed
// between its key and its check (an editor saving) is not stored: its
// entry would hold other code than its key names.
func TestStoreDepChangedFile(t *testing.T) {
	for _, changed := range []bool{false, true} {
		dir := t.TempDir()
		l := &srcLoader{tc: newTypesCache(resultcache.Open(dir, ""), nil), view: map[string]*types.Package{}, fset: token.NewFileSet(),
			pkgs: map[string]*packages.Package{"example.com/d": {ID: "example.com/d", PkgPath: "example.com/d",
				CompiledGoFiles: []string{"/src/d/d.go"}, Types: types.NewPackage("example.com/d", "d")}}}
		if changed {
			l.changed.Store("/src/d/d.go", true)
		}
		l.storeDep("example.com/d", "key")
		if _, stored := l.tc.store.Get("key"); stored == changed {
			t.Errorf("file changed during the run: %v; stored: %v", changed, stored)
		}
	}
}
