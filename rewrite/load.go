package rewrite

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/packages"

	"github.com/migrate-tool/migrate/internal/gocmd"
	"github.com/migrate-tool/migrate/rules"
)

// typedFile is a candidate file with the package it was type-checked in.
type typedFile struct {
	*candidate
	// pkg is the loaded package; nil for a package the caller
	// type-checked (RewritePackage).
	pkg *packages.Package
	// unit is the package's syntax and type information, which the rules
	// and their facts see.
	unit   *rules.Package
	syntax *ast.File
	// src is the content syntax was parsed from: the file as it was
	// read, which the write later expects to find on disk.
	src    []byte
	config config
}

const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
	packages.NeedImports | packages.NeedTypes | packages.NeedTypesSizes |
	packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedModule

// loadHow says how loadTyped loads: with go/packages only (tests), and
// where loadFromSource keeps its dependencies' types (nil: go list
// -export compiles them).
type loadHow struct {
	goPackages bool
	types      *typesCache
	// someBodies lets the roots be type-checked with the function bodies
	// of the candidates only (srcOptions.bodies).
	someBodies bool
	// prelisted is the go list started before the scan, or nil.
	prelisted *speculation
	// graph keeps the graph's go list between runs, or is nil.
	graph *graphCache
	// listing is srcOptions.listing.
	listing func(done bool)
	// sums is srcOptions.sums.
	sums map[string][32]byte
}

// loaded is what one loadTyped covered.
type loaded struct {
	files []*typedFile
	// roots are the packages loaded, with their import graphs: the check
	// type-checks the rewrite against them (checkInProcess).
	roots []*packages.Package
	// stripped are the roots type-checked without some function bodies
	// (srcLoaded).
	stripped []*packages.Package
	typed    int // packages type-checked from source
	// warnings are the errors of the packages loaded with errors (with
	// allowErrors), one a package.
	warnings []string
	// broken are the packages that do not type-check (without
	// allowErrors), with the candidates they hold, which are left as they
	// are.
	broken []*brokenPackage
}

