package rewrite

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/mod/modfile"
	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"

	"github.com/migrate-tool/migrate/internal/gocmd"
)

// The check type-checks the rewritten packages again. Loading them with
// go list would have the go command compile each changed package (and
// its test variants) for export data it never uses, which on a first run
// costs more than all the rest. When the rewrite changes only files the
// first load type-checked, and no module, the check runs in process
// instead: the packages holding a changed file, and every package of the
// first load that imports one, are type-checked again from source
// (function bodies only where errors are reported, as go/packages does),
// everything else is imported as the first load left it, and a package
// the rewritten files newly import (io, for io/ioutil) is read from its
// export data into the first load's packages. The result is what
// go/packages would have returned for the same roots (TestCheckInProcess
// compares them); any other case goes to go list (checkLoad).

// firstLoad is what the first load of one build configuration gave: its
// root packages, with their import graphs.
type firstLoad struct {
	roots []*packages.Package
	// stripped are the roots type-checked without some function bodies.
	stripped []*packages.Package
}

// checkInProcess returns the packages of patterns (their variants, as
// checkLoad returns them) type-checked with overlay, or ok false when the
// check has to load them with go list.
func (r *runner) checkInProcess(ctx context.Context, cfg config, patterns []string, overlay map[string][]byte, flags []string, mode packages.LoadMode) (pkgs []*packages.Package, ok bool) {
	fl := r.loads[cfg.key()]
	if fl == nil || r.opts.checkWithGoList || cfg.adhoc || len(r.opts.Overlay) > 0 || !r.overlayKnown(overlay) || !r.onlyAdds(flags) {
		return nil, false
	}
	g := newGraph(fl.roots)
	if !g.clean() {
		return nil, false
	}
	targets := g.targets(patterns)
	dirty := g.dirty(targets, overlay)
	for p := range dirty {
		if len(p.Syntax) != len(p.CompiledGoFiles) || p.Types == nil {
			return nil, false // loaded from export data, or partly: go list can do it
		}
	}
	extra, err := r.importsFromExport(ctx, cfg, g, overlay, flags)
	if err != nil {
		return nil, false
	}
	c := &rechecker{ctx: ctx, g: g, extra: extra, overlay: overlay, mode: mode, dirty: dirty, target: map[*packages.Package]bool{},
		futures: map[*packages.Package]*future{}, sem: make(chan struct{}, runtime.GOMAXPROCS(0))}
	for _, p := range targets {
		c.target[p] = true
	}
	pkgs = make([]*packages.Package, len(targets))
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, p := range targets {
		wg.Go(func() { pkgs[i], errs[i] = c.check(p) })
	}
	wg.Wait()
	if slices.ContainsFunc(errs, func(err error) bool { return err != nil }) {
		return nil, false
	}
	return pkgs, true
}

// overlayKnown reports whether every file of overlay is a changed file of
// a package the first load type-checked, or go.mod and go.sum as the
// check requires the added modules in them (see onlyAdds): not a file a
// rule adds.
func (r *runner) overlayKnown(overlay map[string][]byte) bool {
	known := map[string]bool{}
	for _, f := range r.res.Files {
		if f.Old != nil {
			known[f.Path] = true
		}
	}
	if q := r.res.Required; q != nil {
		known[filepath.Join(r.mod.Root, "go.mod")] = bytes.Equal(overlay[filepath.Join(r.mod.Root, "go.mod")], q.Mod)
		known[filepath.Join(r.mod.Root, "go.sum")] = true
	}
	for name := range overlay {
		if !known[name] {
			return false
		}
	}
	return true
}

// graph is the first load's packages, by ID and by import path.
type graph struct {
	roots []*packages.Package
	all   []*packages.Package
	// plain are the packages that are no test variant, by import path:
	// what a file's new import resolves to.
	plain map[string]*packages.Package
	// importers lists, for each package, the packages importing it.
	importers map[*packages.Package][]*packages.Package
}

func newGraph(roots []*packages.Package) *graph {
	g := &graph{roots: roots, plain: map[string]*packages.Package{}, importers: map[*packages.Package][]*packages.Package{}}
	packages.Visit(roots, nil, func(p *packages.Package) {
		g.all = append(g.all, p)
		if p.ID == p.PkgPath {
			g.plain[p.PkgPath] = p
		}
		for _, imp := range p.Imports {
			g.importers[imp] = append(g.importers[imp], p)
		}
	})
	return g
}

// clean reports whether the first load had no error that go list gave
// (those depend on the files' contents in ways the type checker cannot
// tell: a missing module, a compile error of a dependency).
func (g *graph) clean() bool {
	for _, p := range g.all {
		for _, e := range p.Errors {
			if e.Kind != packages.TypeError && e.Kind != packages.ParseError {
				return false
			}
		}
	}
	return true
}

