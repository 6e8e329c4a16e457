package rewrite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/migrate-tool/migrate/internal/gocmd"
)

// ResultCache stores the results of dry runs, by package (Options.Cache).
// Its owner makes the keys its own: it adds to them what the engine does
// not know, migrate's version and the rule sets.
type ResultCache interface {
	// Get returns the value stored under key; false when there is none,
	// or it cannot be read.
	Get(key string) ([]byte, bool)
	// Put stores value under key. A failure only loses the entry.
	Put(key string, value []byte)
}

// cachedPackage is the value stored for a package: what status and check
// read of its files.
type cachedPackage struct {
	Uses     []Finding `json:"uses"`
	Findings []Finding `json:"findings"`
}

// cacheRun is the use of Options.Cache in one run.
type cacheRun struct {
	store ResultCache
	k     *keyer
	// keys are the keys of the packages looked up and not found, which
	// the run loads and then stores.
	keys map[string]string
	// cands counts each such package's candidates; got holds their
	// results, as the files are rewritten.
	cands map[string]int
	got   map[string]*cachedPackage
	typed map[string]int
	// bad are the packages whose result is not to be stored: it depends
	// on other packages of the run (a build configuration chosen for
	// another file, a file a rule adds) or on errors.
	bad map[string]bool
}

// cacheUsable reports whether the run may take package results from
// Options.Cache: a dry run that only reports, on the files of one module
// as they are.
func (r *runner) cacheUsable() bool {
	return r.keysUsable() && r.opts.AllowErrors
}

// keysUsable reports whether the run may key what it reads from and
// stores in Options.Cache (the packages reaching the old API through
// others, for any run): it looks at the files of one module as they are.
func (r *runner) keysUsable() bool {
	o := r.opts
	return o.Cache != nil && !o.Scratch && r.files == nil && len(o.Overlay) == 0 && len(o.Together) == 0
}

// unchanged reports whether the files the keys of pkgs (or of every listed
// package, with none) were computed from are still as the run read them,
// go.mod and go.sum included: a result computed from files edited during
// the run is not stored under the key of what they were before.
func (r *runner) unchanged(k *keyer, pkgs []string) bool {
	gomod, err := os.ReadFile(filepath.Join(r.mod.Root, "go.mod"))
	if err != nil {
		return false
	}
	gosum, err := readIfExists(filepath.Join(r.mod.Root, "go.sum"))
	if err != nil {
		return false
	}
	mod := *r.mod
	mod.gomod = gomod
	return moduleDigest(&mod, gosum, r.goenv, nil) == k.module && k.unchanged(pkgs)
}

// newKeyer returns the keyer of the run's files, or nil when the run does
// not use Options.Cache.
func (r *runner) newKeyer(files map[string]listed, fi *fileImports) *keyer {
	if !r.keysUsable() {
		return nil
	}
	sums := map[string][32]byte{}
	k := newKeyer(r.mod, moduleDigest(r.mod, r.res.GoSum, r.goenv, sums), files, fi)
	k.treeSums = sums
	// The options that change which files are candidates.
	k.options = fmt.Sprintf("include generated %v", r.opts.IncludeGenerated)
	return k
}

// dependents returns the packages matching the run's patterns whose
// dependencies include an old path (see dependents), from the cache when
// nothing it depends on changed (k is not nil).
func (r *runner) dependents(ctx context.Context, goc *gocmd.Runner, k *keyer) (map[string]bool, error) {
	var key string
	if k != nil {
		key = k.dependentsKey(r.opts.Dir, r.opts.Patterns, r.paths)
		var pkgs []string
		if data, ok := r.opts.Cache.Get(key); ok && json.Unmarshal(data, &pkgs) == nil {
			out := map[string]bool{}
			for _, p := range pkgs {
				out[p] = true
			}
			if !slices.Equal(r.guessDependents(), pkgs) {
				r.opts.Cache.Put(r.guessKey(), data)
			}
			return out, nil
		}
	}
	r.progress("listing dependencies", 0, 0)
	out, err := dependents(ctx, goc, r.opts.Patterns, r.paths)
	if err != nil || k == nil || !r.unchanged(k, nil) {
		return out, err
	}
	pkgs := slices.Sorted(maps.Keys(out))
	if data, err := json.Marshal(pkgs); err == nil {
		r.opts.Cache.Put(key, data)
		r.opts.Cache.Put(r.guessKey(), data)
	}
	return out, nil
}

