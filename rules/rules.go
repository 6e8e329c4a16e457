package rules

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strings"

	"github.com/dave/dst"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// Set is a rule set: what one migration changes.
type Set struct {
	// Name is the rule set's name, as given to --rules.
	Name string
	// From and To describe the migration in one phrase each, for "migrate list".
	From, To string
	// Summary is a one-line description.
	Summary string
	// Doc is a longer description, for "migrate explain".
	Doc string
	// Source is where the set was loaded from: a file path, or
	// "builtin:NAME.yaml".
	Source string
	// GoVersion is the minimum go directive the migrated module needs
	// ("1.16"), or "".
	GoVersion string
	// Packages maps the names used in rule references and templates to
	// import paths: one, or the versions of one library.
	Packages Packages
	// labels maps the import path of each version that the rule file
	// labels ("v7: github.com/go-redis/redis/v7") to its label.
	labels map[string]string
	// Modules are the go.mod changes the migration needs.
	Modules Modules
	// Rules are applied in order, each to every file that imports one of
	// the set's Paths.
	Rules []Rule
	// Specs hold the declarative description of each rule, in order, for
	// "migrate explain".
	Specs []*Spec
	// Phase, when set, places the set in a migration done in phases.
	Phase *Phase
}

// Paths returns the import paths whose importers the set may change: the
// old paths named by its rules. A file that imports none of them is never
// loaded with types.
func (s *Set) Paths() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range s.Rules {
		for _, p := range r.Paths() {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// NewPaths returns the import paths that the set's rules written in Go
// may add, besides the set's Packages.
func (s *Set) NewPaths() []string {
	var out []string
	for _, r := range s.Rules {
		if a, ok := r.(interface{ NewPaths() []string }); ok {
			out = append(out, a.NewPaths()...)
		}
	}
	return out
}

// A Rule changes one kind of site in a file.
type Rule interface {
	// ID names the rule within its set ("read-all"); findings and site
	// counts are reported as SET/ID.
	ID() string
	// Paths are the old import paths whose users the rule looks at. A path
	// ending in "/..." also matches its subpackages.
	Paths() []string
	// Apply finds the rule's sites in f and hands them to f.Record.
	Apply(f File) error
}

// View is the read-only side of one Go file being migrated: its original
// syntax tree and type information, and lookups over them. Both a File
// and a Pass are Views, so that helpers
// that only look (ContextInScope, UsesOf) serve both.
type View interface {
	// Fset is the file set of AST and Info positions.
	Fset() *token.FileSet
	// AST is the original, type-checked syntax tree. Never modify it.
	AST() *ast.File
	// Info is the type information of AST.
	Info() *types.Info
	// Pkg is the package the file belongs to.
	Pkg() *types.Package
	// Module is the path of the module being migrated: packages outside it
	// are dependencies, which the run does not change.
	Module() string
	// Migrates reports whether the run migrates the package with import
	// path pkgPath: it is in the module being migrated, or in another
	// module of the repository that the same run migrates. Any other
	// package is a dependency the run does not change.
	Migrates(pkgPath string) bool
	// Parents returns the chain of nodes enclosing n, innermost first
	// (n excluded).
	Parents(n ast.Node) []ast.Node
	// Uses returns the identifiers of the file that refer to obj.
	Uses(obj types.Object) []*ast.Ident
	// IdentUses returns every identifier of the file whose use resolves
	// to an object (Info.Uses), with it, in source order. A rule set's
	// rules each look at them; the file walks its syntax once for all.
	IdentUses() []IdentUse
}

// IdentUse is an identifier and the object its use refers to.
type IdentUse struct {
	Ident *ast.Ident
	Obj   types.Object
}

// File is one Go file as the engine hands it to a rule's Apply: a View,
// and the calls through which the rule's sites reach the engine. The
// rewrite package implements it. Rules compute on a Pass (see Record): the
// engine applies, filters and counts what they return.
type File interface {
	View

	// Qualifier returns a new identifier naming the package with the given
	// import path, to use as the X of a selector placed at pos. The import
	// is added if needed, under a name that collides with nothing visible at
	// any position it is used at; the identifier's Name is set when the file
	// is rendered. A qualifier that no edit puts in the file is dropped.
	Qualifier(path string, pos token.Pos) *dst.Ident
	// Replaced reports whether n lies inside a node that an earlier rule
	// edits, so that later rules leave it alone.
	Replaced(n ast.Node) bool
	// ReportedAt reports whether an earlier rule left a site for a person
	// with a TODO above the statement or declaration that a TODO for a
	// site at pos goes above, so that a later rule can leave it at one.
	ReportedAt(pos token.Pos) bool
	// Fact returns fact's value for the file's package, computing it on
	// the first request of any file of the package.
	Fact(fact *Fact) (any, error)
	// Record hands the engine what the rule r computed: its sites, in
	// order. The engine drops the sites that carry //migrate:ignore (listing
	// them as ignored), schedules the edits of the others, counts each one
	// with edits as a rewritten site and reports each one with a message.
	// It fails when an edit is malformed or moves an import that another
	// rule moves elsewhere.
	Record(r Rule, sites []Site) error
}

// Carries reports whether the set takes the package at path along with
// the library it migrates: a move rule moves its imports (a companion such
// as a mock library, to its version built on the new library), or
// modules.add requires its module at a new version. Values the package
// hands out or takes then change with the migrated code.
func (s *Set) Carries(path string) bool {
	for _, r := range s.Rules {
		if m, ok := operationOf(r).(*move); ok && m.newPath(path) != "" {
			return true
		}
	}
	for m := range s.Modules.Add {
		if path == m || strings.HasPrefix(path, m+"/") {
			return true
		}
	}
	return false
}

// Modules are the go.mod side of a migration.
type Modules struct {
	// Add maps each module the new code needs to its minimum version.
	Add map[string]string `yaml:"add"`
	// Retire lists the modules that should be gone once nothing uses them.
	Retire []string `yaml:"retire"`
	// Companions maps modules known to move together with the old client
	// (a mock library, a cache built on it) to advice, reported when the
	// module still requires them.
	Companions map[string]string `yaml:"companions"`
}

// check validates module paths and versions.
func (m Modules) check() error {
	for path, v := range m.Add {
		if err := module.CheckPath(path); err != nil {
			return fmt.Errorf("modules.add: %v", err)
		}
		if !semver.IsValid(v) {
			return fmt.Errorf("modules.add: %s: %q is not a semantic version like v1.2.3", path, v)
		}
	}
	for _, path := range slices.Concat(m.Retire, slices.Collect(maps.Keys(m.Companions))) {
		if err := module.CheckPath(path); err != nil {
			return fmt.Errorf("modules: %v", err)
		}
	}
	return nil
}

// Target is a symbol that migrated code uses: Name in the package at Path,
// or any symbol of Path when Name is "".
type Target struct {
	Path, Name string
}

// Targets returns what code looks like once migrated: the new symbols of
// rename and call rules, the new paths of move rules, and the paths
// outside the standard library that Go rules may add (a move done in Go).
// Status reports use them to tell migrated files from files that never
// used the old API, and go.mod requires a module of modules.add where the
// rewritten code imports one of its targets.
func (s *Set) Targets() []Target {
	var out []Target
	for _, spec := range s.Specs {
		op, _ := spec.Op()
		switch op {
		case "move":
			out = append(out, Target{Path: spec.To})
		case "rename", "call", "type":
			out = append(out, s.templateTargets(spec.To)...)
		}
	}
	for _, r := range s.Rules {
		if a, ok := r.(interface{ NewPaths() []string }); ok {
			for _, p := range a.NewPaths() {
				if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") {
					out = append(out, Target{Path: p})
				}
			}
		}
	}
	return out
}

// templateTargets returns the pkg.Name selectors of an expression whose
// pkg is one of the set's packages.
func (s *Set) templateTargets(expr string) []Target {
	e, err := parseTemplate(expr)
	if err != nil {
		return nil
	}
	var out []Target
	ast.Inspect(e, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && s.Packages.Path(id.Name) != "" {
				out = append(out, Target{Path: s.Packages.Path(id.Name), Name: sel.Sel.Name})
			}
		}
		return true
	})
	return out
}

