package rewrite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/migrate-tool/migrate/internal/gocmd"
	"github.com/migrate-tool/migrate/rules"
)

// startTidy starts computing Result.Tidied (Options.Tidy), alongside the
// check: go.mod and go.sum with the added modules required, tidied with
// every changed file in view. It comes from Options.Cache when the run
// read every file go mod tidy reads. The returned function waits for it;
// with keep false it drops it. A failure leaves Tidied nil: the step runs
// the go commands itself, and reports what fails.
func (r *runner) startTidy(ctx context.Context) (wait func(keep bool)) {
	if !r.opts.Tidy || len(r.opts.Overlay) > 0 || len(r.opts.Together) > 0 || !r.changesModules() {
		return func(bool) {}
	}
	code := map[string][]byte{}
	for _, f := range r.res.Files {
		code[f.Path] = f.New
	}
	key := r.tidyKey(code)
	if key != "" {
		var t gocmd.Tidied
		if data, ok := r.opts.Cache.Get(key); ok && json.Unmarshal(data, &t) == nil && t.From(r.res.GoMod, r.res.GoSum) {
			return func(keep bool) {
				if keep {
					r.res.Tidied = &t
				}
			}
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan *gocmd.Tidied, 1)
	go func() { done <- r.tidy(ctx, code) }()
	return func(keep bool) {
		if !keep {
			cancel()
		}
		t := <-done
		cancel()
		if !keep || t == nil {
			return
		}
		r.res.Tidied = t
		if key == "" {
			return
		}
		if data, err := json.Marshal(t); err == nil {
			r.keepIfUnchanged(key, data)
		}
	}
}

// changesModules reports whether a write changes go.mod: the rewritten
// code needs a module the rule sets add, or a rule set retires one.
func (r *runner) changesModules() bool {
	if len(r.res.AddModules) > 0 {
		return true
	}
	return slices.ContainsFunc(r.opts.Sets, func(s *rules.Set) bool { return len(s.Modules.Retire) > 0 })
}

// tidy runs go get and go mod tidy as a whole step's write would, on
// copies of go.mod and go.sum, with code overlaid; nil on failure.
func (r *runner) tidy(ctx context.Context, code map[string][]byte) *gocmd.Tidied {
	file, cleanup, err := gocmd.WriteOverlay(code)
	if err != nil {
		return nil
	}
	defer cleanup()
	goc := (&gocmd.Runner{Dir: r.mod.Root, Env: r.goenv}).With("-overlay=" + file)
	ch, err := goc.UpdateModules(ctx, r.res.GoMod, r.res.GoSum, r.res.AddModules, "", r.res.Required)
	if err != nil {
		return nil
	}
	return &gocmd.Tidied{Base: r.res.GoMod, BaseSum: r.res.GoSum, Mod: ch.Mod, Sum: ch.Sum}
}

// tidyKey is the key of what tidy computes with code: the module's inputs
// (go.mod, go.sum, local replacements, the go configuration), the modules
// added, and every Go file of the module, code in place of the files it
// changes. "" when the run has no keys, or did not read every Go file of
// the module (go mod tidy reads them all, whatever their build tags).
func (r *runner) tidyKey(code map[string][]byte) string {
	k := r.keys
	if k == nil || r.files != nil || r.opts.Dir != r.mod.Root || !slices.Equal(r.opts.Patterns, []string{"./..."}) {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s: tidy\n%x\n", cacheVersion, k.module)
	for _, m := range slices.Sorted(maps.Keys(r.res.AddModules)) {
		fmt.Fprintf(h, "add %s@%s\n", m, r.res.AddModules[m])
	}
	for _, f := range slices.Sorted(maps.Keys(k.sums)) {
		if _, ok := code[f]; !ok {
			fmt.Fprintf(h, "file %s %x\n", f, k.sums[f])
		}
	}
	for _, f := range slices.Sorted(maps.Keys(code)) {
		hashBytes(h, "new "+f, code[f])
	}
	return hex.EncodeToString(h.Sum(nil))
}
