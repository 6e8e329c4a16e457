package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"golang.org/x/tools/go/ast/astutil"

	"github.com/migrate-tool/migrate/rules"
)

// fileCtx is one file being rewritten: it implements rules.File.
type fileCtx struct {
	tf      *typedFile
	mod     *Module
	names   map[string]string // package name of each import path rules add
	set     string            // name of the rule set being applied
	rule    string            // SET/ID of the rule being applied
	dec     *decorator.Decorator
	dfile   *dst.File
	parents map[ast.Node]ast.Node
	usesOf  map[types.Object][]*ast.Ident

	quals   map[string][]qualifier // by import path
	unused  map[*ast.Ident]bool
	replace map[dst.Node]func(dst.Node) dst.Node
	// replacedAST holds the original nodes of the scheduled replacements.
	replacedAST map[ast.Node]bool
	newPaths    map[*ast.ImportSpec]pathChange
	todos       map[ast.Node][]string
	sites       map[string]int
	uses        []Finding // every site rewritten, with its position
	findings    []Finding
	ignores     map[int]ignoreDirective // by line
	describe    func(rules.Rule) string
	// edits and reported are where each rule edited the file and the
	// sites it left for a person, for the check of the rewrite.
	edits, reported []span
}

type qualifier struct {
	id  *dst.Ident
	pos token.Pos
}

type pathChange struct{ path, name string }

var _ rules.File = (*fileCtx)(nil)

func newFileCtx(tf *typedFile, mod *Module, names map[string]string) (*fileCtx, error) {
	dec := decorator.NewDecorator(tf.pkg.Fset)
	dfile, err := dec.DecorateFile(tf.syntax)
	if err != nil {
		return nil, err
	}
	return &fileCtx{
		tf: tf, mod: mod, names: names, dec: dec, dfile: dfile,
		quals:       map[string][]qualifier{},
		unused:      map[*ast.Ident]bool{},
		replace:     map[dst.Node]func(dst.Node) dst.Node{},
		replacedAST: map[ast.Node]bool{},
		newPaths:    map[*ast.ImportSpec]pathChange{},
		todos:       map[ast.Node][]string{},
		sites:       map[string]int{},
	}, nil
}

func (f *fileCtx) Fset() *token.FileSet    { return f.tf.pkg.Fset }
func (f *fileCtx) AST() *ast.File          { return f.tf.syntax }
func (f *fileCtx) Info() *types.Info       { return f.tf.pkg.TypesInfo }
func (f *fileCtx) Pkg() *types.Package     { return f.tf.pkg.Types }
func (f *fileCtx) Module() string          { return f.mod.Path }
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
		ast.Inspect(f.tf.syntax, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if o := f.Info().Uses[id]; o != nil {
					f.usesOf[o] = append(f.usesOf[o], id)
				}
			}
			return true
		})
	}
	return f.usesOf[obj]
}

func (f *fileCtx) Qualifier(path string, pos token.Pos) *dst.Ident {
	id := dst.NewIdent("")
	f.quals[path] = append(f.quals[path], qualifier{id: id, pos: pos})
	return id
}

func (f *fileCtx) Unuse(id *ast.Ident) { f.unused[id] = true }

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

func (f *fileCtx) Replace(n ast.Node, with func(dst.Node) dst.Node) {
	d := f.Dst(n)
	if d == nil {
		return
	}
	f.replacedAST[n] = true
	f.edits = append(f.edits, f.span(f.rule, n.Pos(), n.Pos(), n.End()))
	if prev := f.replace[d]; prev != nil {
		// Two rules replace the same node: compose them in rule order.
		f.replace[d] = func(old dst.Node) dst.Node { return with(prev(old)) }
		return
	}
	f.replace[d] = with
}

func (f *fileCtx) SetImportPath(spec *ast.ImportSpec, path, name string) {
	f.newPaths[spec] = pathChange{path: path, name: name}
	f.edits = append(f.edits, f.span(f.rule, spec.Pos(), spec.Pos(), spec.End()))
}

func (f *fileCtx) Rewrote(r rules.Rule, pos token.Pos) {
	f.sites[f.set+"/"+r.ID()]++
	f.edits = append(f.edits, f.span(f.set+"/"+r.ID(), pos, pos, pos))
	f.uses = append(f.uses, Finding{Pos: f.position(pos), Rule: f.set + "/" + r.ID(), Kind: Rewritable, Message: f.describe(r)})
}

func (f *fileCtx) position(pos token.Pos) token.Position {
	p := f.Fset().Position(pos)
	p.Filename = f.mod.rel(p.Filename)
	return p
}

func (f *fileCtx) Ignored(r rules.Rule, pos token.Pos) bool {
	p := f.position(pos)
	reason, ok := f.ignoreAt(p.Line)
	if !ok {
		return false
	}
	f.findings = append(f.findings, Finding{Pos: p, Rule: f.set + "/" + r.ID(), Kind: Ignored,
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

func (f *fileCtx) Report(r rules.Rule, pos token.Pos, message string, todo bool) {
	p := f.position(pos)
	f.findings = append(f.findings, Finding{Pos: p, Rule: f.set + "/" + r.ID(), Kind: Manual, Message: message})
	from, to := f.siteSpan(pos)
	f.reported = append(f.reported, f.span(f.set+"/"+r.ID(), pos, from, to))
	if !todo {
		return
	}
	if n := f.todoAnchor(pos); n != nil {
		f.todos[n] = appendUnique(f.todos[n], message)
	}
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
