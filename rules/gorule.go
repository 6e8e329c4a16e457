package rules

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"regexp"
	"slices"
)

// GoRule is a rule written in Go, as a value: like a go/analysis Analyzer,
// it names itself, says what it does and which imports it looks at, and
// computes. Its Run receives a Pass for one file and records sites through
// it (edits to make, findings for a person); it never touches the syntax
// tree, never asks about //migrate:ignore and never counts sites: the engine
// does those, for every rule alike. A rule file uses it with "go: NAME".
type GoRule struct {
	// Name is what a rule file writes after "go:": lower-case letters,
	// digits and '-'.
	Name string
	// Doc says what the rule changes, and what it leaves for a person.
	Doc string
	// Paths are the old import paths whose users the rule looks at; a path
	// ending in "/..." also matches its subpackages.
	Paths []string
	// ImportersOnly tells that the rule matches only code importing one of
	// Paths (io/ioutil has no types that another package could hand out).
	// When false, files of packages that depend on Paths are looked at too.
	ImportersOnly bool
	// NewPaths are the import paths the rule's edits may add (through
	// Pass.Qualifier): the engine finds their package names before the
	// run, as it does for the packages a rule file declares.
	NewPaths []string
	// Requires are the facts Run asks for (Pass.Fact).
	Requires []*Fact
	// Run finds the rule's sites in one file.
	Run func(*Pass) error
}

// Fact is something several rules need to know about a package of the
// module ("the client types this package declares"), computed once per
// package on first request and shared, as go/analysis shares the inspect
// and typeindex results. Rules name the facts they use in Requires.
type Fact struct {
	// Name names the fact in errors.
	Name string
	// Doc says what the fact holds.
	Doc string
	// Compute computes the fact for a package. Several files of the
	// package may wait for it, but it runs once.
	Compute func(*Package) (any, error)
}

// Package is what a Fact is computed from: one type-checked package.
type Package struct {
	Fset   *token.FileSet
	Types  *types.Package
	Info   *types.Info
	Syntax []*ast.File
	// Module is the path of the module being migrated.
	Module string
}

var goRuleNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// Validate checks a table of Go rules: names well formed and unique, and
// every rule with Doc, Paths and Run, and facts with a Name and Compute.
func Validate(rs ...*GoRule) error {
	var errs []error
	seen := map[string]bool{}
	for i, r := range rs {
		if r == nil || !goRuleNameRE.MatchString(r.Name) {
			errs = append(errs, fmt.Errorf("go rule %d: name must be lower-case letters, digits and '-'", i))
			continue
		}
		if seen[r.Name] {
			errs = append(errs, fmt.Errorf("go rule %s: registered twice", r.Name))
		}
		seen[r.Name] = true
		if r.Doc == "" || len(r.Paths) == 0 || r.Run == nil {
			errs = append(errs, fmt.Errorf("go rule %s: needs Doc, Paths and Run", r.Name))
		}
		if slices.ContainsFunc(r.Requires, func(f *Fact) bool { return f == nil || f.Name == "" || f.Compute == nil }) {
			errs = append(errs, fmt.Errorf("go rule %s: a required fact has no Name or Compute", r.Name))
		}
	}
	return errors.Join(errs...)
}

// Table returns the loader's table of Go rules ("go: NAME" in a rule
// file) for rs, by Name. Validate them first.
func Table(rs ...*GoRule) map[string]GoRuleFunc {
	t := map[string]GoRuleFunc{}
	for _, r := range rs {
		t[r.Name] = func(set *Set, spec *Spec) (Rule, error) {
			return &bound{rule: r, set: set, spec: spec}, nil
		}
	}
	return t
}

// bound is a GoRule as one entry of a rule set: the Rule the loader puts
// in the set. It adapts the rule to the File interface the engine drives:
// it runs the rule on a Pass, then hands the sites to File.Record.
type bound struct {
	rule *GoRule
	set  *Set
	spec *Spec
}

// ID returns the rule's group when the rule file gives it one, as for a
// declarative rule: a Go rule may share a name with the rule file's rules
// (go-redis's hooks: the types in YAML, the values in Go).
func (b *bound) ID() string {
	if b.spec.Group != "" {
		return b.spec.Group
	}
	return b.spec.ID
}

func (b *bound) Paths() []string { return b.rule.Paths }
func (b *bound) Indirect() bool  { return !b.rule.ImportersOnly }

func (b *bound) RequiresFacts() bool { return len(b.rule.Requires) > 0 }

// NewPaths returns the import paths the rule may add.
func (b *bound) NewPaths() []string { return b.rule.NewPaths }

func (b *bound) Apply(f File) error {
	p := &Pass{rule: b.rule, set: b.set, spec: b.spec, file: f, facts: map[*Fact]any{}}
	for _, fact := range b.rule.Requires {
		v, err := f.Fact(fact)
		if err != nil {
			return fmt.Errorf("fact %s: %w", fact.Name, err)
		}
		p.facts[fact] = v
	}
	if err := b.rule.Run(p); err != nil {
		return err
	}
	return f.Record(b, p.sites)
}