// guessKey is the key of the last list of dependents computed for the
// run's module, patterns and paths, whatever the files then held: not an
// answer, a guess for the speculation (speculate).
func (r *runner) guessKey() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s: dependents guess\n%s\n%q\n%q\n%q\n", cacheVersion, r.mod.Root, r.opts.Dir, r.opts.Patterns, r.paths)
	return hex.EncodeToString(h.Sum(nil))
}

// guessDependents returns the last list of dependents computed for the
// run's module, patterns and paths, or nil.
func (r *runner) guessDependents() []string {
	if !r.keysUsable() {
		return nil
	}
	var pkgs []string
	if data, ok := r.opts.Cache.Get(r.guessKey()); !ok || json.Unmarshal(data, &pkgs) != nil {
		return nil
	}
	return pkgs
}

// fromCache takes the results of the candidates' packages from the cache
// where it has them (k is not nil), and returns the candidates left to
// load.
func (r *runner) fromCache(k *keyer, sc *scanned) []*candidate {
	if k == nil || !r.cacheUsable() {
		return sc.candidates
	}
	c := &cacheRun{store: r.opts.Cache, k: k, keys: map[string]string{}, cands: map[string]int{},
		got: map[string]*cachedPackage{}, typed: map[string]int{}, bad: map[string]bool{}}
	r.progress("reading the result cache", 0, 0)
	byPkg := map[string][]*candidate{}
	var order []string
	for _, cand := range sc.candidates {
		if byPkg[cand.pkgPath] == nil {
			order = append(order, cand.pkgPath)
		}
		byPkg[cand.pkgPath] = append(byPkg[cand.pkgPath], cand)
	}
	var left []*candidate
	for _, pkg := range order {
		cands := byPkg[pkg]
		if v, ok := c.lookup(k, pkg, cands); ok {
			r.res.Uses = append(r.res.Uses, v.Uses...)
			r.res.Findings = append(r.res.Findings, v.Findings...)
			r.res.Stats.CacheHits++
			continue
		}
		left = append(left, cands...)
	}
	r.cache = c
	r.res.Stats.CacheMisses = len(c.keys)
	r.res.Stats.CacheUncachable = len(order) - r.res.Stats.CacheHits - len(c.keys)
	return left
}

// lookup returns the stored result of the package; on a miss it notes the
// key under which to store the result this run computes.
func (c *cacheRun) lookup(k *keyer, pkg string, cands []*candidate) (*cachedPackage, bool) {
	if slices.ContainsFunc(cands, func(c *candidate) bool { return c.adhoc() || c.cgo }) {
		// Loaded in a configuration of their own, chosen among the
		// run's other files.
		return nil, false
	}
	key, why := k.key(pkg)
	if why != "" {
		return nil, false
	}
	if data, ok := c.store.Get(key); ok {
		v := &cachedPackage{}
		if json.Unmarshal(data, v) == nil {
			return v, true
		}
	}
	c.keys[pkg] = key
	c.cands[pkg] = len(cands)
	return nil, false
}

// record keeps the result of a rewritten file for its package's entry.
func (c *cacheRun) record(tf *typedFile, fr *fileResult) {
	pkg := tf.pkgPath
	if c == nil || c.keys[pkg] == "" {
		return
	}
	if !tf.config.isDefault() || tf.pkg == nil || len(tf.pkg.Errors) > 0 || len(fr.newFiles) > 0 ||
		sha256.Sum256(tf.src) != c.k.sums[tf.path] {
		c.bad[pkg] = true
		return
	}
	v := c.got[pkg]
	if v == nil {
		v = &cachedPackage{Uses: []Finding{}, Findings: []Finding{}}
		c.got[pkg] = v
	}
	v.Uses = append(v.Uses, fr.uses...)
	v.Findings = append(v.Findings, fr.findings...)
	c.typed[pkg]++
}

// storeResults stores the result of every package looked up and not
// found whose files were all rewritten, each in the default configuration,
// without errors, and from the content its key was computed from.
func (r *runner) storeResults() {
	c := r.cache
	if c == nil {
		return
	}
	var pkgs []string
	for pkg := range c.keys {
		if !c.bad[pkg] && c.got[pkg] != nil && c.typed[pkg] == c.cands[pkg] {
			pkgs = append(pkgs, pkg)
		}
	}
	if len(pkgs) == 0 || !r.unchanged(c.k, pkgs) {
		return
	}
	for _, pkg := range pkgs {
		v, key := c.got[pkg], c.keys[pkg]
		SortFindings(v.Uses)
		SortFindings(v.Findings)
		if data, err := json.Marshal(v); err == nil {
			c.store.Put(key, data)
		}
	}
}
