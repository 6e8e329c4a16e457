package rewrite

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"slices"
	"strings"
	"unicode"

	"github.com/migrate-tool/migrate/rules"
)

// Package is one package that the caller loaded and type-checked, as a
// go/analysis pass holds it: what RewritePackage works on.
type Package struct {
	Fset  *token.FileSet
	Files []*ast.File
	Types *types.Package
	Info  *types.Info
	// Module is the path of the module the package belongs to ("" if
	// none): packages outside it are dependencies.
	Module string
	// GoVersion is the module's go version ("1.21", or "go1.21.0"), or
	// "" when unknown.
	GoVersion string
	// ReadFile returns the content a file was parsed from; default
	// os.ReadFile.
	ReadFile func(name string) ([]byte, error)
	// IncludeGenerated rewrites generated files too.
	IncludeGenerated bool
}

// PackageResult is what RewritePackage computed. Positions keep the file
// names of Package.Fset.
type PackageResult struct {
	// Files are the changed files, in the order of Package.Files; Path
	// and Rel are the file's name, Mode is 0.
	Files []*FileChange
	// Findings are the sites and files left for a person. A generated
	// file has a Generated finding; its sites are in Uses and Findings,
	// but it is not changed (unless IncludeGenerated).
	Findings []Finding
	// Uses are the sites the rewrite changes.
	Uses []Finding
	// Sites counts them per rule.
	Sites map[string]int
}

// RewritePackage applies the rule sets to one package the caller
// type-checked, file by file, through the same code as Run: the driver of
// go vet, go fix and linters. Unlike Run it neither loads nor checks
// anything: the rewritten code is not type-checked, other build
// configurations are not tried, go.mod is not changed, and the facts of
// the rules see this package only. Files with cgo, //line directives or
// CRLF line endings are reported, not rewritten.
func RewritePackage(pkg *Package, sets []*rules.Set) (*PackageResult, error) {
	mod := &Module{Path: pkg.Module, GoVersion: strings.TrimPrefix(pkg.GoVersion, "go")}
	for _, s := range sets {
		// Only a package the set would change is refused: go vet runs
		// every analyzer on every package.
		if s.GoVersion != "" && mod.GoVersion != "" && !mod.goAtLeast(s.GoVersion) && usesSet(pkg, s) {
			return nil, fmt.Errorf("rule set %s needs go %s or later, but the module says go %s: run 'go mod edit -go=%s' first", s.Name, s.GoVersion, mod.GoVersion, s.GoVersion)
		}
	}
	var paths []string
	for _, s := range sets {
		paths = append(paths, s.Paths()...)
	}
	pr := &packageRun{pkg: pkg, mod: mod, sets: sets, paths: paths, res: &PackageResult{Sites: map[string]int{}},
		unit: &rules.Package{Fset: pkg.Fset, Types: pkg.Types, Info: pkg.Info, Syntax: pkg.Files, Module: pkg.Module}}
	pr.indirect = reachesIndirectly(sets) && reaches(pkg.Types, paths)
	var names map[string]string // computed for the first file to rewrite
	facts := newFactCache()
	for _, f := range pkg.Files {
		tf, generated, err := pr.typedFile(f)
		if err != nil {
			return nil, err
		}
		if tf == nil {
			continue
		}
		if names == nil {
			names = importedNames(pkg.Types, sets)
		}
		fr, err := rewriteFile(tf, mod, sets, names, facts)
		if err != nil {
			return nil, fmt.Errorf("rewrite %s: %w", tf.path, err)
		}
		pr.add(fr, generated)
	}
	SortFindings(pr.res.Findings)
	SortFindings(pr.res.Uses)
	return pr.res, nil
}

// usesSet tells whether a file of pkg imports a path of s, or pkg reaches
// one through its imports where s rewrites such uses.
func usesSet(pkg *Package, s *rules.Set) bool {
	paths := s.Paths()
	for _, f := range pkg.Files {
		for _, spec := range f.Imports {
			if rules.MatchPath(rules.Unquote(spec.Path), paths) {
				return true
			}
		}
	}
	return reachesIndirectly([]*rules.Set{s}) && reaches(pkg.Types, paths)
}

// packageRun is one RewritePackage.
type packageRun struct {
	pkg      *Package
	mod      *Module
	sets     []*rules.Set
	paths    []string
	indirect bool // the package reaches an old path through its imports
	unit     *rules.Package
	res      *PackageResult
}

