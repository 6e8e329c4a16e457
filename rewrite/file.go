package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"golang.org/x/tools/go/ast/astutil"

	"github.com/migrate-tool/migrate/rules"
)

// fileCtx is one file being rewritten: it implements rules.File.
type fileCtx struct {
	// identUses are the file's identifiers that refer to an object.
	identUses []rules.IdentUse
	tf        *typedFile
	mod       *Module
	names     map[string]string // package name of each import path rules add
	set       string            // name of the rule set being applied
	// aliases maps the names of the set's packages that the file imports
	// under another name to that name, for the messages of its findings.
	aliases map[string]string
	facts   *factCache
	dec     *decorator.Decorator
	dfile   *dst.File
	parents map[ast.Node]ast.Node
	usesOf  map[types.Object][]*ast.Ident

	quals  map[string][]qualifier // by import path
	unused map[*ast.Ident]bool
	// edits are the scheduled replacements by decorated node, in rule
	// order; editNodes their original nodes, in the order scheduled.
	edits     map[dst.Node][]*edit
	editNodes []ast.Node
	// replacedAST holds the original nodes of the scheduled replacements.
	replacedAST map[ast.Node]bool
	newPaths    map[*ast.ImportSpec]pathChange
	// final holds the nodes of the decorated tree once the edits are made.
	final map[dst.Node]bool
	todos map[ast.Node][]string
	// personTodos are the TODO anchors of the sites left for a person.
	personTodos map[ast.Node]bool
	sites       map[string]int
	uses        []Finding // every site rewritten, with its position
	findings    []Finding
	ignores     map[int]ignoreDirective // by line
	describe    func(rules.Rule) string
	// editSpans and reported are where each rule edited the file and the
	// sites it left for a person, for the check of the rewrite.
	editSpans, reported []span
	// newFiles are the files the rules' sites add to the module.
	newFiles []newFile
}

type qualifier struct {
	id  *dst.Ident
	pos token.Pos
}

type pathChange struct {
	path, name, rule string
	requalified      bool
}

var _ rules.File = (*fileCtx)(nil)

func newFileCtx(tf *typedFile, mod *Module, names map[string]string, facts *factCache) (*fileCtx, error) {
	dec := decorator.NewDecorator(tf.unit.Fset)
	dfile, err := dec.DecorateFile(tf.syntax)
	if err != nil {
		return nil, err
	}
	return &fileCtx{
		tf: tf, mod: mod, names: names, facts: facts, dec: dec, dfile: dfile,
		quals:       map[string][]qualifier{},
		unused:      map[*ast.Ident]bool{},
		edits:       map[dst.Node][]*edit{},
		replacedAST: map[ast.Node]bool{},
		newPaths:    map[*ast.ImportSpec]pathChange{},
		todos:       map[ast.Node][]string{},
		personTodos: map[ast.Node]bool{},
		sites:       map[string]int{},
	}, nil
}

func (f *fileCtx) Fset() *token.FileSet { return f.tf.unit.Fset }
func (f *fileCtx) AST() *ast.File       { return f.tf.syntax }
func (f *fileCtx) Info() *types.Info    { return f.tf.unit.Info }
func (f *fileCtx) Pkg() *types.Package  { return f.tf.unit.Types }
func (f *fileCtx) Module() string       { return f.mod.Path }

func (f *fileCtx) Migrates(pkgPath string) bool {
	return slices.ContainsFunc(append([]string{f.mod.Path}, f.mod.together...), func(mod string) bool {
		return pkgPath == mod || strings.HasPrefix(pkgPath, mod+"/")
	})
}
func (f *fileCtx) Dst(n ast.Node) dst.Node { return f.dec.Dst.Nodes[n] }

func (f *fileCtx) Parents(n ast.Node) []ast.Node {
	if f.parents == nil {
		f.parents = parentMap(f.tf.syntax)
	}
	var out []ast.Node
	for p := f.parents[n]; p != nil; p = f.parents[p] {
		out = append(out, p)
	}
	return out
}

func parentMap(file *ast.File) map[ast.Node]ast.Node {
	m := map[ast.Node]ast.Node{}
	var stack []ast.Node
	ast.Inspect(file, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if len(stack) > 0 {
			m[n] = stack[len(stack)-1]
		}
		stack = append(stack, n)
		return true
	})
	return m
}

func (f *fileCtx) Uses(obj types.Object) []*ast.Ident {
	if f.usesOf == nil {
		f.usesOf = map[types.Object][]*ast.Ident{}
		for _, u := range f.IdentUses() {
			f.usesOf[u.Obj] = append(f.usesOf[u.Obj], u.Ident)
		}
	}
	return f.usesOf[obj]
}