// targets returns the roots that go list would return for patterns (the
// packages of those import paths with their test variants), in the order
// of the first load.
func (g *graph) targets(patterns []string) []*packages.Package {
	var out []*packages.Package
	for _, p := range g.roots {
		if strings.HasSuffix(p.ID, ".test") {
			continue
		}
		if slices.Contains(patterns, p.PkgPath) || slices.Contains(patterns, strings.TrimSuffix(p.PkgPath, "_test")) && p.ID != p.PkgPath {
			out = append(out, p)
		}
	}
	return out
}

// dirty returns the packages that must be type-checked again: the targets,
// the packages holding a file of overlay, and, transitively, the packages
// of the graph importing one of them.
func (g *graph) dirty(targets []*packages.Package, overlay map[string][]byte) map[*packages.Package]bool {
	dirty := map[*packages.Package]bool{}
	var mark func(p *packages.Package)
	mark = func(p *packages.Package) {
		if dirty[p] {
			return
		}
		dirty[p] = true
		for _, imp := range g.importers[p] {
			mark(imp)
		}
	}
	for _, p := range targets {
		mark(p)
	}
	for _, p := range g.all {
		for _, f := range p.CompiledGoFiles {
			if _, ok := overlay[f]; ok {
				mark(p)
			}
		}
	}
	return dirty
}

// rechecker type-checks dirty packages again, each once, importing the
// others from the first load; packages whose imports are done are checked
// in parallel, at most GOMAXPROCS at a time.
type rechecker struct {
	ctx     context.Context
	g       *graph
	overlay map[string][]byte
	mode    packages.LoadMode
	dirty   map[*packages.Package]bool
	// extra are the packages the rewritten files import that the first
	// load has no types of, read from export data.
	extra map[string]*types.Package
	// target are the packages whose errors the check reports; the others
	// are checked without function bodies, as go/packages does.
	target map[*packages.Package]bool
	// futures are the checks started, by package; sem bounds the type
	// checks running at once.
	mu      sync.Mutex
	futures map[*packages.Package]*future
	sem     chan struct{}
}

// future is one package's check, done once.
type future struct {
	once sync.Once
	np   *packages.Package
	err  error
}

var errUnknownImport = fmt.Errorf("an import the first load did not have")

// check returns p type-checked again (dirty) or as it was.
func (c *rechecker) check(p *packages.Package) (*packages.Package, error) {
	if !c.dirty[p] {
		return p, nil
	}
	c.mu.Lock()
	f := c.futures[p]
	if f == nil {
		f = &future{}
		c.futures[p] = f
	}
	c.mu.Unlock()
	f.once.Do(func() { f.np, f.err = c.checkOne(p) })
	return f.np, f.err
}

// checkOne parses p's changed files, checks the dirty packages it imports
// (in parallel), then type-checks p.
func (c *rechecker) checkOne(p *packages.Package) (*packages.Package, error) {
	if err := c.ctx.Err(); err != nil {
		return nil, err
	}
	np := &packages.Package{ID: p.ID, Name: p.Name, PkgPath: p.PkgPath, Fset: p.Fset, GoFiles: p.GoFiles,
		CompiledGoFiles: p.CompiledGoFiles, Module: p.Module, TypesSizes: p.TypesSizes, Imports: p.Imports}
	addErr := func(e packages.Error) { np.Errors = append(np.Errors, e) }
	for i, name := range p.CompiledGoFiles {
		src, ok := c.overlay[name]
		if !ok {
			np.Syntax = append(np.Syntax, p.Syntax[i])
			continue
		}
		f, err := parser.ParseFile(p.Fset, name, src, parser.AllErrors|parser.SkipObjectResolution)
		var list scanner.ErrorList
		if asErrorList(err, &list) {
			for _, e := range list {
				addErr(packages.Error{Pos: e.Pos.String(), Msg: e.Msg, Kind: packages.ParseError})
			}
		} else if err != nil {
			return nil, err
		}
		if f != nil {
			np.Syntax = append(np.Syntax, f)
		}
	}
	deps, err := c.imports(p, np.Syntax)
	if err != nil {
		return nil, err
	}
	imp := importerFunc(func(path string) (*types.Package, error) {
		if path == "unsafe" {
			return types.Unsafe, nil
		}
		if tp := deps[path]; tp != nil {
			return tp, nil
		}
		return nil, errUnknownImport
	})
	np.Types = types.NewPackage(p.PkgPath, p.Name)
	if c.mode&packages.NeedTypesInfo != 0 {
		np.TypesInfo = newTypesInfo()
	}
	c.sem <- struct{}{}
	typeCheck(np, imp, c.target[p])
	<-c.sem
	return np, nil
}

