// Package pkgerrorsrule holds the github.com/pkg/errors rules that the
// rule-file format cannot express: Wrap and its kin, whose rewrite depends
// on whether the error can be nil at the call and on the message, and
// Cause, whose rewrite depends on how its result is used.
package pkgerrorsrule

import (
	"go/ast"
	"go/types"

	"github.com/migrate-tool/migrate/rules"
)

const pkgPath = "github.com/pkg/errors"

// Rules returns the pkg/errors rules written in Go.
func Rules() []*rules.GoRule { return []*rules.GoRule{Stdlib, Wrap, Cause} }

// calleeOf returns the function a call calls by name (f(...), pkg.F(...)),
// or nil.
func calleeOf(info *types.Info, call *ast.CallExpr) *types.Func {
	var id *ast.Ident
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		id = fun
	case *ast.SelectorExpr:
		id = fun.Sel
	}
	if id == nil {
		return nil
	}
	fn, _ := info.Uses[id].(*types.Func)
	return fn
}

// isMaker reports whether call makes a new error, never nil: New or
// Errorf of pkg/errors, errors.New, fmt.Errorf.
func isMaker(info *types.Info, call *ast.CallExpr) bool {
	fn := calleeOf(info, call)
	if fn == nil || fn.Pkg() == nil {
		return false
	}
	switch fn.Pkg().Path() + "." + fn.Name() {
	case pkgPath + ".New", pkgPath + ".Errorf", "errors.New", "fmt.Errorf":
		return true
	}
	return false
}

// qualifierOf returns the package name a use of a package-level symbol is
// qualified with (the X of errors.Wrap), or the identifier itself for a
// dot-imported use: what an edit that removes the use Unuses.
func qualifierOf(p *rules.Pass, id *ast.Ident) *ast.Ident {
	if sel, ok := p.Parents(id)[0].(*ast.SelectorExpr); ok && sel.Sel == id {
		if x, ok := sel.X.(*ast.Ident); ok {
			return x
		}
	}
	return id
}

// Stdlib moves New, Is, As and Unwrap to the standard library's errors,
// in a file that keeps nothing of pkg/errors. In a file where a site is
// left for a person (see keepsPkg), they stay: pkg/errors' Is, As and
// Unwrap call the standard library's, and the file then keeps one import
// named errors instead of gaining a second one (errors0); a run after the
// TODOs are done moves them.
var Stdlib = &rules.GoRule{
	Name: "pkg-errors-stdlib",
	Doc: "New, Is, As and Unwrap (calls and function values) move to the standard library's errors, in files " +
		"where no site keeps pkg/errors; a module on pkg/errors before v0.9.0 is told to require v0.9.1 first",
	Paths:         []string{pkgPath},
	ImportersOnly: true,
	NewPaths:      []string{"errors"},
	Requires:      []*rules.Fact{Sentinels},
	Run:           runStdlib,
}

var stdlibFuncs = rules.Funcs([]string{pkgPath}, "New", "Is", "As", "Unwrap")

func runStdlib(p *rules.Pass) error {
	reportOld(p)
	if keepsPkg(p) {
		return nil
	}
	for _, u := range p.UsesOf(stdlibFuncs) {
		p.Rewrite(u.Ident.Pos(), p.ReplaceUse(u.Ident, "errors", u.Obj.Name()))
	}
	return nil
}

var allSymbols = rules.Funcs([]string{pkgPath}, "Wrap", "Wrapf", "WithMessage", "WithMessagef", "WithStack",
	"Cause", "StackTrace", "Frame")

// keepsPkg reports whether the rule set leaves a use of pkg/errors in the
// file for a person: a Wrap it cannot prove safe, a Cause not compared, a
// function value, a stack trace type. It asks the same questions as the
// rules that decide.
func keepsPkg(p *rules.Pass) bool {
	for _, u := range p.UsesOf(allSymbols) {
		name := u.Obj.Name()
		call := rules.CallOf(p, u.Ident)
		switch {
		case name == "StackTrace" || name == "Frame":
			return true
		case call == nil:
			return true
		case name == "Cause":
			if cmp, _ := comparison(p, call); cmp == nil && causeSwitch(p, call) == nil {
				return true
			}
		case name != "WithStack":
			if !wrapRewritten(p, call, name) {
				return true
			}
		}
	}
	return false
}

// wrapRewritten reports whether the Wrap rule rewrites the call.
func wrapRewritten(p *rules.Pass, call *ast.CallExpr, name string) bool {
	if len(call.Args) < 2 {
		return false
	}
	if _, why := plan(p, call, name == "Wrapf" || name == "WithMessagef"); why != "" {
		return false
	}
	return nonNil(p, call.Args[0], call) || guardStmt(p, call) != nil
}

// reportOld tells, at each import of pkg/errors, when the module builds
// with a version before v0.9.0: its errors have no Unwrap method, so the
// standard library's Is and As do not see through the Wraps left in place
// (in this module or in a dependency) while the migration is partial.
func reportOld(p *rules.Pass) {
	for _, spec := range p.AST().Imports {
		pn := p.Info().PkgNameOf(spec)
		if pn == nil || pn.Imported().Path() != pkgPath || pn.Imported().Scope().Lookup("Unwrap") != nil {
			continue
		}
		p.Report(spec.Pos(), "this module builds with github.com/pkg/errors before v0.9.0, whose errors have no Unwrap: "+
			"Is and As of package errors do not see through a Wrap left in place, here or in a dependency; "+
			"require github.com/pkg/errors v0.9.1 (go get github.com/pkg/errors@v0.9.1) before migrating part of the module", false)
	}
}
