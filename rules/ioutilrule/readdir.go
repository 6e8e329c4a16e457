// Package ioutilrule holds the io/ioutil rules that the rule-file format
// cannot express.
package ioutilrule

import (
	"fmt"
	"go/ast"
	"go/types"

	"github.com/migrate-tool/migrate/rules"
)

// ReadDir moves ioutil.ReadDir to os.ReadDir where that is exact.
// os.ReadDir returns []fs.DirEntry instead of []fs.FileInfo, so a call is
// rewritten only when its result is discarded, or only ranged over,
// indexed and measured with len, with nothing but Name() and IsDir()
// called on the elements: the methods the two types share with the same
// meaning. Every other call is reported, with a TODO.
var ReadDir = &rules.GoRule{
	Name: "ioutil-readdir",
	Doc: "ioutil.ReadDir becomes os.ReadDir where the entries are only ranged over, indexed or counted " +
		"and only Name() and IsDir() are called on them; other calls are reported",
	Paths: []string{"io/ioutil"},
	// io/ioutil has no types, so only importers use it.
	ImportersOnly: true,
	NewPaths:      []string{"os"},
	Run:           runReadDir,
}

var readDir = rules.NewMatcher(rules.Ref{Paths: []string{"io/ioutil"}, Pkg: "ioutil", Name: "ReadDir"})

func runReadDir(p *rules.Pass) error {
	for _, u := range p.UsesOf(readDir) {
		if why := unsafeUse(p, u.Ident); why != "" {
			p.Report(u.Ident.Pos(), fmt.Sprintf("ioutil.ReadDir left as is: %s, but os.ReadDir returns []fs.DirEntry; convert by hand with DirEntry.Info()", why), true)
			continue
		}
		p.Rewrite(u.Ident.Pos(), p.ReplaceUse(u.Ident, "os", "ReadDir"))
	}
	return nil
}

// unsafeUse returns why the call through id cannot become os.ReadDir, or "".
func unsafeUse(f rules.View, id *ast.Ident) string {
	parents := f.Parents(id)
	var fun ast.Expr = id
	if sel, ok := parents[0].(*ast.SelectorExpr); ok && sel.Sel == id {
		fun, parents = sel, parents[1:]
	}
	call, ok := parents[0].(*ast.CallExpr)
	if !ok || call.Fun != fun {
		return "it is used as a function value"
	}
	assign, ok := parents[1].(*ast.AssignStmt)
	if !ok || len(assign.Rhs) != 1 || len(assign.Lhs) != 2 {
		return "its []fs.FileInfo result is passed on"
	}
	lhs, ok := assign.Lhs[0].(*ast.Ident)
	if !ok {
		return "its result is stored in a field or element"
	}
	if lhs.Name == "_" {
		return ""
	}
	v, _ := f.Info().Defs[lhs].(*types.Var)
	if v == nil {
		return "its result goes to a variable declared as []fs.FileInfo"
	}
	for _, use := range f.Uses(v) {
		if why := entriesUse(f, use); why != "" {
			return why
		}
	}
	return ""
}

// entriesUse checks one use of the result slice.
func entriesUse(f rules.View, use *ast.Ident) string {
	parents := f.Parents(use)
	switch p := parents[0].(type) {
	case *ast.RangeStmt:
		if p.X != use {
			break
		}
		return elemVarUses(f, p.Value)
	case *ast.IndexExpr:
		if p.X == use && len(parents) > 1 {
			return elemUse(parents[1:], p)
		}
	case *ast.CallExpr:
		if fn, ok := p.Fun.(*ast.Ident); ok && fn.Name == "len" && isBuiltin(f, fn) {
			return ""
		}
	}
	// No line number in the message: it goes into a TODO comment, which
	// moves lines; the finding itself has the position.
	return fmt.Sprintf("%s is used as a []fs.FileInfo", use.Name)
}

func isBuiltin(f rules.View, id *ast.Ident) bool {
	_, ok := f.Info().Uses[id].(*types.Builtin)
	return ok
}

// elemVarUses checks every use of the range value variable.
func elemVarUses(f rules.View, value ast.Expr) string {
	id, ok := value.(*ast.Ident)
	if !ok || id.Name == "_" {
		return ""
	}
	v, _ := f.Info().Defs[id].(*types.Var)
	if v == nil {
		return "the range value goes to a variable declared elsewhere"
	}
	for _, use := range f.Uses(v) {
		if why := elemUse(f.Parents(use), use); why != "" {
			return why
		}
	}
	return ""
}

// elemUse accepts e.Name() and e.IsDir(), where parents enclose e.
func elemUse(parents []ast.Node, e ast.Expr) string {
	sel, ok := parents[0].(*ast.SelectorExpr)
	if ok && sel.X == e && (sel.Sel.Name == "Name" || sel.Sel.Name == "IsDir") && len(parents) > 1 {
		if call, ok := parents[1].(*ast.CallExpr); ok && call.Fun == sel {
			return ""
		}
	}
	if sel != nil && sel.X == e {
		return fmt.Sprintf("%s is used on an entry (only Name and IsDir mean the same on fs.DirEntry)", sel.Sel.Name)
	}
	return "an entry is used as an fs.FileInfo"
}