// imports returns the packages files (p's, as rewritten) import, by path:
// a dirty one checked again, any other as the first load has it, or from
// extra. A dirty package p did not import before is a new edge of the
// graph, which could close a cycle: go list checks that (errUnknownImport).
func (c *rechecker) imports(p *packages.Package, files []*ast.File) (map[string]*types.Package, error) {
	out := map[string]*types.Package{}
	var dirty []string
	for _, f := range files {
		for _, spec := range f.Imports {
			path, err := strconv.Unquote(spec.Path.Value)
			if err != nil || path == "unsafe" || path == "C" || out[path] != nil || slices.Contains(dirty, path) {
				continue
			}
			dep := p.Imports[path]
			if dep == nil {
				if dep = c.g.plain[path]; dep != nil && c.dirty[dep] {
					return nil, errUnknownImport
				}
			}
			switch {
			case dep != nil && c.dirty[dep]:
				dirty = append(dirty, path)
			case dep != nil && dep.Types != nil && dep.Types.Complete():
				out[path] = dep.Types
			case c.extra[path] != nil:
				out[path] = c.extra[path]
			default:
				return nil, errUnknownImport
			}
		}
	}
	got := make([]*packages.Package, len(dirty))
	errs := make([]error, len(dirty))
	var wg sync.WaitGroup
	for i, path := range dirty {
		wg.Go(func() { got[i], errs[i] = c.check(p.Imports[path]) })
	}
	wg.Wait()
	for i, path := range dirty {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out[path] = got[i].Types
	}
	return out, nil
}

// newTypesInfo returns the type information go/packages records for a
// package checked from source.
func newTypesInfo() *types.Info {
	return &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{},
		Uses: map[*ast.Ident]types.Object{}, Implicits: map[ast.Node]types.Object{}, Instances: map[*ast.Ident]types.Instance{},
		Scopes: map[ast.Node]*types.Scope{}, Selections: map[*ast.SelectorExpr]*types.Selection{}, FileVersions: map[*ast.File]string{}}
}

// typeCheck type-checks p's Syntax into p.Types and p.TypesInfo as
// go/packages does (its module's go version; function bodies only with
// bodies), recording the errors as go/packages records them.
func typeCheck(p *packages.Package, imp types.Importer, bodies bool) {
	typeCheckFiles(p, p.Syntax, imp, bodies)
}

