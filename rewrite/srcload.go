package rewrite

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/tools/go/packages"

	"github.com/migrate-tool/migrate/internal/gocmd"
)

// The first load asks for types of the candidates' packages (and their
// test variants), type-checked from source. go/packages gets them by
// running go list -export over the whole graph, which compiles every
// package it lists, the roots and their test variants included, though it
// then type-checks the roots from source anyway; on a first run that
// compile is most of the time. loadFromSource does the same load in two
// go list calls instead: one that lists the graph without compiling
// anything, and one that asks export data only of the packages the
// source-checked ones import. Where the graph is not plain (any error go
// list reports, cgo in a package checked from source, an overlay), it
// says so and the caller uses go/packages: the two give the same
// packages (TestLoadFromSource compares them on every golden case).

// listedPackage is what go list -json says of one package.
type listedPackage struct {
	ImportPath      string
	ForTest         string
	Name            string
	Dir             string
	Standard        bool
	DepOnly         bool
	GoFiles         []string
	CompiledGoFiles []string
	CgoFiles        []string
	SwigFiles       []string
	SwigCXXFiles    []string
	Imports         []string
	ImportMap       map[string]string
	Export          string
	Module          *packages.Module
	Error           *struct{ Err string }
	DepsErrors      []*struct{ Err string }
	// listedImports are the Imports go list gave without -compiled, which
	// types cache keys are computed from: compiledFiles adds the imports
	// of the files cgo makes.
	listedImports []string
}

// srcOptions says how loadFromSource loads.
type srcOptions struct {
	// types keeps the dependencies' export data; nil: go list -export
	// compiles them.
	types *typesCache
	// bodies are the files whose function bodies the type check of the
	// roots needs (the files the rules look at); nil: every file's. See
	// withoutBodies.
	bodies map[string]bool
	// prelisted is the go list started before the scan, or nil.
	prelisted *speculation
	// graph keeps the graph's go list between runs, or is nil.
	graph *graphCache
	// listing, if set, is told when the graph's go list starts and ends
	// (a stage of its own in --timings).
	listing func(done bool)
	// sums are SHA-256 of files already read this run (vendor/), for the
	// types cache keys; nil: none.
	sums map[string][32]byte
}

// srcLoaded is what loadFromSource loaded: the roots, as packages.Load
// returns them, and those of the roots type-checked without some of their
// files' function bodies. Their Syntax is whole; their TypesInfo covers
// the bodies of opts.bodies only, and their Errors leave out any in the
// other bodies (verifyBodies looks for those).
type srcLoaded struct {
	roots, stripped []*packages.Package
}

// loadFromSource loads patterns in pcfg (Tests set) as packages.Load does
// in loadMode, or returns ok false when it cannot do so exactly.
func loadFromSource(pcfg *packages.Config, patterns []string, opts srcOptions) (out srcLoaded, ok bool, err error) {
	if len(pcfg.Overlay) > 0 || !pcfg.Tests {
		return out, false, nil
	}
	// -compiled costs go list a build action a package (half its time on
	// a large graph), and only a package with cgo or SWIG files compiles
	// other files than its GoFiles. With a types cache, those few are
	// listed again with -compiled when their files are needed
	// (compiledFiles); without, their export data comes from go list.
	compiled := opts.types == nil
	l := &srcLoader{cfg: pcfg, byID: map[string]*listedPackage{}, pkgs: map[string]*packages.Package{}, tc: opts.types, bodies: opts.bodies, stripped: map[string]bool{}, read: opts.sums}
	if err := l.goEnv(); err != nil {
		return out, false, err
	}
	listed, roots, err := l.list(opts, patterns, compiled)
	if err != nil {
		return out, false, err
	}
	for _, lp := range listed {
		lp.GoFiles, lp.CompiledGoFiles = absFiles(lp.Dir, lp.GoFiles), absFiles(lp.Dir, lp.CompiledGoFiles)
		if !compiled && !lp.preprocessed() {
			lp.CompiledGoFiles = lp.GoFiles
		}
		lp.listedImports = lp.Imports
		l.byID[lp.ImportPath] = lp
	}
	if !l.listedClean(roots) {
		return out, false, nil
	}
	if !l.markSource(roots) {
		return out, false, nil
	}
	if l.tc != nil {
		if ok, err := l.loadWithCache(); !ok || err != nil {
			return out, false, err
		}
	} else {
		if !l.readExports() {
			return out, false, nil
		}
		if err := l.check(); err != nil {
			return out, false, err
		}
	}
	for id, src := range l.source {
		if src && len(l.pkgs[id].Errors) > 0 {
			// go list -export would also have compiled it and said so in
			// its own words, which the engine's messages use: let
			// go/packages load what does not build.
			return out, false, nil
		}
	}
	for _, id := range roots {
		out.roots = append(out.roots, l.pkgs[id])
		if l.stripped[id] {
			out.stripped = append(out.stripped, l.pkgs[id])
		}
	}
	return out, true, nil
}