// typedFile returns the file to rewrite, or nil (with the finding that
// says why, if any) for a file that is left alone; and whether the file
// is only analyzed, its change dropped (a generated file, or one with
// CRLF line endings, each with a finding that says so).
func (pr *packageRun) typedFile(f *ast.File) (*typedFile, bool, error) {
	name := pr.pkg.Fset.File(f.FileStart).Name()
	c := &candidate{path: name, pkgPath: pr.pkg.Types.Path(), dirPkg: f.Name.Name, pkgName: f.Name.Name}
	var hit *ast.ImportSpec
	for _, spec := range f.Imports {
		p := rules.Unquote(spec.Path)
		c.imports = append(c.imports, p)
		c.cgo = c.cgo || p == "C"
		if hit == nil && rules.MatchPath(p, pr.paths) {
			hit = spec
		}
	}
	c.indirect = hit == nil
	if hit == nil && !pr.indirect || !strings.HasSuffix(name, ".go") {
		return nil, false, nil
	}
	src, err := pr.read(name)
	if err != nil {
		return nil, false, err
	}
	switch {
	case hit == nil && (c.cgo || ast.IsGenerated(f)):
		return nil, false, nil
	case c.cgo:
		pr.fileFinding(name, Unhandled, "file uses cgo (import \"C\"), which migrate cannot reprint: migrate it by hand")
		return nil, false, nil
	case bytes.Contains(src, []byte("\n//line ")):
		pr.fileFinding(name, Unhandled, "file has //line directives, which reprinting would break: migrate it by hand")
		return nil, false, nil
	}
	keep := false // analyzed for its findings, but not changed
	if bytes.Contains(src, []byte("\r\n")) {
		// Parsed as it is, not as Run parses it (lfOnly), the file
		// would be printed without its blank lines.
		pr.fileFinding(name, Unhandled, "file has CRLF line endings, which only 'migrate run' keeps: run it on this file")
		keep = true
	}
	generated := ast.IsGenerated(f) && !pr.pkg.IncludeGenerated
	if generated {
		path := rules.Unquote(hit.Path)
		pr.res.Findings = append(pr.res.Findings, Finding{Pos: pr.pkg.Fset.Position(hit.Pos()), Kind: Generated, Rule: "generated",
			Message: "generated file imports " + path + ", left alone: regenerate it"})
	}
	return &typedFile{candidate: c, unit: pr.unit, syntax: f, src: src}, keep || generated, nil
}

func (pr *packageRun) read(name string) ([]byte, error) {
	if pr.pkg.ReadFile != nil {
		return pr.pkg.ReadFile(name)
	}
	return os.ReadFile(name)
}

func (pr *packageRun) fileFinding(name string, kind Kind, msg string) {
	pr.res.Findings = append(pr.res.Findings, Finding{Pos: token.Position{Filename: name}, Kind: kind, Message: msg})
}

// add records what the rewrite of one file found; the change of a file
// to keep (generated, or with CRLF line endings) is dropped.
func (pr *packageRun) add(fr *fileResult, keep bool) {
	pr.res.Findings = append(pr.res.Findings, fr.findings...)
	pr.res.Uses = append(pr.res.Uses, fr.uses...)
	for k, n := range fr.sites {
		pr.res.Sites[k] += n
	}
	if len(fr.newFiles) > 0 && fr.change != nil {
		// An analysis fix cannot create files: the change would import a
		// package that may not exist.
		nf := fr.newFiles[0]
		pr.res.Findings = append(pr.res.Findings, Finding{Pos: token.Position{Filename: fr.change.Path}, Kind: Manual, Rule: nf.rule,
			Message: fmt.Sprintf("the rewrite of this file needs %s added to the module, which go fix cannot do: run migrate run --rules %s", nf.Path, strings.Split(nf.rule, "/")[0])})
		keep = true
	}
	if fr.change != nil && !keep {
		pr.res.Files = append(pr.res.Files, fr.change)
	}
}

// reaches reports whether pkg imports, directly or through its imports, a
// package at one of paths. The imports of a package read from export data
// are the packages its API mentions: a value of an old type can only come
// through those.
func reaches(pkg *types.Package, paths []string) bool {
	seen := map[*types.Package]bool{}
	var walk func(p *types.Package) bool
	walk = func(p *types.Package) bool {
		if seen[p] {
			return false
		}
		seen[p] = true
		if rules.MatchPath(p.Path(), paths) {
			return true
		}
		return slices.ContainsFunc(p.Imports(), walk)
	}
	return slices.ContainsFunc(pkg.Imports(), walk)
}

// importedNames names the import paths the rule sets may add: from the
// packages pkg imports (directly or not), else the destination of a move,
// else the name the path suggests (its last element without a version).
func importedNames(pkg *types.Package, sets []*rules.Set) map[string]string {
	names := map[string]string{}
	seen := map[*types.Package]bool{}
	var walk func(p *types.Package)
	walk = func(p *types.Package) {
		if seen[p] {
			return
		}
		seen[p] = true
		names[p.Path()] = p.Name()
		for _, imp := range p.Imports() {
			walk(imp)
		}
	}
	for _, imp := range pkg.Imports() {
		walk(imp)
	}
	moveNames(sets, names)
	for _, p := range addedPaths(sets) {
		if _, ok := names[p]; !ok {
			names[p] = assumedName(p)
		}
	}
	return names
}

// assumedName is the package name an import path suggests, as goimports
// assumes it: the last element, or the one before a major version suffix,
// without a "go-" prefix, up to a character a name cannot hold.
func assumedName(path string) string {
	elems := strings.Split(path, "/")
	name := elems[len(elems)-1]
	if len(elems) > 1 && isMajorVersion(name) {
		name = elems[len(elems)-2]
	}
	name = strings.TrimPrefix(name, "go-")
	if i := strings.IndexFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' }); i >= 0 {
		name = name[:i]
	}
	return name
}

func isMajorVersion(s string) bool {
	rest, ok := strings.CutPrefix(s, "v")
	return ok && rest != "" && strings.Trim(rest, "0123456789") == ""
}
