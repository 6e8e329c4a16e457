package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// importState is one import spec of the file as the rewrite leaves it.
type importState struct {
	spec   *ast.ImportSpec // nil for an added import
	dspec  *dst.ImportSpec
	path   string
	name   string // local name: explicit, or the package's name
	remove bool
	// requalified: a rule renamed the uses to name, the moved package's.
	requalified bool
}

// fixImports updates the file's imports after the rules ran: moved paths,
// imports with no use left removed, and the imports that qualifiers need
// added under names that collide with nothing.
func (f *fileCtx) fixImports() error {
	states := f.existingImports()
	paths := make([]string, 0, len(f.quals))
	for p, quals := range f.quals {
		// A qualifier that no edit put in the file (its site was
		// ignored) needs no import.
		if f.quals[p] = slices.DeleteFunc(quals, func(q qualifier) bool { return !f.final[q.id] }); len(f.quals[p]) > 0 {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	for _, p := range paths {
		st, err := f.qualify(p, states)
		if err != nil {
			return err
		}
		if st != nil {
			states = append(states, st)
		}
	}
	f.rebuildImportDecls(states)
	return nil
}

func (f *fileCtx) existingImports() []*importState {
	var states []*importState
	for _, spec := range f.tf.syntax.Imports {
		st := &importState{spec: spec, dspec: f.Dst(spec).(*dst.ImportSpec), path: rules.Unquote(spec.Path)}
		pn := f.Info().PkgNameOf(spec)
		switch {
		case spec.Name != nil:
			st.name = spec.Name.Name
		case pn != nil:
			st.name = pn.Imported().Name()
		}
		if ch, ok := f.newPaths[spec]; ok {
			st.path = ch.path
			st.dspec.Path.Value = strconv.Quote(ch.path)
			switch {
			case spec.Name == nil && ch.requalified:
				st.name, st.requalified = ch.name, true
			case spec.Name == nil && ch.name != "" && ch.name != st.name:
				st.dspec.Name = dst.NewIdent(st.name)
			}
		}
		st.remove = f.allUsesRemoved(spec, pn)
		states = append(states, st)
	}
	f.mergeDuplicates(states)
	return states
}

// mergeDuplicates folds together the imports of one path when a rule
// changed the path of any of them (as when redis7 and redis8 both become
// go-redis v9, beside an existing v9 import): one import is kept and the
// uses of the others are renamed to its name. The kept one is an import
// the rules left alone if there is one, else the earliest; the first, in
// that order, whose name means its package at every use of the others. An
// import whose uses would see another object under that name stays.
// Imports of one path that the user wrote are the user's.
func (f *fileCtx) mergeDuplicates(states []*importState) {
	groups := map[string][]*importState{}
	var paths []string
	for _, st := range states {
		if st.remove || !named(st) {
			continue
		}
		if groups[st.path] == nil {
			paths = append(paths, st.path)
		}
		groups[st.path] = append(groups[st.path], st)
	}
	for _, p := range paths {
		g := groups[p]
		if len(g) < 2 || !slices.ContainsFunc(g, f.moved) {
			continue
		}
		// Candidates: those the rules left alone first, in file order.
		cands := slices.Clone(g)
		slices.SortStableFunc(cands, func(a, b *importState) int { return boolInt(f.moved(a)) - boolInt(f.moved(b)) })
		keep := cands[0]
		for _, c := range cands {
			if !slices.ContainsFunc(g, func(o *importState) bool { return o != c && !f.canFold(o, c) }) {
				keep = c
				break
			}
		}
		for _, o := range g {
			if o != keep && f.canFold(o, keep) {
				f.fold(o, keep)
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// moved reports whether a rule changed the path of st.
func (f *fileCtx) moved(st *importState) bool {
	_, ok := f.newPaths[st.spec]
	return ok
}

// canFold reports whether into's name means into's package at every use
// of from.
func (f *fileCtx) canFold(from, into *importState) bool {
	intoPN := f.Info().PkgNameOf(into.spec)
	for _, id := range f.Uses(f.Info().PkgNameOf(from.spec)) {
		if f.lookup(into.name, id.Pos()) != intoPN {
			return false
		}
	}
	return true
}

// fold renames the uses of from to into's name and removes from.
func (f *fileCtx) fold(from, into *importState) {
	for _, id := range f.Uses(f.Info().PkgNameOf(from.spec)) {
		if d, ok := f.Dst(id).(*dst.Ident); ok {
			d.Name = into.name
		}
	}
	from.remove = true
}

// named reports whether st is an import used through a package name: not
// a blank or dot import.
func named(st *importState) bool {
	return st.spec != nil && st.name != "_" && st.name != "."
}

// allUsesRemoved reports whether the rules removed every use of an import
// that had uses.
func (f *fileCtx) allUsesRemoved(spec *ast.ImportSpec, pn *types.PkgName) bool {
	if pn == nil || spec.Name != nil && spec.Name.Name == "_" {
		return false
	}
	var uses []*ast.Ident
	if spec.Name != nil && spec.Name.Name == "." {
		uses = f.dotUses(pn.Imported())
	} else {
		uses = f.Uses(pn)
	}
	if len(uses) == 0 {
		return false
	}
	for _, id := range uses {
		if !f.unused[id] {
			return false
		}
	}
	return true
}

// dotUses returns the unqualified uses of a dot-imported package's objects.
func (f *fileCtx) dotUses(pkg *types.Package) []*ast.Ident {
	var out []*ast.Ident
	for id, obj := range f.Info().Uses {
		if obj.Pkg() != pkg || obj.Parent() != pkg.Scope() || !f.inFile(id) {
			continue
		}
		if sel, ok := f.Parents(id)[0].(*ast.SelectorExpr); ok && sel.Sel == id {
			continue
		}
		out = append(out, id)
	}
	return out
}

func (f *fileCtx) inFile(n ast.Node) bool {
	return f.tf.syntax.FileStart <= n.Pos() && n.Pos() < f.tf.syntax.FileEnd
}

// qualify names every qualifier of path: through an import the file keeps,
// when its name is visible everywhere it is used, or through a new import.
func (f *fileCtx) qualify(path string, states []*importState) (*importState, error) {
	quals := f.quals[path]
	for _, st := range states {
		if st.path == path && !st.remove && st.name != "_" && st.name != "." &&
			(f.visibleAs(st, path, quals, states) || st.requalified && f.unshadowed(st.name, path, quals)) {
			setNames(quals, st.name)
			return nil, nil
		}
	}
	// An import the file keeps serves the qualifiers where its name is
	// visible; only the others (where a local hides it) need a new one.
	for _, st := range states {
		if st.path != path || st.remove || !named(st) {
			continue
		}
		var rest []qualifier
		for _, q := range quals {
			if f.visibleAs(st, path, []qualifier{q}, states) {
				q.id.Name = st.name
			} else {
				rest = append(rest, q)
			}
		}
		quals = rest
	}
	base, ok := f.names[path]
	if !ok {
		base, ok = f.newPackageName(path)
	}
	if !ok {
		return nil, fmt.Errorf("cannot tell the package name of %q: add its module to go.mod (go get) and run again", path)
	}
	name := base
	for i := 0; !f.free(name, path, quals, states); i++ {
		name = base + strconv.Itoa(i)
	}
	setNames(quals, name)
	st := &importState{path: path, name: name, dspec: &dst.ImportSpec{Path: &dst.BasicLit{Kind: token.STRING, Value: strconv.Quote(path)}}}
	if name != base {
		st.dspec.Name = dst.NewIdent(name)
	}
	return st, nil
}

func setNames(quals []qualifier, name string) {
	for _, q := range quals {
		q.id.Name = name
	}
}

// visible reports whether name, at every qualifier position, still refers
// to the import of path.
func (f *fileCtx) visible(name, path string, quals []qualifier, states []*importState) bool {
	for _, q := range quals {
		obj := f.lookup(name, q.pos)
		pn, ok := obj.(*types.PkgName)
		if !ok || pn.Imported().Path() != f.originalPath(path, states) {
			return false
		}
	}
	return true
}

// visibleAs reports whether st's name, at every qualifier position, still
// refers to st's own import: with two imports that end at one path (a
// moved one beside one the file had), the name must be that import's.
func (f *fileCtx) visibleAs(st *importState, path string, quals []qualifier, states []*importState) bool {
	if st.spec == nil {
		return f.visible(st.name, path, quals, states)
	}
	pn := f.Info().PkgNameOf(st.spec)
	for _, q := range quals {
		if obj := f.lookup(st.name, q.pos); obj == nil || obj != types.Object(pn) {
			return false
		}
	}
	return pn != nil
}

// unshadowed reports whether name, at every qualifier position, names
// nothing of the file or the package at path: the name a requalified
// import takes, which the original file did not declare.
func (f *fileCtx) unshadowed(name, path string, quals []qualifier) bool {
	for _, q := range quals {
		switch obj := f.lookup(name, q.pos).(type) {
		case nil:
		case *types.PkgName:
			if obj.Imported().Path() != path {
				return false
			}
		default:
			if obj.Parent() != types.Universe {
				return false
			}
		}
	}
	return true
}

// originalPath maps a path after SetImportPath back to the one the type
// checker saw.
func (f *fileCtx) originalPath(path string, states []*importState) string {
	for _, st := range states {
		if st.spec != nil && st.path == path {
			return rules.Unquote(st.spec.Path)
		}
	}
	return path
}

// free reports whether a new import named name can be added: no import the
// file keeps has that name, nothing in the package scope has it, and no
// local declaration shadows it where a qualifier is used.
func (f *fileCtx) free(name, path string, quals []qualifier, states []*importState) bool {
	for _, st := range states {
		if st.name == name && !st.remove {
			return false
		}
	}
	if f.Pkg().Scope().Lookup(name) != nil {
		return false
	}
	for _, q := range quals {
		switch obj := f.lookup(name, q.pos).(type) {
		case nil:
		case *types.PkgName:
			if !f.removedImport(obj, states) {
				return false
			}
		default:
			if obj.Parent() != types.Universe {
				return false
			}
		}
	}
	return true
}

func (f *fileCtx) removedImport(pn *types.PkgName, states []*importState) bool {
	for _, st := range states {
		if st.spec != nil && st.remove && f.Info().PkgNameOf(st.spec) == pn {
			return true
		}
	}
	return false
}

// lookup resolves name at pos in the original file.
func (f *fileCtx) lookup(name string, pos token.Pos) types.Object {
	scope := f.Info().Scopes[f.tf.syntax]
	if scope == nil {
		return f.Pkg().Scope().Lookup(name)
	}
	if inner := scope.Innermost(pos); inner != nil {
		scope = inner
	}
	_, obj := scope.LookupParent(name, pos)
	return obj
}

// rebuildImportDecls writes the import states back into the decorated
// file: removed specs go (their comments move to the next spec), added
// specs join the right group of the first import declaration.
func (f *fileCtx) rebuildImportDecls(states []*importState) {
	removed := map[*dst.ImportSpec]bool{}
	var added []*importState
	for _, st := range states {
		if st.remove {
			removed[st.dspec] = true
		}
		if st.spec == nil {
			added = append(added, st)
		}
	}
	var first *dst.GenDecl
	decls := f.dfile.Decls[:0]
	for _, d := range f.dfile.Decls {
		g, ok := d.(*dst.GenDecl)
		if !ok || g.Tok != token.IMPORT {
			decls = append(decls, d)
			continue
		}
		g.Specs = dropSpecs(g.Specs, removed)
		if first == nil {
			first = g
			for _, st := range added {
				insertSpec(g, st.dspec)
			}
		}
		if len(g.Specs) > 0 {
			parenthesize(g)
			decls = append(decls, g)
		}
	}
	f.dfile.Decls = decls
	f.dfile.Imports = nil
	for _, d := range decls {
		if g, ok := d.(*dst.GenDecl); ok && g.Tok == token.IMPORT {
			for _, s := range g.Specs {
				f.dfile.Imports = append(f.dfile.Imports, s.(*dst.ImportSpec))
			}
		}
	}
}

// parenthesize turns "import "x"" into a block when it now holds several
// specs; the blank line that followed the single spec then follows the
// block.
func parenthesize(g *dst.GenDecl) {
	if g.Lparen || len(g.Specs) < 2 {
		return
	}
	g.Lparen = true
	for _, s := range g.Specs {
		is := s.(*dst.ImportSpec)
		if is.Decs.After != dst.None {
			g.Decs.After = is.Decs.After
			is.Decs.After = dst.None
		}
	}
}

// dropSpecs removes specs, with the comments attached to them. A leading
// comment set apart by a blank line speaks for the group, not the import:
// it goes to the spec that follows, as does the group separation.
func dropSpecs(specs []dst.Spec, removed map[*dst.ImportSpec]bool) []dst.Spec {
	var out []dst.Spec
	var carry dst.Decorations
	carryEmpty := false
	for _, s := range specs {
		is := s.(*dst.ImportSpec)
		if removed[is] {
			carry = append(carry, groupComments(is.Decs.Start)...)
			carryEmpty = carryEmpty || is.Decs.Before == dst.EmptyLine
			continue
		}
		if len(carry) > 0 {
			is.Decs.Start = append(carry, is.Decs.Start...)
			carry = nil
		}
		if carryEmpty && len(out) > 0 {
			is.Decs.Before = dst.EmptyLine
		}
		carryEmpty = false
		out = append(out, is)
	}
	return out
}

// insertSpec adds spec to the import group where it belongs: standard
// library paths to the first group holding standard library imports, other
// paths to the last group holding non-standard ones; a new group otherwise.
func insertSpec(g *dst.GenDecl, spec *dst.ImportSpec) {
	std := isStd(unquoteLit(spec.Path))
	groups := importGroups(g.Specs)
	target := -1
	for i, grp := range groups {
		if slices.ContainsFunc(g.Specs[grp[0]:grp[1]], func(s dst.Spec) bool { return isStd(unquoteLit(s.(*dst.ImportSpec).Path)) == std }) {
			target = i
			if std {
				break
			}
		}
	}
	spec.Decs.Before = dst.NewLine
	if target < 0 {
		if len(g.Specs) > 0 {
			spec.Decs.Before = dst.EmptyLine
		}
		if std && len(g.Specs) > 0 {
			g.Specs[0].(*dst.ImportSpec).Decs.Before = dst.EmptyLine
			g.Specs = slices.Insert(g.Specs, 0, dst.Spec(spec))
			spec.Decs.Before = dst.NewLine
			return
		}
		g.Specs = append(g.Specs, spec)
		return
	}
	lo, hi := groups[target][0], groups[target][1]
	at := lo
	for at < hi && unquoteLit(g.Specs[at].(*dst.ImportSpec).Path) < unquoteLit(spec.Path) {
		at++
	}
	if at == lo && at < len(g.Specs) {
		first := g.Specs[lo].(*dst.ImportSpec)
		spec.Decs.Before, first.Decs.Before = first.Decs.Before, dst.NewLine
		spec.Decs.Start, first.Decs.Start = first.Decs.Start, nil
	}
	if at > lo {
		// The blank line that ended the group now follows the new spec.
		prev := g.Specs[at-1].(*dst.ImportSpec)
		spec.Decs.After, prev.Decs.After = prev.Decs.After, dst.None
	}
	g.Specs = slices.Insert(g.Specs, at, dst.Spec(spec))
}

// importGroups returns the [start, end) index ranges of the blank-line
// separated groups of specs.
func importGroups(specs []dst.Spec) [][2]int {
	var groups [][2]int
	start := 0
	for i := 1; i <= len(specs); i++ {
		if i == len(specs) || specs[i].(*dst.ImportSpec).Decs.Before == dst.EmptyLine || len(specs[i].(*dst.ImportSpec).Decs.Start) > 0 {
			groups = append(groups, [2]int{start, i})
			start = i
		}
	}
	return groups
}

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func unquoteLit(lit *dst.BasicLit) string {
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		return lit.Value
	}
	return s
}

// groupComments returns the leading decorations up to the last blank line:
// the ones not attached to the spec itself.
func groupComments(start dst.Decorations) dst.Decorations {
	for i := len(start) - 1; i >= 0; i-- {
		if start[i] == "\n" {
			return start[:i+1]
		}
	}
	return nil
}
