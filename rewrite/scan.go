package rewrite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/migrate-tool/migrate/internal/gocmd"
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
	// indirect is set for a file that does not import an old path but
	// whose package depends on one: it may use the old API through values
	// of another package (s.Client.Get(k)).
	indirect bool
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
// import path of its package. It runs one "go list -find", which neither
// resolves dependencies nor builds test variants.
func listFiles(ctx context.Context, mod *Module, goc *gocmd.Runner, patterns []string) (map[string]listed, error) {
	pkgs, err := goListFind(ctx, goc, patterns)
	if err != nil {
		return nil, err
	}
	return filesOf(mod, goc.Dir, pkgs)
}

// filesOf returns the files of a go list -find listing (run in dir), as
// listFiles does.
func filesOf(mod *Module, dir string, pkgs []*listPackage) (map[string]listed, error) {
	files := map[string]listed{}
	add := func(p *listPackage, names []string, name string) {
		for _, f := range names {
			path := filepath.Join(p.Dir, f)
			if strings.HasSuffix(f, ".go") && inScope(mod, path) {
				files[path] = listed{pkgPath: p.ImportPath, name: name}
			}
		}
	}
	for _, p := range pkgs {
		if err := p.err(mod, dir); err != nil {
			return nil, err
		}
		add(p, slices.Concat(p.GoFiles, p.CgoFiles, p.IgnoredGoFiles, p.TestGoFiles), p.Name)
		add(p, p.XTestGoFiles, p.Name+"_test")
	}
	return files, nil
}

// listPackage is the part of "go list -json" output migrate reads.
type listPackage struct {
	ImportPath, Name, Dir                                        string
	GoFiles, CgoFiles, IgnoredGoFiles, TestGoFiles, XTestGoFiles []string
	Error                                                        *struct{ Pos, Err string }
}

// err turns the error go list reports for a pattern into an error, with
// its position relative to the module root, ignoring the ones that only
// mean "nothing to build in this configuration". dir is where go list ran.
func (p *listPackage) err(mod *Module, dir string) error {
	if p.Error == nil {
		return nil
	}
	msg := p.Error.Err
	if strings.Contains(msg, "build constraints exclude all Go files") || strings.Contains(msg, "no Go files") {
		return nil
	}
	if pos := p.Error.Pos; pos != "" {
		if !filepath.IsAbs(pos) {
			pos = filepath.Join(dir, pos)
		}
		msg = mod.rel(pos) + ": " + msg
	}
	if strings.Contains(msg, "illegal UTF-8") {
		msg += ": Go source files must be UTF-8; convert the file, then run migrate again"
	}
	return fmt.Errorf("list %s: %s", p.ImportPath, strings.TrimSpace(msg))
}

