package rewrite

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io/fs"
	"path/filepath"
)

// The first load's go list of the candidates' import graph costs a warm
// run of a large module as much as its type check (cortex: 0.84 s). Its
// output is a function of the module's dependencies (go.mod, go.sum,
// vendor/, replaced directories: the keyer's module digest), the go
// configuration, and the files of the module's packages that the
// candidates import, directly or not (their imports, package clauses and
// build constraints; the key takes their contents), and, for one that
// embeds files, the names under its directory (a pattern matching nothing
// is its error). So it is kept in the result cache under those, and a run
// whose tree did not change there lists nothing. A listing with any
// error is not kept, nor one made while a file of the closure changed.

// graphCache keeps the graph's go list between runs.
type graphCache struct {
	store ResultCache
	keys  *keyer
	// marker is the key of the note that the next run of this module,
	// patterns and rules should expect its graph here, and start no
	// speculative go list (speculate): this run found or kept it, or used
	// a speculation, which is not kept (the next run lists and keeps).
	marker string
	// unchanged reports whether the files of the module's packages are
	// still as the run read them.
	unchanged func(pkgs []string) bool
}

// graphKey returns the key of the go list -deps -test of patterns in l's
// configuration, or "" when it cannot be keyed.
func (l *srcLoader) graphKey(g *graphCache, patterns []string) string {
	if g == nil {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s: graph\n%x\n%q\n%q\n%q\n%s\n%s\n", cacheVersion, g.keys.module, l.cfg.Dir, l.cfg.BuildFlags, patterns, l.goarch, l.modcache)
	for _, p := range g.keys.closure(patterns...) {
		n := g.keys.node(p)
		fmt.Fprintf(h, "%s %x\n", p, n.sum)
		if n.embed && !g.keys.hashEmbedDir(h, p) {
			return ""
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// hashEmbedDir hashes the names of everything under the directory of the
// module's package pkg, which its //go:embed patterns may match (go list
// reports a pattern that matches nothing as the package's error), or
// reports false where it cannot.
func (k *keyer) hashEmbedDir(h hash.Hash, pkg string) bool {
	files := k.listed[pkg]
	if len(files) == 0 {
		return false
	}
	dir := filepath.Dir(files[0])
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		fmt.Fprintf(h, "embed %s %v\n", filepath.ToSlash(rel), d.Type())
		return nil
	})
	return err == nil
}

// get returns the listing kept under key with the IDs of the roots of
// patterns, or ok false.
func (g *graphCache) get(key string, patterns []string) (listed []*listedPackage, roots []string, ok bool) {
	if g == nil || key == "" {
		return nil, nil, false
	}
	data, hit := g.store.Get(key)
	if !hit {
		return nil, nil, false
	}
	if listed, err := decodeListed(data); err == nil {
		if roots, ok = rootsOf(listed, patterns); ok {
			g.mark(true)
			return listed, roots, true
		}
	}
	return nil, nil, false
}

// mark notes whether the next run should expect its graph in the cache.
func (g *graphCache) mark(kept bool) {
	if g == nil {
		return
	}
	data, _ := g.store.Get(g.marker)
	marked := len(data) > 0
	switch {
	case kept && !marked:
		g.store.Put(g.marker, []byte("kept\n"))
	case !kept && marked:
		g.store.Put(g.marker, nil) // an empty entry reads as not kept
	}
}

// put keeps raw, the go list output listed was decoded from, under key,
// unless a package has an error or a file the key names changed since
// the scan the key was computed from (the listing ran after that scan).
func (g *graphCache) put(key string, listed []*listedPackage, raw []byte) {
	if g == nil || key == "" || raw == nil {
		if g != nil {
			g.mark(false)
		}
		return
	}
	var mine []string
	for _, lp := range listed {
		if lp.Error != nil || len(lp.DepsErrors) > 0 {
			g.mark(false)
			return
		}
		if lp.Module != nil && lp.Module.Main && lp.ForTest == "" {
			mine = append(mine, lp.ImportPath)
		}
	}
	if g.unchanged(mine) {
		g.store.Put(key, raw)
		g.mark(true)
	}
}

// graphMarker is the key of graphCache.marker for the run.
func (r *runner) graphMarker() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s: graph kept\n%s\n%q\n%q\n%q\n", cacheVersion, r.mod.Root, r.opts.Dir, r.opts.Patterns, r.paths)
	return hex.EncodeToString(h.Sum(nil))
}

// graphKept reports whether the last run of this module, patterns and
// rules found or kept its graph in the cache.
func (r *runner) graphKept() bool {
	if !r.keysUsable() {
		return false
	}
	data, _ := r.opts.Cache.Get(r.graphMarker())
	return len(data) > 0
}
