package rules

import (
	"go/ast"
	"go/types"
	"slices"
	"strings"
)

// note tells a file what changed in how the new version behaves, where
// the file uses some of the old API: once per file, at its first import
// of the old package, when it uses one of the functions or methods listed
// (creating clients, say, or pipelines). Test files are left out: what
// they set up is not what runs in production. Several notes of a set at
// one import are several findings, in the order of the rules.
type note struct {
	base
	refs []Ref
}

func newNote(set *Set, spec *Spec) (*note, error) {
	r := &note{base: base{spec: spec}}
	for _, s := range spec.Note {
		ref, err := parseRef(set, s, strings.Count(s, ".") == 2)
		if err != nil {
			return nil, err
		}
		r.refs = append(r.refs, ref)
		r.paths = append(r.paths, ref.Paths...)
	}
	if err := set.checkMessage("note", spec.Message, nil); err != nil {
		return nil, err
	}
	spec.reported = r.paths[0]
	slices.Sort(r.paths)
	r.paths = slices.Compact(r.paths)
	return r, nil
}

func (r *note) run(p *Pass) error {
	if strings.HasSuffix(p.Fset().Position(p.AST().Pos()).Filename, "_test.go") {
		return nil
	}
	imp := r.firstImport(p.AST())
	if imp != nil && r.used(p) {
		p.Report(imp.Pos(), r.spec.Message, r.spec.TODO)
	}
	return nil
}

// firstImport returns the file's first import of one of the rule's paths,
// or nil.
func (r *note) firstImport(f *ast.File) *ast.ImportSpec {
	for _, spec := range f.Imports {
		if slices.Contains(r.paths, importPath(spec)) {
			return spec
		}
	}
	return nil
}

// used reports whether the file uses one of the rule's functions or
// methods, declared outside the file's package.
func (r *note) used(p *Pass) bool {
	found := false
	eachUse(p, func(id *ast.Ident, obj types.Object) {
		found = found || obj.Pkg() != p.Pkg() && slices.ContainsFunc(r.refs, func(ref Ref) bool { return ref.matchesUse(p, id, obj) })
	})
	return found
}

// Indirect: the note is reported at the import.
func (r *note) Indirect() bool { return false }
