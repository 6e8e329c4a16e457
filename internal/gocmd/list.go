package gocmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
)

// Graph is the import graph of the module's packages, tests included,
// with what each package holds that a check through -overlay cannot see.
type Graph struct {
	deps  map[string][]string // package (or test variant) -> its dependencies
	hasGo map[string]bool     // packages with non-test Go files
	pkgs  map[string]*Package // packages by import path
}

// Package is what Graph knows of one package of the module.
type Package struct {
	ImportPath string
	Dir        string
	// Cgo tells that the package has cgo files.
	Cgo bool
	// Embeds are the absolute paths of the files its //go:embed lines
	// (tests' included) embed.
	Embeds []string
	// TestFiles are the absolute paths of its _test.go files.
	TestFiles []string
}

// listed is the part of go list -json that Graph reads.
type listed struct {
	ImportPath, Dir                                   string
	GoFiles, CgoFiles, TestGoFiles, XTestGoFiles      []string
	EmbedFiles, TestEmbedFiles, XTestEmbedFiles, Deps []string
}

// Graph lists the module's packages with their dependencies.
func (r *Runner) Graph(ctx context.Context) (*Graph, error) {
	res := r.Run(ctx, "list", "-e", "-test", "-json=ImportPath,Dir,GoFiles,CgoFiles,TestGoFiles,XTestGoFiles,EmbedFiles,TestEmbedFiles,XTestEmbedFiles,Deps", "./...")
	if res.Err != nil {
		return nil, fmt.Errorf("%w\n%s", res.Err, res.Tail(10))
	}
	g := &Graph{deps: map[string][]string{}, hasGo: map[string]bool{}, pkgs: map[string]*Package{}}
	dec := json.NewDecoder(bytes.NewReader(res.Output))
	for {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list -json: %w", err)
		}
		id := basePath(p.ImportPath)
		// A test variant's id is "p [p.test]", the test main's "p.test";
		// the package itself is listed under its own path.
		if id == p.ImportPath {
			g.hasGo[id] = len(p.GoFiles) > 0
			g.pkgs[id] = p.facts()
		}
		g.deps[id] = append(g.deps[id], p.Deps...)
	}
	return g, nil
}

func (p *listed) facts() *Package {
	abs := func(names ...[]string) []string {
		var out []string
		for _, n := range slices.Concat(names...) {
			out = append(out, filepath.Join(p.Dir, n))
		}
		return out
	}
	return &Package{ImportPath: p.ImportPath, Dir: p.Dir, Cgo: len(p.CgoFiles) > 0,
		Embeds: abs(p.EmbedFiles, p.TestEmbedFiles, p.XTestEmbedFiles), TestFiles: abs(p.TestGoFiles, p.XTestGoFiles)}
}

// Package returns what the graph knows of the package at path, or nil.
func (g *Graph) Package(path string) *Package { return g.pkgs[path] }

// Packages returns the module's packages, sorted by import path.
func (g *Graph) Packages() []*Package {
	var out []*Package
	for _, k := range slices.Sorted(maps.Keys(g.pkgs)) {
		out = append(out, g.pkgs[k])
	}
	return out
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