func goListFind(ctx context.Context, goc *gocmd.Runner, patterns []string) ([]*listPackage, error) {
	args := append([]string{"list", "-e", "-find", "-json=ImportPath,Name,Dir,GoFiles,CgoFiles,IgnoredGoFiles,TestGoFiles,XTestGoFiles,Error", "--"}, patterns...)
	stdout, stderr, err := goc.Output(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("list packages: %w", err)
	}
	if strings.Contains(stderr, "matched no packages") {
		return nil, fmt.Errorf("list packages: %s", firstLine(stderr))
	}
	var pkgs []*listPackage
	for dec := json.NewDecoder(bytes.NewReader(stdout)); dec.More(); {
		p := &listPackage{}
		if err := dec.Decode(p); err != nil {
			return nil, fmt.Errorf("list packages: %w", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(s), "go: "), "\n")
	return line
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
	generated  []skipped // candidate files skipped as generated
	lineDirect []string  // candidate files skipped for //line directives
	// imports are the import paths of every file scanned, by file.
	imports map[string][]string
	// sums are the SHA-256 of every file scanned, by file: what the keys
	// of Options.Cache are made of.
	sums map[string][32]byte
}

// fileImports are the files of a run with what the scan read of each.
type fileImports struct {
	files   map[string]listed
	names   []string // sorted
	results []*scanResult
}

// readImports parses the imports of every file in parallel: the cheap
// scan, which classify turns into the candidates.
func readImports(files map[string]listed, paths []string, workers int) (*fileImports, error) {
	fi, err := scanNames(slices.Collect(maps.Keys(files)), paths, workers)
	if err != nil {
		return nil, err
	}
	fi.files = files
	return fi, nil
}

// scanNames scans the files names in parallel, sorted and each once; the
// first error (in name order) stops it.
func scanNames(names []string, paths []string, workers int) (*fileImports, error) {
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	results := make([]*scanResult, len(names))
	errs := make([]error, len(names))
	parallel(len(names), workers, func(i int) {
		results[i], errs[i] = scanFile(names[i], paths)
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return &fileImports{names: names, results: results}, nil
}

// index returns the imports and the SHA-256 of each file.
func (fi *fileImports) index() (map[string][]string, map[string][32]byte) {
	imports, sums := map[string][]string{}, map[string][32]byte{}
	for i, r := range fi.results {
		imports[fi.names[i]] = r.imports
		sums[fi.names[i]] = r.sum
	}
	return imports, sums
}

// classify keeps the files importing a path the scan looked for, and every
// file of the packages in indirect.
func (fi *fileImports) classify(indirect map[string]bool, includeGenerated bool) *scanned {
	out := &scanned{}
	out.imports, out.sums = fi.index()
	for i, r := range fi.results {
		name := fi.names[i]
		l := fi.files[name]
		switch {
		case !r.hit && !indirect[l.pkgPath]:
		case !r.hit && (r.generated || r.lineDirective || r.cgo):
			// Not importing the old API, such a file would only be
			// reported; it is left alone.
		case r.generated && !includeGenerated:
			out.generated = append(out.generated, skipped{name, r.hitPos, r.hitPath})
		case r.lineDirective:
			out.lineDirect = append(out.lineDirect, name)
		default:
			out.candidates = append(out.candidates, &candidate{path: name, pkgPath: l.pkgPath, dirPkg: l.name,
				pkgName: r.pkgName, imports: r.imports, cgo: r.cgo, indirect: !r.hit})
		}
	}
	return out
}

// skipped is a file left alone, with the import that made it a candidate.
type skipped struct {
	path       string
	importPos  token.Position
	importPath string
}

type scanResult struct {
	hit           bool // imports one of the paths
	hitPos        token.Position
	hitPath       string
	pkgName       string
	imports       []string
	cgo           bool
	generated     bool
	lineDirective bool
	sum           [32]byte // SHA-256 of the content
}

// scanFile reads the imports of one file.
func scanFile(name string, paths []string) (*scanResult, error) {
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read %w", err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly|parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("parse %w", err)
	}
	r := &scanResult{pkgName: f.Name.Name, sum: sha256.Sum256(src)}
	for _, spec := range f.Imports {
		p := rules.Unquote(spec.Path)
		r.imports = append(r.imports, p)
		r.cgo = r.cgo || p == "C"
		if !r.hit && rules.MatchPath(p, paths) {
			r.hit, r.hitPath = true, p
			r.hitPos = fset.Position(spec.Pos())
		}
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

// dependents returns the packages matching the patterns (and their test
// variants) whose dependencies include one of paths, by import path.
func dependents(ctx context.Context, goc *gocmd.Runner, patterns, paths []string) (map[string]bool, error) {
	args := append([]string{"list", "-e", "-test", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", "--"}, patterns...)
	stdout, _, err := goc.Output(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("list dependencies: %w", err)
	}
	out := map[string]bool{}
	for _, line := range strings.Split(string(stdout), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		id, deps := fields[0], fields[1:]
		if len(deps) > 0 && strings.HasPrefix(deps[0], "[") { // "p [p.test]"
			deps = deps[1:]
		}
		if slices.ContainsFunc(deps, func(d string) bool { return rules.MatchPath(d, paths) }) {
			out[strings.TrimSuffix(strings.TrimSuffix(id, ".test"), "_test")] = true
		}
	}
	return out, nil
}
