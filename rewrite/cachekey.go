package rewrite

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/parser"
	"go/token"
	"hash"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/migrate-tool/migrate/internal/gocmd"
	"github.com/migrate-tool/migrate/rules"
)

// cacheVersion changes when what the keys cover or the values hold does.
const cacheVersion = "migrate package result v1"

// keyer computes the keys of Options.Cache: for a package of the module,
// a hash of everything its dry-run result depends on besides the rule sets
// and migrate itself (which the cache's owner puts in its keys): the
// package's files, those of the module's packages it imports, directly or
// not, and the module's inputs (moduleDigest).
type keyer struct {
	mod    *Module
	module [32]byte // moduleDigest
	// options are the run's options that change a package's result.
	options string
	listed  map[string][]string // import path -> its files, as listed
	imports map[string][]string // file -> its imports, as scanned
	sums    map[string][32]byte // file -> SHA-256 of its content
	nodes   map[string]*pkgNode
	// treeSums are the SHA-256 of the files of vendor/ and other trees
	// moduleDigest read (the types cache keys take them from here).
	treeSums map[string][32]byte
}

// pkgNode is what the key of a package takes from the package itself.
type pkgNode struct {
	sum   [32]byte // its files' names and contents
	deps  []string // the module's packages its files import
	cgo   bool     // a file imports "C"
	embed bool     // a file imports "embed" (//go:embed reads other files)
}

func newKeyer(mod *Module, module [32]byte, files map[string]listed, fi *fileImports) *keyer {
	k := &keyer{mod: mod, module: module, listed: map[string][]string{}, nodes: map[string]*pkgNode{}}
	k.imports, k.sums = fi.index()
	for f, l := range files {
		k.listed[l.pkgPath] = append(k.listed[l.pkgPath], f)
	}
	for _, fs := range k.listed {
		slices.Sort(fs)
	}
	return k
}

// key returns the key of the package at import path pkg, or a reason why
// it has none: its result depends on files the key does not cover (cgo
// sources and headers, embedded files).
func (k *keyer) key(pkg string) (string, string) {
	if k.node(pkg).embed {
		return "", "embeds files"
	}
	closure := k.closure(pkg)
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%x\n%s\n%s\n", cacheVersion, k.module, k.options, pkg)
	for _, p := range closure {
		n := k.node(p)
		if n.cgo {
			return "", "uses cgo, or imports a package of the module that does (" + p + ")"
		}
		fmt.Fprintf(h, "%s %x\n", p, n.sum)
	}
	return hex.EncodeToString(h.Sum(nil)), ""
}

// unchanged reports whether the files of pkgs and of the module's packages
// they import, directly or not, are as the keys were computed from (with
// no pkgs, those of every listed package).
func (k *keyer) unchanged(pkgs []string) bool {
	if len(pkgs) == 0 {
		pkgs = slices.Collect(maps.Keys(k.listed))
	}
	for _, p := range k.closure(pkgs...) {
		files := k.listed[p]
		if len(files) == 0 {
			if k.dirNode(p).sum != k.node(p).sum {
				return false
			}
			continue
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil || sha256.Sum256(src) != k.sums[f] {
				return false
			}
		}
	}
	return true
}

