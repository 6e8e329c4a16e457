package gocmd

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Importers returns the import paths of the packages of the module that
// import one of pkgs, directly or not, tests included, plus pkgs
// themselves, sorted; and, of those, the ones with non-test Go files
// (the ones "go build" accepts).
func (r *Runner) Importers(ctx context.Context, pkgs []string) (all, buildable []string, err error) {
	res := r.Run(ctx, "list", "-e", "-test", "-f", "{{.ImportPath}} {{len .GoFiles}}{{range .Deps}} {{.}}{{end}}", "./...")
	if res.Err != nil {
		return nil, nil, fmt.Errorf("%w\n%s", res.Err, res.Tail(10))
	}
	want := map[string]bool{}
	for _, p := range pkgs {
		want[p] = true
	}
	hasGo := map[string]bool{}
	all = slices.Clone(pkgs)
	for _, line := range strings.Split(string(res.Output), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		id := basePath(fields[0])
		if !strings.Contains(fields[0], " ") && fields[1] != "0" && fields[0] == id {
			hasGo[id] = true
		}
		if slices.ContainsFunc(fields[2:], func(d string) bool { return want[basePath(d)] }) {
			all = append(all, id)
		}
	}
	slices.Sort(all)
	all = slices.Compact(all)
	for _, p := range all {
		if hasGo[p] {
			buildable = append(buildable, p)
		}
	}
	return all, buildable, nil
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