// list returns the import graph of patterns (go list -deps -test) and the
// IDs of its roots: kept from an earlier run (graphCache), listed early
// (speculation), or listed now, and kept.
func (l *srcLoader) list(opts srcOptions, patterns []string, compiled bool) ([]*listedPackage, []string, error) {
	key := ""
	if !compiled {
		key = l.graphKey(opts.graph, patterns)
	}
	if listed, roots, ok := opts.graph.get(key, patterns); ok {
		return listed, roots, nil
	}
	if !compiled {
		// A speculative listing is not kept: it may predate the scan the
		// key was computed from. The next run lists the graph after its
		// scan and keeps it.
		if listed, roots, ok := opts.prelisted.covering(patterns); ok {
			opts.graph.mark(key != "")
			return listed, roots, nil
		}
	}
	if opts.listing != nil {
		opts.listing(false)
	}
	raw, err := goListRaw(l.cfg, append([]string{"-compiled=" + strconv.FormatBool(compiled), "-test=true", "-deps=true"}, patterns...))
	if opts.listing != nil {
		opts.listing(true)
	}
	if err != nil {
		return nil, nil, err
	}
	listed, err := decodeListed(raw)
	if err != nil {
		return nil, nil, err
	}
	opts.graph.put(key, listed, raw)
	return listed, rootIDs(listed), nil
}

// goList runs go list -e -json with args in pcfg's directory and
// environment and decodes its packages.
func goList(pcfg *packages.Config, args []string) ([]*listedPackage, error) {
	data, err := goListRaw(pcfg, args)
	if err != nil {
		return nil, err
	}
	return decodeListed(data)
}

// goListRaw runs go list -e -json with args and returns its output.
func goListRaw(pcfg *packages.Config, args []string) ([]byte, error) {
	argv := append([]string{"list", "-e", "-json=ImportPath,ForTest,Name,Dir,Standard,DepOnly,GoFiles,CompiledGoFiles,CgoFiles,SwigFiles,SwigCXXFiles,Imports,ImportMap,Export,Module,Error,DepsErrors", "-pgo=off"},
		pcfg.BuildFlags...)
	argv = append(argv, args...)
	cmd := exec.CommandContext(pcfg.Context, "go", argv...)
	cmd.Dir, cmd.Env = pcfg.Dir, gocmd.InDir(pcfg.Env, pcfg.Dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// decodeListed decodes go list -json output.
func decodeListed(data []byte) ([]*listedPackage, error) {
	var out []*listedPackage
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		lp := new(listedPackage)
		if err := dec.Decode(lp); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("go list: %v", err)
		}
		out = append(out, lp)
	}
}

// preprocessed reports whether the go command compiles other files of lp
// than its GoFiles (cgo, SWIG): its CompiledGoFiles need go list
// -compiled.
func (lp *listedPackage) preprocessed() bool {
	return len(lp.CgoFiles)+len(lp.SwigFiles)+len(lp.SwigCXXFiles) > 0
}

