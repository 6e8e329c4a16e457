package rules

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"
)

// Pass is one run of a rule on one file, a GoRule or a declarative rule of
// a rule file: what the rule may look at (the file's syntax, types and
// facts, all read-only) and where it records its sites. It is a View.
type Pass struct {
	rule  *GoRule
	set   *Set
	spec  *Spec
	file  File
	facts map[*Fact]any
	sites []Site
}

var _ View = (*Pass)(nil)

// Site is one place a rule rewrites, or leaves for a person, or both: the
// Edits that make the change and the Message of a finding. The engine keeps
// or drops a site whole (dropped when //migrate:ignore covers Pos), counts
// it once when it has edits, and lists its Message as a finding.
type Site struct {
	// Pos is the site's position: of the finding, and of the
	// //migrate:ignore check.
	Pos token.Pos
	// Edits are the changes that rewrite the site.
	Edits []Edit
	// Message, if set, is a finding: what a person should do.
	Message string
	// TODO also puts "// TODO(migrate): Message" above the statement or
	// declaration that contains Pos.
	TODO bool
	// Files are files the site needs the module to have (a package its
	// edits import): the engine creates each one that does not exist,
	// once however many sites name it, and leaves an existing one as it is.
	Files []NewFile
}

// NewFile is a file a rule adds to the module: its Path, slash-separated
// and relative to the module root, and its content, which the rule
// computes (go/analysis fixes cannot create files; the engine writes it,
// shows it in a dry run as a new file, and a restore deletes it).
type NewFile struct {
	Path string
	Data []byte
}

// Edit is one change to a file, as data: the engine applies the edits of
// every rule innermost first once all rules ran, and refuses edits that
// overlap (see the package doc).
type Edit struct {
	// Node is the original node to replace, or for Import the
	// *ast.ImportSpec to change.
	Node ast.Node
	// New returns the replacement of Node's decorated node, which it
	// receives with the edits inside it already made: it may change and
	// return it, or return a new node that keeps the parts it reuses. It
	// runs when the file is rendered, after every rule ran.
	New func(old dst.Node) dst.Node
	// Import, set instead of New, changes the path of the import spec
	// Node, keeping its local name and comments.
	Import *ImportChange
	// Delete, set instead of New, removes Node from the list it stands
	// in: a statement from its block or clause, an element from its
	// composite literal. Its comments move to the neighbouring element.
	Delete bool
	// After, set instead of New, inserts the node it returns after Node
	// in the list Node stands in (a statement, or a composite literal
	// element), on a line of its own after a statement.
	After func() dst.Node
	// Unuse are the package names (the X of "pkg.Name", or a dot-imported
	// name) whose use the edit removes: an import with all its uses
	// removed is deleted.
	Unuse []*ast.Ident
}

// ImportChange is a new import path. Name is the package name at Path when
// it is not the old package's name: the spec then gets an explicit name so
// that the file's uses stay valid; unless Requalified, which tells that the
// rule renames every use of the import to Name, so that the spec stays
// unnamed and the qualifiers that other edits add use Name too.
type ImportChange struct {
	Path, Name  string
	Requalified bool
}

// ID returns the rule's id in its set (a rule file may use one Go rule
// under several ids).
func (p *Pass) ID() string { return p.spec.ID }

// Rule returns the Go rule being run (nil for a declarative rule).
func (p *Pass) Rule() *GoRule { return p.rule }

// Set returns the rule set that names the rule.
func (p *Pass) Set() *Set { return p.set }

// Spec returns the rule file's entry for the rule, whose Message may
// configure it.
func (p *Pass) Spec() *Spec { return p.spec }

// Fset is the file set of AST and Info positions.
func (p *Pass) Fset() *token.FileSet { return p.file.Fset() }

// AST is the original, type-checked syntax tree. Never modify it.
func (p *Pass) AST() *ast.File { return p.file.AST() }

// Info is the type information of AST.
func (p *Pass) Info() *types.Info { return p.file.Info() }

// Pkg is the package the file belongs to.
func (p *Pass) Pkg() *types.Package { return p.file.Pkg() }

// Module is the path of the module being migrated.
func (p *Pass) Module() string { return p.file.Module() }

// Migrates reports whether the run migrates the package with import path
// pkgPath (see View).
func (p *Pass) Migrates(pkgPath string) bool { return p.file.Migrates(pkgPath) }

// Parents returns the chain of nodes enclosing n, innermost first.
func (p *Pass) Parents(n ast.Node) []ast.Node { return p.file.Parents(n) }

// Uses returns the identifiers of the file that refer to obj.
func (p *Pass) Uses(obj types.Object) []*ast.Ident { return p.file.Uses(obj) }

// IdentUses returns the file's identifiers that refer to an object.
func (p *Pass) IdentUses() []IdentUse { return p.file.IdentUses() }

// UsesOf returns the file's uses of the symbols m names, in source order.
func (p *Pass) UsesOf(m *Matcher) []Use { return UsesOf(p, m) }

// Replaced reports whether an earlier rule replaces n or a node around it.
func (p *Pass) Replaced(n ast.Node) bool { return p.file.Replaced(n) }