// IdentUses walks the file once for every rule that asks.
func (f *fileCtx) IdentUses() []rules.IdentUse {
	if f.identUses == nil {
		f.identUses = []rules.IdentUse{}
		info := f.Info()
		ast.Inspect(f.tf.syntax, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if o := info.Uses[id]; o != nil {
					f.identUses = append(f.identUses, rules.IdentUse{Ident: id, Obj: o})
				}
			}
			return true
		})
	}
	return f.identUses
}

func (f *fileCtx) Qualifier(path string, pos token.Pos) *dst.Ident {
	id := dst.NewIdent("")
	f.quals[path] = append(f.quals[path], qualifier{id: id, pos: pos})
	return id
}

func (f *fileCtx) Replaced(n ast.Node) bool {
	if f.replacedAST[n] {
		return true
	}
	for _, p := range f.Parents(n) {
		if f.replacedAST[p] {
			return true
		}
	}
	return false
}

func (f *fileCtx) ruleName(r rules.Rule) string { return f.set + "/" + r.ID() }

// rewrote counts one site rewritten by r at pos.
func (f *fileCtx) rewrote(r rules.Rule, pos token.Pos) {
	f.sites[f.ruleName(r)]++
	f.editSpans = append(f.editSpans, f.span(f.ruleName(r), pos, pos, pos))
	f.uses = append(f.uses, Finding{Pos: f.position(pos), Rule: f.ruleName(r), Kind: Rewritable, Message: f.describe(r)})
}

func (f *fileCtx) position(pos token.Pos) token.Position {
	p := f.Fset().Position(pos)
	p.Filename = f.mod.rel(p.Filename)
	return p
}

// ignored reports whether the site at pos carries a //migrate:ignore
// comment for the rule set (on its line or the line above), and if so
// lists it as ignored.
func (f *fileCtx) ignored(r rules.Rule, pos token.Pos) bool {
	p := f.position(pos)
	reason, ok := f.ignoreAt(p.Line)
	if !ok {
		return false
	}
	f.findings = append(f.findings, Finding{Pos: p, Rule: f.ruleName(r), Kind: Ignored,
		Message: "left as is by //migrate:ignore: " + reason})
	from, to := f.siteSpan(pos)
	f.reported = append(f.reported, f.span(f.set+"/"+r.ID(), pos, from, to))
	return true
}

// ignoreAt returns the reason of a //migrate:ignore comment for the
// current rule set on line or the line above.
func (f *fileCtx) ignoreAt(line int) (string, bool) {
	if f.ignores == nil {
		f.ignores = ignoreDirectives(f.Fset(), f.tf.syntax)
	}
	for _, l := range []int{line, line - 1} {
		if d, ok := f.ignores[l]; ok && (d.set == f.set || d.set == "all") {
			return d.reason, true
		}
	}
	return "", false
}

// report records a site of r left for a person, or with forPerson
// false a note on a site r rewrote, which the check of the rewrite does
// not hold type errors against; with todo, a
// "// TODO(migrate): message" comment goes above its statement or
// declaration (once: a second run adds nothing).
func (f *fileCtx) report(r rules.Rule, pos token.Pos, message string, todo, forPerson bool) {
	message = f.localize(message)
	p := f.position(pos)
	f.findings = append(f.findings, Finding{Pos: p, Rule: f.ruleName(r), Kind: Manual, Message: message})
	if forPerson {
		from, to := f.siteSpan(pos)
		f.reported = append(f.reported, f.span(f.ruleName(r), pos, from, to))
	}
	if !todo {
		return
	}
	if n := f.todoAnchor(pos); n != nil {
		f.todos[n] = appendUnique(f.todos[n], message)
		f.personTodos[n] = f.personTodos[n] || forPerson
	}
}

// ReportedAt also asks that an earlier site left for a person cover the
// whole site at pos, so that the check of the rewrite holds no type error
// there against a rule that leaves it unreported.
func (f *fileCtx) ReportedAt(pos token.Pos) bool {
	if n := f.todoAnchor(pos); n == nil || !f.personTodos[n] {
		return false
	}
	from, to := f.siteSpan(pos)
	first, last := f.Fset().Position(from).Line, f.Fset().Position(to).Line
	for _, s := range f.reported {
		if s.first <= first && last <= s.last {
			return true
		}
	}
	return false
}

// todoAnchor returns the statement or declaration that a TODO comment for
// pos goes above: the innermost one that stands in a statement list or at
// the top level of the file.
func (f *fileCtx) todoAnchor(pos token.Pos) ast.Node {
	path, _ := astutil.PathEnclosingInterval(f.tf.syntax, pos, pos)
	for i := 0; i+1 < len(path); i++ {
		switch path[i+1].(type) {
		case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
			if _, ok := path[i].(ast.Stmt); ok {
				return path[i]
			}
		case *ast.File:
			return path[i]
		}
	}
	return nil
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
