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

	"golang.org/x/mod/modfile"

	"github.com/migrate-tool/migrate/internal/gocmd"
)

// require is goc.Require of add on the run's go.mod and go.sum, through
// Options.Cache when the run has one: go get of exact versions is a
// function of its inputs (a published module version never changes), and
// takes 0.6 s on a module the size of cortex.
func (r *runner) require(ctx context.Context, goc *gocmd.Runner, add map[string]string) (*gocmd.Required, error) {
	key := r.requireKey(add)
	if key != "" {
		var q gocmd.Required
		if data, ok := r.opts.Cache.Get(key); ok && json.Unmarshal(data, &q) == nil && q.Mod != nil {
			return &q, nil
		}
	}
	q, err := goc.Require(ctx, r.res.GoMod, r.res.GoSum, add)
	if err != nil || q == nil || key == "" {
		return q, err
	}
	// A replacement's go.mod edited while go get read it is not kept
	// under the key of what it held before.
	if r.requireKey(add) == key {
		if data, err := json.Marshal(q); err == nil {
			r.opts.Cache.Put(key, data)
		}
	}
	return q, nil
}

// requireKey is the key of what requiring add gives: the run's go.mod and
// go.sum, the go.mod of each local replacement (go get reads their
// requirements), the go configuration and add. "" without a cache.
func (r *runner) requireKey(add map[string]string) string {
	if r.opts.Cache == nil {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s: go get\n", cacheVersion)
	hashBytes(h, "go.mod", r.res.GoMod)
	hashBytes(h, "go.sum", r.res.GoSum)
	hashEnv(h, r.goenv)
	mf, err := modfile.Parse("go.mod", r.res.GoMod, nil)
	if err != nil {
		return ""
	}
	for _, rep := range mf.Replace {
		if rep.New.Version == "" {
			data, err := os.ReadFile(filepath.Join(localDir(r.mod.Root, rep.New.Path), "go.mod"))
			if err != nil {
				data = nil
			}
			hashBytes(h, "replacement "+rep.New.Path, data)
		}
	}
	for _, m := range slices.Sorted(maps.Keys(add)) {
		fmt.Fprintf(h, "add %s@%s\n", m, add[m])
	}
	return hex.EncodeToString(h.Sum(nil))
}
