package rewrite

import (
	"fmt"
	"strings"

	"golang.org/x/tools/go/packages"
)

// errorPolicy says which packages that do not type-check are rewritten
// anyway.
type errorPolicy struct {
	// allow takes every package, with what type information there is.
	allow bool
	// old and new are the import paths the rule sets move from and the
	// modules they move to, quoted as the type checker writes a path
	// when two packages share a name (`"github.com/go-redis/redis/v8"`).
	old, new []string
}

func (r *runner) errorPolicy() errorPolicy {
	pol := errorPolicy{allow: r.opts.AllowErrors}
	for _, p := range r.paths {
		pol.old = append(pol.old, `"`+p+`"`)
	}
	for _, s := range r.opts.Sets {
		for m := range s.Modules.Add {
			pol.new = append(pol.new, `"`+m)
		}
	}
	return pol
}

// crossingsOnly tells whether every error of p is a crossing: a value of
// an old library's type meeting one of the new library's, which is what a
// package sees when a local module it uses (a replace target, a workspace
// module) was migrated before it. The rewrite is what fixes those errors,
// so the package is rewritten, and the check then sees whether they went.
func (pol errorPolicy) crossingsOnly(p *packages.Package) bool {
	if len(pol.new) == 0 || len(p.Errors) == 0 {
		return false
	}
	crossings := 0
	for _, e := range p.Errors {
		// go list repeats the compiler's errors under a "# path" line.
		for line := range strings.Lines(e.Msg) {
			switch {
			case strings.HasPrefix(line, "# ") && e.Kind == packages.ListError:
			case containsAny(line, pol.old) && containsAny(line, pol.new):
				crossings++
			default:
				return false
			}
		}
	}
	return crossings > 0
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// crossingWarning says why p is rewritten although it does not
// type-check.
func crossingWarning(p *packages.Package, mod *Module) string {
	return fmt.Sprintf("package %s did not type-check before the run only where values of the old library meet a module already migrated (%s); it is migrated, and checked after the rewrite like any other",
		p.PkgPath, firstError(p, mod))
}
