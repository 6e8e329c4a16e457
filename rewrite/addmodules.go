package rewrite

import (
	"fmt"
	"go/parser"
	"go/token"
	"maps"

	"github.com/migrate-tool/migrate/internal/gocmd"
	"github.com/migrate-tool/migrate/rules"
)

// addModules returns the modules of the rule sets' modules.add that the
// code imports once rewritten, each at its minimum version: a companion
// of the old library (a mock, a cache built on it) is required only where
// the module uses it. imports are the import paths of the files scanned,
// by file; a changed file's are read from its new contents.
func (r *runner) addModules(imports map[string][]string) (map[string]string, error) {
	add := map[string]string{}
	for _, s := range r.opts.Sets {
		maps.Copy(add, s.Modules.Add)
	}
	if len(add) == 0 {
		return nil, nil
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
			if m := gocmd.ModuleOf(p, add); m != "" {
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