// Move is an import path move of a rule set.
type Move struct {
	From, To string
	// Name is the new package's name when the rule file gives it ("" means
	// the old package's name).
	Name string
}

// Moves returns the set's declarative import path moves, one for each
// path that a move naming a package of several versions moves.
func (s *Set) Moves() []Move {
	var out []Move
	for _, r := range s.Rules {
		if m, ok := operationOf(r).(*move); ok {
			for _, from := range m.froms {
				out = append(out, Move{From: from, To: m.to, Name: m.spec.Name})
			}
		}
	}
	return out
}

// Indirect is implemented by rules that say whether they can match code
// that does not import one of their Paths: a method or field of an old
// type, used through a value that another package hands out. Files of
// packages that depend on an old path are then rewritten too.
type Indirect interface {
	Indirect() bool
}

// FactUser is implemented by a rule that may ask for facts, which look at
// every file of a package (Pass.Fact); a rule that does not is given the
// types of its file's function bodies only (View).
type FactUser interface {
	RequiresFacts() bool
}

// RequiresFacts reports whether r may ask for facts. A rule that does not
// implement FactUser is assumed to.
func RequiresFacts(r Rule) bool {
	if f, ok := r.(FactUser); ok {
		return f.RequiresFacts()
	}
	return true
}

// ReachesIndirectly reports whether r can match code that does not import
// its paths. A rule that does not implement Indirect is assumed to.
func ReachesIndirectly(r Rule) bool {
	if i, ok := r.(Indirect); ok {
		return i.Indirect()
	}
	return true
}