// compiledFiles fills in the CompiledGoFiles of the packages ids, listed
// without -compiled, with one go list -compiled, or reports false.
func (l *srcLoader) compiledFiles(ids []string) bool {
	if len(ids) == 0 {
		return true
	}
	listed, err := goList(l.cfg, append([]string{"-compiled=true"}, slices.Sorted(slices.Values(ids))...))
	if err != nil {
		return false
	}
	for _, lp := range listed {
		if first := l.byID[lp.ImportPath]; first != nil && lp.Error == nil {
			first.CompiledGoFiles = absFiles(lp.Dir, lp.CompiledGoFiles)
			first.Imports, first.ImportMap = lp.Imports, lp.ImportMap
		}
	}
	for _, id := range ids {
		lp := l.byID[id]
		if len(lp.CompiledGoFiles) == 0 || slices.ContainsFunc(lp.Imports, func(imp string) bool { return l.byID[imp] == nil && imp != "C" && imp != "unsafe" }) {
			return false // a file cgo makes imports a package not listed
		}
	}
	return true
}

// srcLoader is one loadFromSource.
type srcLoader struct {
	cfg  *packages.Config
	byID map[string]*listedPackage
	// source are the IDs of the packages type-checked from source: the
	// roots, and the packages between two of them.
	source map[string]bool
	roots  map[string]bool
	// pkgs are the packages made, by ID.
	pkgs map[string]*packages.Package
	// view holds every types.Package made, by path, for the export data
	// readers, which add to it.
	view map[string]*types.Package
	fset *token.FileSet
	// tc keeps the export data of dependencies type-checked from source;
	// nil: go list -export gives it.
	tc *typesCache
	// goarch and modcache are the go command's GOARCH and GOMODCACHE.
	goarch, modcache string
	// sums are the SHA-256 of the files a types cache key was computed
	// from, by name; changed the files whose content differed when they
	// were parsed (storeDep).
	sums, changed sync.Map
	// parsed are the files parsed, by name: a package and its test
	// variant share their files' syntax, as with go/packages.
	parsed sync.Map // string -> *parsed
	// bodies is srcOptions.bodies; stripped are the IDs of the roots
	// checked without some function bodies (written before inOrder's
	// goroutines end, read after).
	bodies   map[string]bool
	stripped map[string]bool
	mu       sync.Mutex
	// read is srcOptions.sums.
	read map[string][32]byte
}

type parsed struct {
	once sync.Once
	f    *ast.File
	err  error
}

// parse parses the file name once, with the configuration's ParseFile.
// Only the files of packages checked from source are kept (keep), for
// their test variants: a dependency's syntax is dropped once checked.
func (l *srcLoader) parse(name string, keep bool) (*ast.File, error) {
	if !keep {
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: name, Err: err}
		}
		if sum, ok := l.sums.Load(name); ok && sum.([32]byte) != sha256.Sum256(src) {
			l.changed.Store(name, true)
		}
		// Declarations are all a dependency's check needs: no comments,
		// and not through the configuration's ParseFile, which keeps the
		// sources of the files the rules rewrite.
		return parser.ParseFile(l.fset, name, src, parser.SkipObjectResolution)
	}
	v, _ := l.parsed.LoadOrStore(name, &parsed{})
	pf := v.(*parsed)
	pf.once.Do(func() { pf.f, pf.err = l.readParse(name) })
	return pf.f, pf.err
}

func (l *srcLoader) readParse(name string) (*ast.File, error) {
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, &os.PathError{Op: "read", Path: name, Err: err}
	}
	return l.cfg.ParseFile(l.fset, name, src)
}

// listedClean reports whether go list gave no error for the packages
// the roots need: the roots, their test mains and everything they import.
// (A speculative listing may hold other roots, which do not count.)
func (l *srcLoader) listedClean(roots []string) bool {
	seen := map[string]bool{}
	var visit func(id string) bool
	visit = func(id string) bool {
		if seen[id] || id == "C" || id == "unsafe" {
			return true
		}
		seen[id] = true
		lp := l.byID[id]
		if lp == nil {
			return strings.HasSuffix(id, ".test") // a test main not listed: nothing to check
		}
		if lp.Error != nil || len(lp.DepsErrors) > 0 {
			return false
		}
		for _, imp := range lp.Imports {
			if !visit(imp) {
				return false
			}
		}
		return true
	}
	for _, id := range roots {
		base, _, _ := strings.Cut(id, " ")
		if !visit(id) || !visit(strings.TrimSuffix(base, "_test")+".test") {
			return false
		}
	}
	return true
}