// loadTyped type-checks the packages of the candidates in one build
// configuration and returns the candidates it covered. Each file is taken
// from one package variant only: the plain package for its non-test files,
// the test variant for its test files. A package that does not type-check
// is listed (broken) and its files are left out, unless pol allows its
// errors; a module that cannot load its dependencies (a missing go.sum
// entry) is an error.
func loadTyped(ctx context.Context, mod *Module, cands []*candidate, cfg config, env []string, pol errorPolicy, how loadHow) (*loaded, error) {
	byPath := map[string]*candidate{}
	srcs := &sources{byName: map[string][]byte{}}
	var patterns []string
	for _, c := range cands {
		if c.adhoc() != cfg.adhoc {
			continue
		}
		byPath[c.path] = c
		pat := c.pkgPath
		if c.adhoc() {
			pat = c.path
		}
		if !slices.Contains(patterns, pat) {
			patterns = append(patterns, pat)
		}
	}
	out := &loaded{}
	if len(patterns) == 0 {
		return out, nil
	}
	pcfg := &packages.Config{
		Context:    ctx,
		Mode:       loadMode,
		Dir:        mod.Root,
		Tests:      !cfg.adhoc,
		Env:        cfg.env(env),
		BuildFlags: cfg.buildFlags(),
		ParseFile:  srcs.parse,
	}
	var pkgs []*packages.Package
	ok := false
	if !cfg.adhoc && !how.goPackages {
		opts := srcOptions{types: how.types, prelisted: how.prelisted, graph: how.graph, listing: how.listing, sums: how.sums}
		if how.someBodies {
			opts.bodies = map[string]bool{}
			for name := range byPath {
				opts.bodies[name] = true
			}
		}
		src, srcOK, err := loadFromSource(pcfg, patterns, opts)
		if err != nil {
			return nil, fmt.Errorf("load packages: %s", gocmd.OneLine(err.Error(), err))
		}
		pkgs, out.stripped, ok = src.roots, src.stripped, srcOK
	}
	if !ok {
		var err error
		if pkgs, err = loadEach(pcfg, patterns, cfg.adhoc); err != nil {
			return nil, fmt.Errorf("load packages: %s", gocmd.OneLine(err.Error(), err))
		}
	}
	sortVariants(pkgs)
	out.roots = pkgs
	// Count every package type-checked from source: the roots, and the
	// packages between two roots, which go/packages must check from source
	// too.
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		if p.TypesInfo != nil {
			out.typed++
		}
	})
	for _, p := range pkgs {
		if strings.HasSuffix(p.ID, ".test") || p.Types == nil {
			continue
		}
		if err := out.take(p, mod, cfg, byPath, srcs, pol); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// take adds the candidates p holds, or lists p as broken if it does not
// type-check.
func (l *loaded) take(p *packages.Package, mod *Module, cfg config, byPath map[string]*candidate, srcs *sources, pol errorPolicy) error {
	var files []*typedFile
	unit := &rules.Package{Fset: p.Fset, Types: p.Types, Info: p.TypesInfo, Syntax: p.Syntax, Module: mod.Path}
	for i, f := range p.Syntax {
		name := compiledName(p, i)
		if c := byPath[name]; c != nil && !c.cgo {
			files = append(files, &typedFile{candidate: c, pkg: p, unit: unit, syntax: f, config: cfg})
		}
	}
	if len(files) == 0 {
		return nil
	}
	if len(p.Errors) > 0 {
		_, fix := importCauses(p)
		first := firstError(p, mod)
		switch {
		case pol.allow:
			msg := strings.TrimSuffix(packageError(p, mod).Error(), ": fix the package so that it builds, then run migrate again")
			l.warnings = appendUnique(l.warnings, msg+" (reported with partial type information)")
		case pol.crossingsOnly(p):
			l.warnings = appendUnique(l.warnings, crossingWarning(p, mod))
		case cfg.isDefault() && (fix != "" || first == ""):
			// Not the package's own fault (no package of the module loads
			// without a go.sum entry), or nothing to point at: stop.
			return packageError(p, mod)
		default:
			if first == "" {
				first = packageError(p, mod).Error()
			}
			l.broken = append(l.broken, newBrokenPackage(p, mod, cfg, first, files))
			for _, tf := range files {
				delete(byPath, tf.path)
			}
			return nil
		}
	}
	for _, tf := range files {
		src, err := srcs.get(tf.path)
		if err != nil {
			return err
		}
		tf.src = src
		delete(byPath, tf.path)
		l.files = append(l.files, tf)
	}
	return nil
}

// loadEach loads the patterns together, or one by one for single files,
// which go list would otherwise put in one package.
// sources keeps the bytes go/packages parsed each file from, so that the
// rewrite starts from exactly the content its syntax tree describes: a
// file saved while the packages load is then refused at write time,
// never overwritten with a rewrite of its older content.
type sources struct {
	mu     sync.Mutex
	byName map[string][]byte
	reread map[string]bool // files parsed twice with different contents
}

// parse is the ParseFile of packages.Config: go/packages' own parse,
// recording src.
func (s *sources) parse(fset *token.FileSet, name string, src []byte) (*ast.File, error) {
	s.mu.Lock()
	if old, ok := s.byName[name]; ok && !bytes.Equal(old, src) {
		if s.reread == nil {
			s.reread = map[string]bool{}
		}
		s.reread[name] = true
	} else if !ok {
		s.byName[name] = src
	}
	s.mu.Unlock()
	return parser.ParseFile(fset, name, lfOnly(src), parser.AllErrors|parser.ParseComments)
}

// lfOnly returns src with its CRLF line endings turned into LF. dst finds
// empty lines by looking one byte past a line break, so in a CRLF file it
// would see none and print the file without them. The change keeps the
// code's meaning (the compiler drops carriage returns from raw strings;
// other literals cannot hold one) and every line and column; the ending
// of each line is put back when the file is rendered.
func lfOnly(src []byte) []byte {
	if !bytes.Contains(src, []byte("\r\n")) {
		return src
	}
	return bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
}

// get returns the content file name was parsed from.
func (s *sources) get(name string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	src, ok := s.byName[name]
	switch {
	case !ok:
		return nil, fmt.Errorf("load %s: the loader parsed no source for it; this is a bug in migrate", name)
	case s.reread[name]:
		return nil, fmt.Errorf("load %s: the file changed while the packages were loading; save your edits and run migrate again", name)
	}
	return src, nil
}

func loadEach(cfg *packages.Config, patterns []string, oneByOne bool) ([]*packages.Package, error) {
	if !oneByOne {
		return packages.Load(cfg, patterns...)
	}
	var all []*packages.Package
	for _, p := range patterns {
		pkgs, err := packages.Load(cfg, p)
		if err != nil {
			return nil, err
		}
		all = append(all, pkgs...)
	}
	return all, nil
}

// sortVariants puts plain packages before their test variants, so a
// non-test file is taken from the plain package.
func sortVariants(pkgs []*packages.Package) {
	slices.SortStableFunc(pkgs, func(a, b *packages.Package) int {
		return boolCmp(strings.Contains(a.ID, " ["), strings.Contains(b.ID, " ["))
	})
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func compiledName(p *packages.Package, i int) string {
	if i < len(p.CompiledGoFiles) {
		return p.CompiledGoFiles[i]
	}
	return ""
}

// packageError reports the first errors of a package that failed to parse
// or type-check, with their positions relative to the module root.
func packageError(p *packages.Package, mod *Module) error {
	if len(p.Errors) == 0 {
		return nil
	}
	msgs, fix := importCauses(p)
	for _, m := range positionedErrors(p, mod) {
		msgs = appendUnique(msgs, m)
	}
	if len(msgs) == 0 {
		msgs = listErrorLines(p)
	}
	more := ""
	if len(msgs) > 3 {
		more = fmt.Sprintf(" (and %d more)", len(msgs)-3)
		msgs = msgs[:3]
	}
	if fix == "" {
		fix = "fix the package so that it builds, then run migrate again"
	}
	return fmt.Errorf("load %s: %s%s: %s", p.PkgPath, strings.Join(msgs, "; "), more, fix)
}

// firstError returns p's first error, "file:line:col: message" with the
// position relative to the module root when it has one.
func firstError(p *packages.Package, mod *Module) string {
	if msgs := positionedErrors(p, mod); len(msgs) > 0 {
		return msgs[0]
	}
	if msgs := listErrorLines(p); len(msgs) > 0 {
		return msgs[0]
	}
	return ""
}

// positionedErrors returns p's errors that have a position, as
// "file:line:col: message", the position relative to the module root.
func positionedErrors(p *packages.Package, mod *Module) []string {
	var msgs []string
	for _, e := range p.Errors {
		if e.Pos != "" && e.Pos != "-" {
			msgs = appendUnique(msgs, relPos(mod, e.Pos)+": "+e.Msg)
		}
	}
	return msgs
}

// listErrorLines returns the lines of p's errors, for errors from go list,
// which have no position.
func listErrorLines(p *packages.Package) []string {
	var msgs []string
	for _, e := range p.Errors {
		for _, line := range strings.Split(e.Msg, "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "# ") {
				msgs = appendUnique(msgs, strings.TrimPrefix(line, "./"))
			}
		}
	}
	return msgs
}

// importCauses returns why p's direct imports could not be loaded, as go
// list said it (a missing go.sum entry, a module not in the cache): the
// type checker only says "could not import", which hides the cause. fix
// is what to do about it, when known.
func importCauses(p *packages.Package) (msgs []string, fix string) {
	for _, path := range slices.Sorted(maps.Keys(p.Imports)) {
		for _, e := range p.Imports[path].Errors {
			if e.Kind != packages.ListError {
				continue
			}
			msg, _, _ := strings.Cut(strings.TrimSpace(e.Msg), "\n")
			msgs = appendUnique(msgs, strings.TrimSuffix(msg, "; to add:"))
			if strings.Contains(msg, "missing go.sum entry") {
				fix = "migrate reads go.mod and go.sum as they are (-mod=readonly): run 'go mod tidy' (or the go get it names), then run migrate again"
			}
		}
	}
	return msgs, fix
}

// relPos makes a "file:line:col" position relative to the module root.
func relPos(mod *Module, pos string) string {
	if pos == "" || pos == "-" {
		return "-"
	}
	if strings.HasPrefix(pos, mod.Root+"/") {
		return mod.rel(pos)
	}
	return pos
}