// dependentsKey returns the key of what dependents reports for the
// patterns (relative to dir) and the old paths: it depends on the imports
// of every package of the module the listed ones import, directly or not,
// and on the module's dependencies (k.module).
func (k *keyer) dependentsKey(dir string, patterns, paths []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s: dependents\n%x\n%q\n%q\n%q\n", cacheVersion, k.module, dir, patterns, paths)
	for _, p := range k.closure(slices.Collect(maps.Keys(k.listed))...) {
		fmt.Fprintf(h, "%s %x\n", p, k.node(p).sum)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// closure returns the packages and the module's packages they import,
// directly or not (test imports included), sorted.
func (k *keyer) closure(pkgs ...string) []string {
	seen := map[string]bool{}
	var stack []string
	for _, p := range pkgs {
		if !seen[p] {
			seen[p] = true
			stack = append(stack, p)
		}
	}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, d := range k.node(p).deps {
			if !seen[d] {
				seen[d] = true
				stack = append(stack, d)
			}
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// node returns the package's own part of a key: from the scan when the
// run listed the package, else from its directory.
func (k *keyer) node(pkg string) *pkgNode {
	if n := k.nodes[pkg]; n != nil {
		return n
	}
	var n *pkgNode
	if files := k.listed[pkg]; len(files) > 0 {
		n = k.listedNode(pkg, files)
	} else {
		n = k.dirNode(pkg)
	}
	k.nodes[pkg] = n
	return n
}

func (k *keyer) listedNode(pkg string, files []string) *pkgNode {
	h := sha256.New()
	n := &pkgNode{}
	for _, f := range files {
		fmt.Fprintf(h, "%s %x\n", filepath.Base(f), k.sums[f])
		n.addImports(k.mod, pkg, k.imports[f])
	}
	h.Sum(n.sum[:0])
	return n
}

// dirNode reads the Go files of the directory of an imported package that
// the run did not list (outside its patterns). A directory that does not
// exist has a sum too: creating it changes the key.
func (k *keyer) dirNode(pkg string) *pkgNode {
	dir := filepath.Join(k.mod.Root, filepath.FromSlash(strings.TrimPrefix(pkg, k.mod.Path)))
	h := sha256.New()
	n := &pkgNode{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		fmt.Fprintf(h, "unreadable %s\n", err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			fmt.Fprintf(h, "%s unreadable %s\n", name, err)
			continue
		}
		fmt.Fprintf(h, "%s %x\n", name, sha256.Sum256(src))
		if f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly); err == nil {
			var imports []string
			for _, spec := range f.Imports {
				imports = append(imports, rules.Unquote(spec.Path))
			}
			n.addImports(k.mod, pkg, imports)
		}
	}
	h.Sum(n.sum[:0])
	return n
}

func (n *pkgNode) addImports(mod *Module, self string, imports []string) {
	for _, p := range imports {
		switch {
		case p == "C":
			n.cgo = true
		case p == "embed":
			n.embed = true
		case p != self && (p == mod.Path || strings.HasPrefix(p, mod.Path+"/")) && !slices.Contains(n.deps, p):
			n.deps = append(n.deps, p)
		}
	}
}

// moduleDigest hashes what every package's result depends on outside the
// module's own packages: where the module is, go.mod and go.sum, the
// workspace (go.work, go.work.sum and its other modules' files), the
// vendor directory, the directories of local replacements, and the go
// command's version and build configuration.
//
// sums, if not nil, gets the SHA-256 of every file of those trees read, so
// that the types cache keys of vendored packages need not read them again.
func moduleDigest(mod *Module, gosum []byte, env *gocmd.Env, sums map[string][32]byte) [32]byte {
	h := sha256.New()
	fmt.Fprintf(h, "root %s\n", mod.Root)
	hashBytes(h, "go.mod", mod.gomod)
	hashBytes(h, "go.sum", gosum)
	hashEnv(h, env)
	vendorRoot := mod.Root
	if work := env.Workspace(); work != "" {
		vendorRoot = filepath.Dir(work)
		data := hashFile(h, work)
		hashFile(h, work+".sum")
		if wf, err := modfile.ParseWork(work, data, nil); err == nil {
			for _, u := range wf.Use {
				if dir := localDir(vendorRoot, u.Path); dir != mod.Root {
					hashTree(h, dir, sums)
				}
			}
			for _, r := range wf.Replace {
				hashReplace(h, vendorRoot, r, sums)
			}
		}
	}
	if env.Vendor() {
		hashTree(h, filepath.Join(vendorRoot, "vendor"), sums)
	}
	if mf, err := modfile.Parse("go.mod", mod.gomod, nil); err == nil {
		for _, r := range mf.Replace {
			hashReplace(h, mod.Root, r, sums)
		}
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// hashReplace hashes the directory of a replacement by a local path; a
// replacement by a module version is in go.mod and go.sum.
func hashReplace(h hash.Hash, base string, r *modfile.Replace, sums map[string][32]byte) {
	if r.New.Version == "" {
		hashTree(h, localDir(base, r.New.Path), sums)
	}
}

func localDir(base, path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(base, filepath.FromSlash(path))
}

// hashEnv hashes the go configuration (gocmd.Env.Fingerprint).
func hashEnv(h hash.Hash, env *gocmd.Env) {
	for _, kv := range env.Fingerprint() {
		fmt.Fprintf(h, "env %s\n", kv)
	}
}

func hashBytes(h hash.Hash, name string, data []byte) {
	fmt.Fprintf(h, "%s %d %x\n", name, len(data), sha256.Sum256(data))
	if data == nil {
		fmt.Fprintf(h, "%s absent\n", name)
	}
}

// hashFile hashes the file (or that it is absent) and returns its content.
func hashFile(h hash.Hash, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(h, "%s unreadable: %v\n", path, err)
		return nil
	}
	hashBytes(h, path, data)
	return data
}

// treeSuffixes are the files of another module's tree (a workspace module,
// a local replacement, vendor/) that its packages' types can depend on.
var treeSuffixes = []string{".go", ".s", ".c", ".h", ".cc", ".cpp", ".hh", ".hpp", ".m", "go.mod", "go.sum", "modules.txt"}

// hashTree hashes the names and contents of the files under dir that can
// change a package's types; the files are read and hashed in parallel (a
// large vendor/ takes a warm run's tenth otherwise).
func hashTree(h hash.Hash, dir string, sums map[string][32]byte) {
	fmt.Fprintf(h, "tree %s\n", dir)
	var paths []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != dir && (name == ".git" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !slices.ContainsFunc(treeSuffixes, func(s string) bool { return strings.HasSuffix(name, s) }) {
			return nil
		}
		paths = append(paths, path)
		return nil
	})
	content := make([][32]byte, len(paths))
	errs := make([]error, len(paths))
	parallel(len(paths), runtime.GOMAXPROCS(0), func(i int) {
		data, err := os.ReadFile(paths[i])
		content[i], errs[i] = sha256.Sum256(data), err
	})
	for i, p := range paths {
		if errs[i] != nil {
			fmt.Fprintf(h, "%s unreadable: %v\n", p, errs[i])
			continue
		}
		fmt.Fprintf(h, "%s %x\n", p, content[i])
		if sums != nil {
			sums[p] = content[i]
		}
	}
	if err != nil {
		fmt.Fprintf(h, "tree %s unreadable: %v\n", dir, err)
	}
}
