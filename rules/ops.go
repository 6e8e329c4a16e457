package rules

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"
)

// move moves an import path and its subpackages, or, given a package
// name of the set, exactly the import paths the name stands for: the
// versions of a library nest (github.com/go-redis/redis/v8 lies below
// github.com/go-redis/redis), and each is moved as itself.
type move struct {
	base
	froms []string
	exact bool
	to    string
}

func newMove(set *Set, spec *Spec) (*move, error) {
	froms, exact := set.Packages[spec.Move], true
	if froms == nil {
		froms, exact = []string{strings.TrimSuffix(spec.Move, "/...")}, false
	}
	to := strings.TrimSuffix(spec.To, "/...")
	for _, p := range append([]string{to}, froms...) {
		if p == "" || strings.ContainsAny(p, " \t\"\\") {
			return nil, fmt.Errorf("%q is not an import path", p)
		}
	}
	if spec.Name != "" && !token.IsIdentifier(spec.Name) {
		return nil, fmt.Errorf("name %q is not a Go identifier", spec.Name)
	}
	m := &move{base: base{spec: spec, paths: froms}, froms: froms, exact: exact, to: to}
	if !exact {
		m.paths = []string{froms[0] + "/..."}
	} else {
		spec.moveFrom = froms
	}
	return m, nil
}

// newPath returns the path an import moves to, or "".
func (m *move) newPath(old string) string {
	if m.exact {
		if slices.Contains(m.froms, old) {
			return m.to
		}
		return ""
	}
	if from := m.froms[0]; old == from || strings.HasPrefix(old, from+"/") {
		return m.to + old[len(from):]
	}
	return ""
}

func (m *move) run(p *Pass) error {
	for _, spec := range p.AST().Imports {
		if to := m.newPath(importPath(spec)); to != "" {
			p.Rewrite(spec.Pos(), SetImportPath(spec, to, m.spec.Name))
		}
	}
	return nil
}

// rename renames a package-level symbol, possibly into another package.
type rename struct {
	base
	old *Matcher
	to  Ref
}

func newRename(set *Set, spec *Spec) (*rename, error) {
	old, err := parseRef(set, spec.Rename, false)
	if err != nil {
		return nil, err
	}
	to, err := parseTarget(set, spec.To)
	if err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	return &rename{base: base{spec: spec, paths: old.Paths}, old: NewMatcher(old), to: to}, nil
}

func (r *rename) run(p *Pass) error {
	for _, u := range p.UsesOf(r.old) {
		p.Rewrite(u.Ident.Pos(), replaceUse(p, u.Ident, r.to))
	}
	return nil
}

// replaceUse returns the edit that replaces a use of a package-level
// object by to: a bare name renames it, keeping the qualifier; else the
// use becomes to.Pkg.Name, with to's package imported.
func replaceUse(p *Pass, id *ast.Ident, to Ref) Edit {
	if to.Pkg == "" {
		return Rename(id, to.Name)
	}
	return p.ReplaceUse(id, to.Path(), to.Name)
}

// memberRename renames a method or a field.
type memberRename struct {
	base
	old    Ref
	to     string
	method bool
}

func newMemberRename(set *Set, spec *Spec, ref string, method bool) (*memberRename, error) {
	old, err := parseRef(set, ref, true)
	if err != nil {
		return nil, err
	}
	if old.Member == "*" {
		return nil, fmt.Errorf("%q: a rename names one member, not \"*\"", ref)
	}
	if !token.IsIdentifier(spec.To) {
		return nil, fmt.Errorf("to: %q is not a Go identifier (give the new member name only)", spec.To)
	}
	return &memberRename{base: base{spec: spec, paths: old.Paths}, old: old, to: spec.To, method: method}, nil
}

func (m *memberRename) run(p *Pass) error {
	eachUse(p, func(id *ast.Ident, obj types.Object) {
		if _, isFunc := obj.(*types.Func); isFunc == m.method && m.old.matchesUse(p, id, obj) {
			p.Rewrite(id.Pos(), Rename(id, m.to))
		}
	})
	return nil
}

// Unquote returns the path of an import spec.
func Unquote(lit *ast.BasicLit) string {
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		return lit.Value
	}
	return s
}

// Indirect: a move, rename or manual report of a package-level symbol
// needs the import; a method or field can be reached through another
// package's values.
func (m *move) Indirect() bool         { return false }
func (r *rename) Indirect() bool       { return false }
func (m *memberRename) Indirect() bool { return true }
