package rewrite

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/packages"

	"github.com/migrate-tool/migrate/rules"
)

// candidate is a Go file that imports a path the rules touch.
type candidate struct {
	path    string   // absolute
	pkgPath string   // import path of its package (without test suffix)
	dirPkg  string   // name of the package go list put it in
	pkgName string   // name in its own package clause
	imports []string // import paths of the file
	cgo     bool     // imports "C"
}

// adhoc reports whether the file is not part of its directory's package:
// a "//go:build ignore" program beside a library, say. It is loaded on its
// own, as "go run FILE" would.
func (c *candidate) adhoc() bool {
	return c.pkgName != c.dirPkg && c.pkgName != c.dirPkg+"_test"
}

// listed is what go list says of a file: its package's path and name.
type listed struct{ pkgPath, name string }

// listFiles returns every Go file of the packages matching the patterns,
// test files and files excluded by build constraints included, with the
// import path of its package. It runs only "go list".
func listFiles(ctx context.Context, mod *Module, dir string, patterns []string, env []string) (map[string]listed, error) {
	cfg := &packages.Config{
		Context: ctx,
		Mode:    packages.NeedName | packages.NeedFiles,
		Dir:     dir,
		Tests:   true,
		Env:     env,
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, fmt.Errorf("list packages: %w", err)
	}
	files := map[string]listed{}
	for _, p := range pkgs {
		if strings.HasSuffix(p.ID, ".test") {
			continue
		}
		if err := listError(p); err != nil {
			return nil, err
		}
		for _, f := range slices.Concat(p.GoFiles, p.IgnoredFiles) {
			if strings.HasSuffix(f, ".go") && inScope(mod, f) {
				files[f] = listed{pkgPath: strings.TrimSuffix(p.PkgPath, "_test"), name: p.Name}
			}
		}
	}
	return files, nil
}

// listError turns the errors go list reports for a pattern into an error,
// ignoring the ones that only mean "nothing to build in this
// configuration".
func listError(p *packages.Package) error {
	for _, e := range p.Errors {
		msg := e.Msg
		if strings.Contains(msg, "build constraints exclude all Go files") || strings.Contains(msg, "no Go files") {
			continue
		}
		if e.Kind == packages.ListError && (strings.Contains(msg, "cannot find") || strings.Contains(msg, "is not in std") ||
			strings.Contains(msg, "no required module") || strings.Contains(msg, "directory prefix") || strings.Contains(msg, "does not contain") || strings.Contains(msg, "matched no packages")) {
			return fmt.Errorf("list %s: %s", p.ID, msg)
		}
	}
	return nil
}

// inScope reports whether a file is one migrate may change: inside the
// module, and not under vendor/ or testdata/.
func inScope(mod *Module, path string) bool {
	rel := mod.rel(path)
	if strings.HasPrefix(rel, "../") {
		return false
	}
	for _, seg := range strings.Split(filepath.ToSlash(filepath.Dir(rel)), "/") {
		if seg == "vendor" || seg == "testdata" {
			return false
		}
	}
	return true
}

// scanned is the result of the cheap import scan.
type scanned struct {
	candidates []*candidate
	generated  []string // candidate files skipped as generated
	lineDirect []string // candidate files skipped for //line directives
}

// scanImports parses the imports of every file in parallel and keeps the
// ones importing a path in paths.
func scanImports(files map[string]listed, paths []string, includeGenerated bool, workers int) (*scanned, error) {
	names := make([]string, 0, len(files))
	for f := range files {
		names = append(names, f)
	}
	slices.Sort(names)
	results := make([]*scanResult, len(names))
	errs := make([]error, len(names))
	parallel(len(names), workers, func(i int) {
		results[i], errs[i] = scanFile(names[i], paths)
	})
	out := &scanned{}
	for i, r := range results {
		if errs[i] != nil {
			return nil, errs[i]
		}
		switch {
		case r == nil:
		case r.generated && !includeGenerated:
			out.generated = append(out.generated, names[i])
		case r.lineDirective:
			out.lineDirect = append(out.lineDirect, names[i])
		default:
			l := files[names[i]]
			out.candidates = append(out.candidates, &candidate{path: names[i], pkgPath: l.pkgPath, dirPkg: l.name, pkgName: r.pkgName, imports: r.imports, cgo: r.cgo})
		}
	}
	return out, nil
}

type scanResult struct {
	pkgName       string
	imports       []string
	cgo           bool
	generated     bool
	lineDirective bool
}

// scanFile reads the imports of one file; it returns nil when the file
// imports none of paths.
func scanFile(name string, paths []string) (*scanResult, error) {
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read %w", err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly|parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("parse %w", err)
	}
	r := &scanResult{pkgName: f.Name.Name}
	hit := false
	for _, spec := range f.Imports {
		p := rules.Unquote(spec.Path)
		r.imports = append(r.imports, p)
		r.cgo = r.cgo || p == "C"
		hit = hit || rules.MatchPath(p, paths)
	}
	if !hit {
		return nil, nil
	}
	r.generated = ast.IsGenerated(f)
	r.lineDirective = strings.Contains(string(src), "\n//line ")
	return r, nil
}

// parallel calls fn(0..n-1) on up to workers goroutines.
func parallel(n, workers int, fn func(i int)) {
	if workers < 1 {
		workers = 1
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(workers, n) {
		wg.Go(func() {
			for i := range next {
				fn(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
