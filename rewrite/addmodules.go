package rewrite

import (
	"fmt"
	"go/parser"
	"go/token"
	"maps"
	"strings"

	"github.com/migrate-tool/migrate/internal/gocmd"
	"github.com/migrate-tool/migrate/rules"
)

// addModules returns the modules of the rule sets' modules.add that the
// code uses once rewritten, each at its minimum version: a companion of
// the old library (a mock, a cache built on it) is required only where the
// module uses it. A module that holds what the rules rewrite to (a move's
// new path, a renamed symbol's package) is used where the code imports one
// of those packages: redsync is required at the version that has its
// go-redis v9 adapter only where that adapter is imported, not for its
// other packages. Another module is used where the code imports any of its
// packages. imports are the import paths of the files scanned, by file; a
// changed file's are read from its new contents.
func (r *runner) addModules(imports map[string][]string) (map[string]string, error) {
	add := map[string]string{}
	for _, s := range r.opts.Sets {
		maps.Copy(add, s.Modules.Add)
	}
	// Run on the module a rule set adds (redsync's own repository, under
	// the go-redis-v9 set), its packages are in the module: go get of it
	// fails.
	delete(add, r.mod.Path)
	if len(add) == 0 {
		return nil, nil
	}
	targets := map[string][]string{} // module -> the target packages it holds
	for _, s := range r.opts.Sets {
		for _, t := range s.Targets() {
			p := strings.TrimSuffix(t.Path, "/...")
			if m := gocmd.ModuleOf(p, add); m != "" {
				targets[m] = append(targets[m], p+"/...") // a move carries subpackages
			}
		}
	}
	imports = maps.Clone(imports)
	for _, f := range r.res.Files {
		paths, err := importPaths(f.Path, f.New)
		if err != nil {
			return nil, err
		}
		imports[f.Path] = paths
	}
	used := map[string]string{}
	for _, paths := range imports {
		for _, p := range paths {
			if m := gocmd.ModuleOf(p, add); m != "" && (targets[m] == nil || rules.MatchPath(p, targets[m])) {
				used[m] = add[m]
			}
		}
	}
	return used, nil
}

// importPaths returns the import paths of the Go source src.
func importPaths(name string, src []byte) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
	if err != nil {
		return nil, fmt.Errorf("read the imports of the rewritten %s: %w", name, err)
	}
	var out []string
	for _, spec := range f.Imports {
		out = append(out, rules.Unquote(spec.Path))
	}
	return out, nil
}
