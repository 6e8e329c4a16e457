package gocmd

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Graph is the import graph of the module's packages, tests included.
type Graph struct {
	deps  map[string][]string // package (or test variant) -> its dependencies
	hasGo map[string]bool     // packages with non-test Go files
}

// Graph lists the module's packages with their dependencies.
func (r *Runner) Graph(ctx context.Context) (*Graph, error) {
	res := r.Run(ctx, "list", "-e", "-test", "-f", "{{.ImportPath}} {{len .GoFiles}}{{range .Deps}} {{.}}{{end}}", "./...")
	if res.Err != nil {
		return nil, fmt.Errorf("%w\n%s", res.Err, res.Tail(10))
	}
	g := &Graph{deps: map[string][]string{}, hasGo: map[string]bool{}}
	for _, line := range strings.Split(string(res.Output), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		// A test variant's id is "p [p.test]": its first field is "p", the
		// second "[p.test]".
		if strings.HasPrefix(fields[1], "[") {
			fields = append(fields[:1], fields[2:]...)
		} else if fields[1] != "0" && basePath(fields[0]) == fields[0] {
			g.hasGo[fields[0]] = true
		}
		id := basePath(fields[0])
		g.deps[id] = append(g.deps[id], fields[2:]...)
	}
	return g, nil
}

// Importers returns pkgs and the packages that import one of them,
// directly or not, tests included, sorted; and, of those, the ones with
// non-test Go files (the ones "go build" accepts).
func (g *Graph) Importers(pkgs []string) (all, buildable []string) {
	want := map[string]bool{}
	for _, p := range pkgs {
		want[p] = true
	}
	all = slices.Clone(pkgs)
	for id, deps := range g.deps {
		if slices.ContainsFunc(deps, func(d string) bool { return want[basePath(d)] }) {
			all = append(all, id)
		}
	}
	slices.Sort(all)
	all = slices.Compact(all)
	for _, p := range all {
		if g.hasGo[p] {
			buildable = append(buildable, p)
		}
	}
	return all, buildable
}

// basePath turns a test variant id ("p [p.test]", "p.test", "p_test")
// into the package's import path.
func basePath(id string) string {
	id, _, _ = strings.Cut(id, " ")
	id = strings.TrimSuffix(id, ".test")
	return strings.TrimSuffix(id, "_test")
}

// PackagesOf returns the import paths of the packages in dirs (relative to
// the module root, "./a/b").
func (r *Runner) PackagesOf(ctx context.Context, dirs []string) ([]string, error) {
	res := r.Run(ctx, append([]string{"list", "-e", "-f", "{{.ImportPath}}"}, dirs...)...)
	if res.Err != nil {
		return nil, fmt.Errorf("%w\n%s", res.Err, res.Tail(10))
	}
	return strings.Fields(string(res.Output)), nil
}
