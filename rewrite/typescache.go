package rewrite

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/token"
	"go/types"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/gcexportdata"
)

// TypesCache keeps, between runs, the export data of the dependencies the
// first load type-checks from source instead of having go list compile
// them: the first run on a machine then costs a type check of the
// dependencies' declarations, not a build of them. An entry that cannot be
// read is a miss. internal/resultcache is one.
type TypesCache interface {
	Get(key string) ([]byte, bool)
	Put(key string, value []byte)
}

// typesCache is a TypesCache with the part of every key that is the same
// for all packages of a run: the go command's configuration and the type
// checker's version.
type typesCache struct {
	store TypesCache
	salt  string
}

func newTypesCache(store TypesCache, goenv []string) *typesCache {
	if store == nil {
		return nil
	}
	return &typesCache{store: store, salt: "migrate types v1\n" + runtime.Version() + "\n" + strings.Join(goenv, "\n")}
}

// key returns the key of package id's export data: its path and name,
// its files (a package of the module cache or the standard library by
// name, since their contents never change under one name; any other by
// content), and the keys of the packages it imports. "" when a file
// cannot be read.
func (l *srcLoader) key(id string, memo map[string]string) string {
	if k, ok := memo[id]; ok {
		return k
	}
	memo[id] = "" // a cycle cannot happen in a listed graph; stay safe
	lp := l.byID[id]
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s %s\n", l.tc.salt, lp.ImportPath, lp.Name)
	immutable := lp.Standard || l.modcache != "" && strings.HasPrefix(lp.Dir, l.modcache+string(filepath.Separator))
	// The files go list names without -compiled: a cgo package's
	// CompiledGoFiles are known only when it is checked (compiledFiles).
	files := slices.Concat(lp.GoFiles, absFiles(lp.Dir, lp.CgoFiles), absFiles(lp.Dir, lp.SwigFiles), absFiles(lp.Dir, lp.SwigCXXFiles))
	for _, f := range files {
		fmt.Fprintf(h, "file %s", f)
		if !immutable {
			sum, ok := l.read[f]
			if !ok {
				data, err := os.ReadFile(f)
				if err != nil {
					return ""
				}
				sum = sha256.Sum256(data)
			}
			l.sums.Store(f, sum)
			fmt.Fprintf(h, " %x", sum)
		}
		h.Write([]byte("\n"))
	}
	for _, imp := range slices.Sorted(slices.Values(lp.listedImports)) {
		if imp == "C" || imp == "unsafe" {
			continue
		}
		k := l.key(imp, memo)
		if k == "" {
			return ""
		}
		fmt.Fprintf(h, "import %s %s\n", imp, k)
	}
	k := hex.EncodeToString(h.Sum(nil))
	memo[id] = k
	return k
}

// loadWithCache type-checks the source packages against their
// dependencies' export data from the types cache; a dependency not there
// is type-checked from source (its declarations only) and stored. Nothing
// is compiled. The packages it does not need (what a cached dependency
// imports) are not loaded at all. It reports false for a graph it cannot
// load (go list -compiled fails for a cgo dependency).
func (l *srcLoader) loadWithCache() (bool, error) {
	l.fset = token.NewFileSet()
	l.view = map[string]*types.Package{}
	keys := map[string]string{}
	// A dependency is read from the cache only when everything it imports
	// is too: export data that refers to a package checked from source
	// would make a second copy of its types. An entry is read whole when
	// its package is looked at, so a damaged one is a miss, checked from
	// source and stored again.
	cachedDep := map[string]bool{}
	data := map[string][]byte{}
	seen := map[string]bool{}
	var status func(id string) bool
	status = func(id string) bool {
		if seen[id] {
			return cachedDep[id]
		}
		seen[id] = true
		ok := !l.source[id]
		for _, imp := range l.byID[id].Imports {
			if imp != "C" && imp != "unsafe" && !status(imp) {
				ok = false
			}
		}
		if ok {
			k := l.key(id, keys)
			if k == "" {
				ok = false
			} else {
				data[id], ok = l.tc.store.Get(k)
			}
		}
		cachedDep[id] = ok
		return ok
	}
	need := map[string]bool{}
	var visit func(id string)
	visit = func(id string) {
		if need[id] || id == "C" || id == "unsafe" {
			return
		}
		need[id] = true
		if status(id) {
			return // read from the cache, with what it imports
		}
		for _, imp := range l.byID[id].Imports {
			visit(imp)
		}
	}
	for id, src := range l.source {
		if src {
			visit(id)
		}
	}
	// A cgo dependency checked from source needs the files cgo makes, and
	// imports what they import (runtime/cgo): go list -compiled gives both.
	for {
		var cgo []string
		for id := range need {
			if !l.source[id] && !cachedDep[id] && len(l.byID[id].CompiledGoFiles) == 0 {
				cgo = append(cgo, id)
			}
		}
		if len(cgo) == 0 {
			break
		}
		if !l.compiledFiles(cgo) {
			return false, nil
		}
		for _, id := range cgo {
			for _, imp := range l.byID[id].Imports {
				visit(imp)
			}
		}
	}
	for id := range need {
		if !l.source[id] {
			l.key(id, keys) // storeDep's, computed before the goroutines start
		}
	}
	for id := range data {
		if !need[id] {
			delete(data, id) // read for a dependency's status; not used
		}
	}
	sizes := types.SizesFor("gc", l.goarch)
	for id := range need {
		l.pkgs[id] = l.newPackage(l.byID[id], sizes)
	}
	var mu sync.Mutex // the view and the export data readers and writers
	l.inOrder(slices.Collect(maps.Keys(need)), func(id string) {
		switch {
		case cachedDep[id]:
			mu.Lock()
			defer mu.Unlock()
			l.readCached(id, data[id])
		case l.source[id]:
			l.checkOne(id)
		default:
			l.checkOne(id)
			mu.Lock()
			defer mu.Unlock()
			l.storeDep(id, keys[id])
		}
	})
	return true, l.cfg.Context.Err()
}

// readCached makes package id's types from its cached export data; an
// entry that does not read leaves the package without types, and the
// packages checked against it then have errors, which sends the load to
// go/packages.
func (l *srcLoader) readCached(id string, data []byte) {
	p := l.pkgs[id]
	tp, err := gcexportdata.Read(bytes.NewReader(data), l.fset, l.view, p.PkgPath)
	if err != nil {
		p.Types = nil
		return
	}
	p.Types = tp
}

// storeDep keeps the export data of dependency id, type-checked from
// source, unless it had errors (a package the type checker cannot check
// alone, such as one whose cgo it cannot see, is checked again next time)
// or a file of it changed between its key and its check (an editor
// saving): the entry would hold other code than its key says. It drops
// what only a source package keeps.
func (l *srcLoader) storeDep(id, key string) {
	p := l.pkgs[id]
	ok := len(p.Errors) == 0 && !slices.ContainsFunc(p.CompiledGoFiles, func(f string) bool {
		_, changed := l.changed.Load(f)
		return changed
	})
	p.Syntax, p.TypesInfo, p.Errors, p.TypeErrors, p.IllTyped = nil, nil, nil, nil, false
	if !ok || key == "" {
		return
	}
	l.view[p.PkgPath] = p.Types
	var buf bytes.Buffer
	if err := gcexportdata.Write(&buf, l.fset, p.Types); err != nil {
		return
	}
	l.tc.store.Put(key, buf.Bytes())
}