// ReportedAt reports whether an earlier rule left a site for a person
// with a TODO above the statement or declaration a TODO at pos goes above.
func (p *Pass) ReportedAt(pos token.Pos) bool { return p.file.ReportedAt(pos) }

// Qualifier returns an identifier naming the package at path, for the X
// of a selector that an edit places at pos; the engine imports the package
// under a name free there, once an edit puts the identifier in the file.
func (p *Pass) Qualifier(path string, pos token.Pos) *dst.Ident {
	return p.file.Qualifier(path, pos)
}

// Fact returns the value of a fact the rule lists in Requires, for the
// file's package. Asking for another fact is a bug of the rule: it panics.
func (p *Pass) Fact(f *Fact) any {
	v, ok := p.facts[f]
	if !ok {
		panic(fmt.Sprintf("go rule %s asks for fact %s, which it does not list in Requires", p.rule.Name, f.Name))
	}
	return v
}

// Rewrite records a site at pos rewritten by edits.
func (p *Pass) Rewrite(pos token.Pos, edits ...Edit) {
	p.sites = append(p.sites, Site{Pos: pos, Edits: edits})
}

// Report records a site at pos left for a person, with what to do; with
// todo, a "// TODO(migrate): message" comment goes above its statement.
func (p *Pass) Report(pos token.Pos, message string, todo bool) {
	p.sites = append(p.sites, Site{Pos: pos, Message: message, TODO: todo})
}

// Add records a site as given: edits and a finding together.
func (p *Pass) Add(s Site) { p.sites = append(p.sites, s) }

// Rename returns the edit that renames the identifier id.
func Rename(id *ast.Ident, name string) Edit {
	return Edit{Node: id, New: func(old dst.Node) dst.Node {
		old.(*dst.Ident).Name = name
		return old
	}}
}

// Replace returns the edit that replaces n by what with returns (see
// Edit.New).
func Replace(n ast.Node, with func(old dst.Node) dst.Node) Edit {
	return Edit{Node: n, New: with}
}

// Wrap returns the edit that puts the expression e inside what wrap builds
// around it (&e, *e, int(e)): the wrapper takes e's place and comments.
func Wrap(e ast.Expr, wrap func(dst.Expr) dst.Expr) Edit {
	return Replace(e, func(old dst.Node) dst.Node {
		x := old.(dst.Expr)
		decs := *x.Decorations()
		*x.Decorations() = dst.NodeDecs{}
		w := wrap(x)
		*w.Decorations() = decs
		return w
	})
}

// Unwrap returns the edit that replaces the expression e by the part of it
// that inner picks (&x becomes x, x.WithContext(ctx) becomes x), which
// takes e's place and comments.
func Unwrap(e ast.Expr, inner func(dst.Expr) dst.Expr) Edit {
	return Replace(e, func(old dst.Node) dst.Node {
		o := old.(dst.Expr)
		x := inner(o)
		od, xd := o.Decorations(), x.Decorations()
		xd.Start = append(od.Start, xd.Start...)
		xd.End = append(xd.End, od.End...)
		xd.Before, xd.After = od.Before, od.After
		return x
	})
}

// Delete returns the edit that removes the statement or composite literal
// element n from its list.
func Delete(n ast.Node) Edit { return Edit{Node: n, Delete: true} }

// InsertAfter returns the edit that puts the statement or element mk
// builds after n, in n's list.
func InsertAfter(n ast.Node, mk func() dst.Node) Edit { return Edit{Node: n, After: mk} }

// SetImportPath returns the edit that moves an import to path; name is the
// package name there, or "" when it is the old package's name.
func SetImportPath(spec *ast.ImportSpec, path, name string) Edit {
	return Edit{Node: spec, Import: &ImportChange{Path: path, Name: name}}
}

// MoveRequalified returns the edit that moves an unnamed import to path,
// whose package is called name, where the rule renames each use of the
// import to name (rename the X of every pkg.Sel): the import line, and its
// comment, stay without an explicit name.
func MoveRequalified(spec *ast.ImportSpec, path, name string) Edit {
	return Edit{Node: spec, Import: &ImportChange{Path: path, Name: name, Requalified: true}}
}

// ReplaceUse returns the edit that replaces a use of a package-level
// object, qualified ("ioutil.ReadDir") or dot-imported ("ReadDir"), by the
// symbol name of the package at path, which the engine imports.
func (p *Pass) ReplaceUse(id *ast.Ident, path, name string) Edit {
	sel, x := qualifiedUse(p, id)
	if sel == nil {
		q := p.Qualifier(path, id.Pos())
		return Edit{Node: id, Unuse: []*ast.Ident{id}, New: func(old dst.Node) dst.Node {
			n := &dst.SelectorExpr{X: q, Sel: dst.NewIdent(name)}
			n.Decs.NodeDecs = old.(*dst.Ident).Decs.NodeDecs
			return n
		}}
	}
	q := p.Qualifier(path, sel.Pos())
	return Edit{Node: sel, Unuse: []*ast.Ident{x}, New: func(old dst.Node) dst.Node {
		s := old.(*dst.SelectorExpr)
		q.Decs = s.X.(*dst.Ident).Decs
		s.X = q
		s.Sel.Name = name
		return s
	}}
}