// typeCheckFiles is typeCheck of files in place of p.Syntax.
func typeCheckFiles(p *packages.Package, files []*ast.File, imp types.Importer, bodies bool) {
	tc := &types.Config{Importer: imp, Sizes: p.TypesSizes, IgnoreFuncBodies: !bodies, Error: func(err error) {
		if te, ok := err.(types.Error); ok {
			p.TypeErrors = append(p.TypeErrors, te)
			p.Errors = append(p.Errors, packages.Error{Pos: te.Fset.Position(te.Pos).String(), Msg: te.Msg, Kind: packages.TypeError})
		}
	}}
	if p.Module != nil && p.Module.GoVersion != "" {
		tc.GoVersion = "go" + p.Module.GoVersion
	}
	_ = types.NewChecker(tc, p.Fset, p.Types, p.TypesInfo).Files(files)
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

func asErrorList(err error, list *scanner.ErrorList) bool {
	l, ok := err.(scanner.ErrorList)
	if ok {
		*list = l
	}
	return ok
}

// onlyAdds reports whether the first load's packages are those the check
// would load with flags and the go.mod it requires the added modules in
// (Result.Required): no flags, or only -mod=readonly where the module
// vendors (the first load read vendor/, the check reads the module cache
// at the versions vendor/modules.txt records), and a go.mod that only
// adds requirements: every module required before at the same version,
// the same go and toolchain lines, replacements and exclusions. The new
// modules' packages are then read from export data (importsFromExport).
func (r *runner) onlyAdds(flags []string) bool {
	if len(flags) > 0 && !(r.goenv.Vendor() && slices.Equal(flags, []string{"-mod=readonly"})) {
		return false
	}
	q := r.res.Required
	if q == nil {
		return true
	}
	before, err := modfile.Parse("go.mod", r.res.GoMod, nil)
	if err != nil {
		return false
	}
	after, err := modfile.Parse("go.mod", q.Mod, nil)
	if err != nil {
		return false
	}
	return sameModuleSettings(before, after) && requiresKept(before, after)
}

// sameModuleSettings reports whether two go.mod files have the same go
// and toolchain lines, replacements, exclusions and godebug settings.
func sameModuleSettings(a, b *modfile.File) bool {
	goLine := func(f *modfile.File) string {
		if f.Go == nil {
			return ""
		}
		return f.Go.Version
	}
	toolchain := func(f *modfile.File) string {
		if f.Toolchain == nil {
			return ""
		}
		return f.Toolchain.Name
	}
	replace := func(f *modfile.File) []string {
		var out []string
		for _, r := range f.Replace {
			out = append(out, r.Old.String()+"=>"+r.New.String())
		}
		slices.Sort(out)
		return out
	}
	exclude := func(f *modfile.File) []string {
		var out []string
		for _, e := range f.Exclude {
			out = append(out, e.Mod.String())
		}
		slices.Sort(out)
		return out
	}
	godebug := func(f *modfile.File) []string {
		var out []string
		for _, d := range f.Godebug {
			out = append(out, d.Key+"="+d.Value)
		}
		slices.Sort(out)
		return out
	}
	return goLine(a) == goLine(b) && toolchain(a) == toolchain(b) && slices.Equal(replace(a), replace(b)) &&
		slices.Equal(exclude(a), exclude(b)) && slices.Equal(godebug(a), godebug(b))
}

// requiresKept reports whether b requires every module a requires, at
// the same version.
func requiresKept(a, b *modfile.File) bool {
	have := map[string]string{}
	for _, r := range b.Require {
		have[r.Mod.Path] = r.Mod.Version
	}
	for _, r := range a.Require {
		if v, ok := have[r.Mod.Path]; !ok || v != r.Mod.Version {
			return false
		}
	}
	return true
}

// importsFromExport reads the export data of the packages the files of
// overlay import that the first load has no types of (the rewrite made
// io/ioutil code import io, or go-redis v8 code import v9): into the
// packages of the first load, so that an object the first load saw
// through another package's export data keeps its identity. They are
// listed with flags and overlay's go.mod and go.sum, which require the
// modules the rule sets add.
func (r *runner) importsFromExport(ctx context.Context, cfg config, g *graph, overlay map[string][]byte, flags []string) (map[string]*types.Package, error) {
	var need []string
	for name, src := range overlay {
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		paths, err := importPaths(name, src)
		if err != nil {
			continue // the check reports it
		}
		for _, path := range paths {
			if path == "unsafe" || path == "C" || slices.Contains(need, path) {
				continue
			}
			if p := g.plain[path]; p == nil || p.Types == nil || !p.Types.Complete() {
				need = append(need, path)
			}
		}
	}
	if len(need) == 0 {
		return nil, nil
	}
	slices.Sort(need)
	buildFlags := append(cfg.buildFlags(), flags...)
	mods := map[string][]byte{}
	for _, name := range []string{"go.mod", "go.sum"} {
		if data, ok := overlay[filepath.Join(r.mod.Root, name)]; ok {
			mods[filepath.Join(r.mod.Root, name)] = data
		}
	}
	if len(mods) > 0 {
		file, cleanup, err := gocmd.WriteOverlay(mods)
		if err != nil {
			return nil, err
		}
		defer cleanup()
		buildFlags = append(buildFlags, "-overlay="+file)
	}
	pcfg := &packages.Config{Context: ctx, Mode: packages.NeedName | packages.NeedExportFile, Dir: r.mod.Root,
		Env: cfg.env(r.goenv.For(gocmd.Packages)), BuildFlags: buildFlags}
	pkgs, err := packages.Load(pcfg, need...)
	if err != nil {
		return nil, err
	}
	view := g.view()
	out := map[string]*types.Package{}
	for _, p := range pkgs {
		if len(p.Errors) > 0 || p.ExportFile == "" {
			return nil, fmt.Errorf("no export data for %s", p.PkgPath)
		}
		tp, err := readExport(g.fset(), view, p.PkgPath, p.ExportFile)
		if err != nil {
			return nil, err
		}
		out[p.PkgPath] = tp
	}
	return out, nil
}

// readExport reads the export data of package path from file into view.
func readExport(fset *token.FileSet, view map[string]*types.Package, path, file string) (*types.Package, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// go list -export names compiler archives, which go/packages reads
	// through NewReader too.
	rd, err := gcexportdata.NewReader(bufio.NewReader(f)) //lint:ignore SA1019 as go/packages does, until x/tools reads these files another way
	if err != nil {
		return nil, err
	}
	return gcexportdata.Read(rd, fset, view, path)
}

// view returns every package of the first load's type world, by path:
// the packages loaded, and those their types refer to.
func (g *graph) view() map[string]*types.Package {
	view := map[string]*types.Package{}
	var walk func(tp *types.Package)
	walk = func(tp *types.Package) {
		if tp == nil || view[tp.Path()] != nil {
			return
		}
		view[tp.Path()] = tp
		for _, imp := range tp.Imports() {
			walk(imp)
		}
	}
	for _, p := range g.all {
		if p.ID == p.PkgPath {
			walk(p.Types)
		}
	}
	return view
}

// fset is the file set of the first load.
func (g *graph) fset() *token.FileSet {
	for _, p := range g.all {
		if p.Fset != nil {
			return p.Fset
		}
	}
	return token.NewFileSet()
}