// rootIDs returns the IDs go/packages would return as its roots: the
// packages the patterns matched and their test variants, in go list's
// order (test mains left out; the engine never looks at them).
func rootIDs(listed []*listedPackage) []string {
	var ids []string
	for _, lp := range listed {
		if !lp.DepOnly && !strings.HasSuffix(lp.ImportPath, ".test") {
			ids = append(ids, lp.ImportPath)
		}
	}
	return ids
}

// markSource finds the packages to type-check from source: the roots,
// and every package between two of them (it imports one, and is imported
// by one), whose export data would make a second copy of a root's types.
// It reports false for a graph it cannot load exactly: cgo in a package
// checked from source, or an import go list did not list.
func (l *srcLoader) markSource(roots []string) bool {
	l.source, l.roots = map[string]bool{}, map[string]bool{}
	for _, id := range roots {
		l.roots[id] = true
	}
	state := map[string]int{} // 1 visiting, 2 done
	ok := true
	var visit func(id string) bool
	visit = func(id string) bool {
		if state[id] != 0 {
			return l.source[id]
		}
		state[id] = 1
		lp := l.byID[id]
		if lp == nil {
			ok = false
			return false
		}
		src := l.roots[id]
		for _, imp := range lp.Imports {
			if imp == "C" || imp == "unsafe" {
				continue
			}
			if visit(imp) {
				src = true
			}
		}
		l.source[id] = src
		state[id] = 2
		return src
	}
	for _, id := range roots {
		visit(id)
	}
	for id := range l.source {
		if l.source[id] && len(l.byID[id].CgoFiles) > 0 {
			return false
		}
	}
	return ok
}

// readExports reads the export data of the packages that the ones
// checked from source import and that are not checked from source
// themselves, asking go list to build only those (and what they need).
func (l *srcLoader) readExports() bool {
	need := map[string]bool{}
	for id, src := range l.source {
		if !src {
			continue
		}
		for _, imp := range l.byID[id].Imports {
			if imp != "C" && imp != "unsafe" && !l.source[imp] {
				need[imp] = true
			}
		}
	}
	l.fset = token.NewFileSet()
	l.view = map[string]*types.Package{}
	if len(need) == 0 {
		return true
	}
	listed, err := goList(l.cfg, append([]string{"-export=true"}, slices.Sorted(maps.Keys(need))...))
	if err != nil {
		return false
	}
	for _, lp := range listed {
		if lp.Error != nil || lp.Export == "" || !need[lp.ImportPath] {
			return false
		}
		tp, err := readExport(l.fset, l.view, lp.ImportPath, lp.Export)
		if err != nil {
			return false
		}
		first := l.byID[lp.ImportPath]
		l.pkgs[lp.ImportPath] = &packages.Package{ID: lp.ImportPath, Name: lp.Name, PkgPath: lp.ImportPath,
			Types: tp, Fset: l.fset, Module: lp.Module, GoFiles: first.GoFiles, CompiledGoFiles: first.CompiledGoFiles}
		delete(need, lp.ImportPath)
	}
	return len(need) == 0
}

// check type-checks the source packages, each once its imports are,
// in parallel.
func (l *srcLoader) check() error {
	sizes := types.SizesFor("gc", l.goarch)
	var ids []string
	for id, src := range l.source {
		if src {
			ids = append(ids, id)
			l.pkgs[id] = l.newPackage(l.byID[id], sizes)
		}
	}
	l.inOrder(ids, l.checkOne)
	return l.cfg.Context.Err()
}

// inOrder calls work for each of ids, in parallel but at most GOMAXPROCS
// at a time, each once work has returned for those of ids it imports.
func (l *srcLoader) inOrder(ids []string, work func(id string)) {
	slices.Sort(ids)
	done := map[string]chan struct{}{}
	for _, id := range ids {
		done[id] = make(chan struct{})
	}
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			defer close(done[id])
			for _, imp := range l.byID[id].Imports {
				if ch := done[imp]; ch != nil {
					<-ch
				}
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			work(id)
		})
	}
	wg.Wait()
}

// goEnv reads the go command's GOARCH (for the type sizes, as go/packages
// computes them) and GOMODCACHE.
func (l *srcLoader) goEnv() error {
	cmd := exec.CommandContext(l.cfg.Context, "go", "env", "GOARCH", "GOMODCACHE")
	cmd.Dir, cmd.Env = l.cfg.Dir, gocmd.InDir(l.cfg.Env, l.cfg.Dir)
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("go env GOARCH GOMODCACHE: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		return fmt.Errorf("go env GOARCH GOMODCACHE: unexpected output %q", out)
	}
	l.goarch, l.modcache = lines[0], lines[1]
	return nil
}

