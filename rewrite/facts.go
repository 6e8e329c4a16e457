package rewrite

import (
	"fmt"
	"sync"

	"github.com/migrate-tool/migrate/rules"
)

// factCache holds the facts of a run: each one computed once per package,
// on the first request of a rule on any of the package's files, which the
// run rewrites in parallel.
type factCache struct {
	mu sync.Mutex
	m  map[factKey]*factEntry
}

type factKey struct {
	pkg  *rules.Package
	fact *rules.Fact
}

type factEntry struct {
	once sync.Once
	val  any
	err  error
}

func newFactCache() *factCache { return &factCache{m: map[factKey]*factEntry{}} }

// get returns fact for pkg, computing it if no file asked before.
func (c *factCache) get(pkg *rules.Package, fact *rules.Fact) (any, error) {
	k := factKey{pkg: pkg, fact: fact}
	c.mu.Lock()
	e := c.m[k]
	if e == nil {
		e = &factEntry{}
		c.m[k] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.val, e.err = compute(pkg, fact) })
	return e.val, e.err
}

// compute runs fact.Compute, turning a panic (a bug in the fact) into an
// error.
func compute(pkg *rules.Package, fact *rules.Fact) (val any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("crashed on package %s: %v; this is a bug in migrate, please report it (nothing was written)", pkg.Types.Path(), p)
		}
	}()
	return fact.Compute(pkg)
}

// Fact returns fact for the file's package.
func (f *fileCtx) Fact(fact *rules.Fact) (any, error) {
	return f.facts.get(f.tf.unit, fact)
}
