package rules

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/token"
	"slices"
	"strings"
)

// stringsOp reports the string literals that name an old import path:
// goroutines given to goleak filters, stack and log matchers, messages.
// What such a string should say with the new API is seldom a rename (the
// goroutine may be gone), so each is left to a person. Import paths are
// not such strings: the move rules handle them. A literal that an earlier
// strings rule of the set reports is left to it, so that a rule for the
// strings naming a subpackage ("redis/internal/pool", the old connection
// pool's goroutines) can come before the rule for the rest. The rule looks
// at the importers of the package, and at the files of the packages that
// depend on it.
type stringsOp struct {
	base
	olds    []string          // the old paths, longest first
	labels  map[string]string // the version label of each old path
	earlier []*stringsOp
}

func newStrings(set *Set, spec *Spec) (*stringsOp, error) {
	olds, pkgPaths, err := stringsPaths(set, spec.Strings)
	if err != nil {
		return nil, err
	}
	if err := set.checkMessage("strings", spec.Message, pkgPaths, "{string}", "{path}", "{version}"); err != nil {
		return nil, err
	}
	r := &stringsOp{base: base{spec: spec, paths: pkgPaths}, olds: slices.Clone(olds), labels: map[string]string{}}
	for i, old := range olds {
		r.labels[old] = set.labels[pkgPaths[i]]
	}
	// A path nested in another (github.com/go-redis/redis/v8 in
	// github.com/go-redis/redis) is tried first.
	slices.SortStableFunc(r.olds, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, x := range set.Rules {
		if o, ok := operationOf(x).(*stringsOp); ok {
			r.earlier = append(r.earlier, o)
		}
	}
	spec.reported, spec.reportedLabel = olds[0], r.labels[olds[0]]
	return r, nil
}

// stringsPaths returns the import paths a strings rule looks for, and
// the paths whose importers it looks at, one for each: for a package of
// the set, optionally followed by a subpath ("redis/internal/pool"), its
// paths (with the subpath); for an import path, that path and its
// subpackages.
func stringsPaths(set *Set, arg string) (olds, pkgPaths []string, err error) {
	name, sub, _ := strings.Cut(arg, "/")
	if paths, ok := set.Packages[name]; ok {
		for _, p := range paths {
			olds = append(olds, strings.TrimSuffix(p+"/"+sub, "/"))
		}
		return olds, paths, nil
	}
	if token.IsIdentifier(arg) {
		return nil, nil, fmt.Errorf("%q: package %q is not declared under \"packages\" (declared: %s); or give an import path", arg, arg, knownNames(set.Packages))
	}
	path := strings.TrimSuffix(arg, "/...")
	if err := checkImportPath(path); err != nil {
		return nil, nil, err
	}
	return []string{path}, []string{path + "/..."}, nil
}

func (r *stringsOp) run(p *Pass) error {
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ImportSpec:
			return false
		case *ast.BasicLit:
			if n.Kind != token.STRING {
				return true
			}
			s := Unquote(n)
			if old, ok := r.match(s); ok && !r.leftToEarlier(s) {
				msg := expand(r.spec.Message, "{string}", s, "{path}", old, "{version}", r.labels[old])
				p.Report(n.Pos(), msg, r.spec.TODO)
			}
		}
		return true
	})
	return nil
}

// match returns the old path that s names, or false.
func (r *stringsOp) match(s string) (string, bool) {
	for _, old := range r.olds {
		if containsPath(s, old) {
			return old, true
		}
	}
	return "", false
}

// leftToEarlier reports whether an earlier strings rule of the set
// reports s.
func (r *stringsOp) leftToEarlier(s string) bool {
	return slices.ContainsFunc(r.earlier, func(o *stringsOp) bool {
		_, ok := o.match(s)
		return ok
	})
}

// containsPath reports whether s names the import path p: p not preceded
// by more of a path element, and followed by nothing, a subpackage
// ("/internal/pool") or a symbol (".(*Client)"), not by more of an
// element ("redismock") or by a major version, which is another module
// ("/v9").
func containsPath(s, p string) bool {
	for i := 0; ; i++ {
		j := strings.Index(s[i:], p)
		if j < 0 {
			return false
		}
		i += j
		if (i == 0 || !isElemByte(s[i-1]) && s[i-1] != '.') && pathEnds(s[i+len(p):]) {
			return true
		}
	}
}

// pathEnds reports whether rest, what follows an import path in a string,
// ends the path.
func pathEnds(rest string) bool {
	if rest == "" {
		return true
	}
	if isElemByte(rest[0]) {
		return false
	}
	if v, ok := strings.CutPrefix(rest, "/v"); ok {
		n := len(v) - len(strings.TrimLeft(v, "0123456789"))
		return n == 0 || n < len(v) && isElemByte(v[n])
	}
	return true
}

// isElemByte reports whether c can continue an element of an import path
// (a '.' can too, but in a string it mostly starts a symbol).
func isElemByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '~'
}

// Indirect: a string names the old package in any file of a package that
// depends on it.
func (r *stringsOp) Indirect() bool { return true }