func (l *srcLoader) newPackage(lp *listedPackage, sizes types.Sizes) *packages.Package {
	pkgPath, _, _ := strings.Cut(lp.ImportPath, " ")
	return &packages.Package{ID: lp.ImportPath, Name: lp.Name, PkgPath: pkgPath, GoFiles: lp.GoFiles,
		CompiledGoFiles: lp.CompiledGoFiles, Module: lp.Module, Fset: l.fset, TypesSizes: sizes,
		Types: types.NewPackage(pkgPath, lp.Name), Imports: map[string]*packages.Package{}}
}

// checkOne parses and type-checks one source package.
func (l *srcLoader) checkOne(id string) {
	lp, p := l.byID[id], l.pkgs[id]
	for _, imp := range lp.Imports {
		if imp != "C" && imp != "unsafe" {
			p.Imports[l.importPathOf(lp, imp)] = l.pkgs[imp]
		}
	}
	addErr := func(e packages.Error) { p.Errors = append(p.Errors, e) }
	var checked []*ast.File // p.Syntax, some without their function bodies
	stripped := map[string]bool{}
	for _, name := range p.CompiledGoFiles {
		f, err := l.parse(name, l.source[id])
		if list, ok := err.(scanner.ErrorList); ok {
			for _, e := range list {
				addErr(packages.Error{Pos: e.Pos.String(), Msg: e.Msg, Kind: packages.ParseError})
			}
		} else if pe, ok := err.(*os.PathError); ok {
			addErr(packages.Error{Pos: pe.Path + ":1", Msg: pe.Err.Error(), Kind: packages.ParseError})
		} else if err != nil {
			addErr(packages.Error{Pos: "-", Msg: err.Error(), Kind: packages.UnknownError})
		}
		if f == nil {
			continue
		}
		p.Syntax = append(p.Syntax, f)
		if l.roots[id] && !l.needsBodies(id, name) {
			stripped[name] = true
			f = withoutBodies(f)
		}
		checked = append(checked, f)
	}
	if len(stripped) > 0 {
		l.mu.Lock()
		l.stripped[id] = true
		l.mu.Unlock()
	}
	if l.source[id] {
		p.TypesInfo = newTypesInfo()
	} else {
		p.TypesInfo = nil // a dependency checked from source: its declarations only
	}
	imp := importerFunc(func(path string) (*types.Package, error) {
		if path == "unsafe" {
			return types.Unsafe, nil
		}
		dep := p.Imports[path]
		if dep == nil || dep.Types == nil {
			return nil, fmt.Errorf("no metadata for %s", path)
		}
		return dep.Types, nil
	})
	typeCheckFiles(p, checked, imp, l.roots[id])
	if len(stripped) > 0 {
		dropUnusedImports(p, stripped)
	}
	p.IllTyped = len(p.Errors) > 0
}

// needsBodies reports whether the type check of root package id needs the
// function bodies of its file name: every file's without srcOptions.bodies;
// else those of the files of bodies that the engine takes from this
// variant of the package (loadTyped: a non-test file from the plain
// package, a test file from its test variant).
func (l *srcLoader) needsBodies(id, name string) bool {
	if l.bodies == nil {
		return true
	}
	if !l.bodies[name] {
		return false
	}
	lp := l.byID[id]
	if lp.ForTest == "" || strings.HasSuffix(lp.Name, "_test") {
		return true
	}
	plain := l.byID[lp.ForTest]
	return plain == nil || !slices.Contains(plain.CompiledGoFiles, name)
}

// importPathOf returns the path lp's source imports the package id by.
func (l *srcLoader) importPathOf(lp *listedPackage, id string) string {
	for path, to := range lp.ImportMap {
		if to == id {
			return path
		}
	}
	return id
}

// absFiles makes go list's file names absolute, as go/packages does.
func absFiles(dir string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		if !filepath.IsAbs(n) {
			n = filepath.Join(dir, n)
		}
		out[i] = n
	}
	return out
}
