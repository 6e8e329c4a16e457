package rewrite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/token"
	"maps"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// The check's answer (the type errors of the changed packages, with the
// rewritten files overlaid) is a function of what the keys of those
// packages cover (their files, the module's packages they import, go.mod,
// go.sum, vendor/, the go configuration) and of the overlay. A dry run
// repeated on the same tree takes it from Options.Cache instead of loading
// the packages again; the rewrite itself is always computed.

// checkedErrors is loadErrors through Options.Cache: load computes the
// answer when the cache has none, which is kept if the files it read are
// still as the keys were computed from.
func (r *runner) checkedErrors(byConfig map[string][]string, configs map[string]config, overlay map[string][]byte, flags []string, mode packages.LoadMode, load func() ([]typeError, error)) ([]typeError, error) {
	key := r.checkKey(byConfig, configs, overlay, flags, mode)
	if key == "" {
		return load()
	}
	var cached []cachedError
	if data, ok := r.opts.Cache.Get(key); ok && json.Unmarshal(data, &cached) == nil {
		out := make([]typeError, len(cached))
		for i, c := range cached {
			out[i] = typeError{pos: c.Pos, msg: c.Msg, pkg: c.Pkg, refs: c.Refs}
		}
		return out, nil
	}
	errs, err := load()
	if err != nil {
		return errs, err
	}
	cached = make([]cachedError, len(errs))
	for i, e := range errs {
		cached[i] = cachedError{Pos: e.pos, Msg: e.msg, Pkg: e.pkg, Refs: e.refs}
	}
	if data, err := json.Marshal(cached); err == nil {
		r.keepIfUnchanged(key, data)
	}
	return errs, nil
}

// keepIfUnchanged stores data under key when the run ends, if every file
// the run's keys were computed from is still as it was then: the answers
// of go commands and of the check, which read the files on disk, are not
// kept under the key of what the files held before an edit. One check
// covers them all.
func (r *runner) keepIfUnchanged(key string, data []byte) {
	r.pending = append(r.pending, pendingPut{key, data})
}

type pendingPut struct {
	key  string
	data []byte
}

// flushPending stores what keepIfUnchanged held, if nothing changed.
func (r *runner) flushPending(ctx context.Context) {
	if len(r.pending) == 0 || ctx.Err() != nil || !r.unchanged(r.keys, nil) {
		return
	}
	for _, p := range r.pending {
		r.opts.Cache.Put(p.key, p.data)
	}
}

// cachedError is a typeError as the cache keeps it.
type cachedError struct {
	Pos  token.Position   `json:"pos"`
	Msg  string           `json:"msg"`
	Pkg  string           `json:"pkg"`
	Refs []token.Position `json:"refs,omitempty"`
}

// checkKey returns the key of the check of the packages of byConfig with
// overlay, flags and mode; "" when
// the run has no keys, or a package's answer depends on files they do not
// cover (cgo, embedded files, a file loaded on its own).
func (r *runner) checkKey(byConfig map[string][]string, configs map[string]config, overlay map[string][]byte, flags []string, mode packages.LoadMode) string {
	k := r.keys
	if k == nil {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s: check\nmode %d\nflags %q\n", cacheVersion, mode, flags)
	var pkgs []string
	for _, ck := range slices.Sorted(maps.Keys(byConfig)) {
		if configs[ck].adhoc {
			return ""
		}
		fmt.Fprintf(h, "config %s\n", ck)
		pkgs = append(pkgs, byConfig[ck]...)
	}
	// A rewritten file may import a package of the module that the
	// packages did not import before.
	pkgs = append(pkgs, k.moduleImports(overlay)...)
	slices.Sort(pkgs)
	pkgs = slices.Compact(pkgs)
	for _, p := range pkgs {
		pk, why := k.key(p)
		if why != "" {
			return ""
		}
		fmt.Fprintf(h, "package %s %s\n", p, pk)
	}
	for _, name := range slices.Sorted(maps.Keys(overlay)) {
		hashBytes(h, "overlay "+name, overlay[name])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// moduleImports returns the module's packages that the Go files of
// overlay import.
func (k *keyer) moduleImports(overlay map[string][]byte) []string {
	var out []string
	for name, src := range overlay {
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		paths, err := importPaths(name, src)
		if err != nil {
			continue // the file is in the key as it is
		}
		for _, p := range paths {
			if p == k.mod.Path || strings.HasPrefix(p, k.mod.Path+"/") {
				out = append(out, p)
			}
		}
	}
	return out
}
