// Package uuidrule holds the satori/go.uuid rules that the rule-file
// format cannot express: the ones that depend on which satori API the
// module was built against, and on addressability.
package uuidrule

import (
	"fmt"
	"go/ast"
	"go/types"

	"github.com/dave/dst"
	"github.com/migrate-tool/migrate/rules"
)

const satori = "github.com/satori/go.uuid"

// Rules returns the satori rules written in Go.
func Rules() []*rules.GoRule { return []*rules.GoRule{Generators, Bytes, GofrsGenerators} }

// Generators moves NewV4 and NewV1 by their signature, not their name:
// satori v1.2.0 returns one value (and panics on a crypto/rand failure),
// master after the tag returns (UUID, error).
var Generators = &rules.GoRule{
	Name: "satori-uuid-generators",
	Doc: "NewV4 becomes uuid.New where it returns one value (v1.2.0) and uuid.NewRandom where it returns " +
		"(UUID, error) (master), also as a function value; NewV1 becomes uuid.NewUUID, wrapped in uuid.Must " +
		"for the one-value form (its function values are reported)",
	Paths: []string{satori},
	Run:   runGenerators,
}

var (
	newV4 = rules.NewMatcher(rules.Ref{Paths: []string{satori}, Pkg: "uuid", Name: "NewV4"})
	newV1 = rules.NewMatcher(rules.Ref{Paths: []string{satori}, Pkg: "uuid", Name: "NewV1"})
)

func results(obj types.Object) int {
	if sig, ok := obj.Type().(*types.Signature); ok {
		return sig.Results().Len()
	}
	return 0
}

// callOf returns the call whose function is the use id, or nil.
func callOf(p *rules.Pass, id *ast.Ident) (*ast.CallExpr, ast.Expr) {
	parents := p.Parents(id)
	var fun ast.Expr = id
	if sel, ok := parents[0].(*ast.SelectorExpr); ok && sel.Sel == id {
		fun, parents = sel, parents[1:]
	}
	if call, ok := parents[0].(*ast.CallExpr); ok && call.Fun == fun {
		return call, fun
	}
	return nil, fun
}

func runGenerators(p *rules.Pass) error {
	for _, u := range p.UsesOf(newV4) {
		name := "New"
		if results(u.Obj) == 2 {
			name = "NewRandom"
		}
		p.Rewrite(u.Ident.Pos(), rules.Rename(u.Ident, name))
	}
	for _, u := range p.UsesOf(newV1) {
		if results(u.Obj) == 2 {
			p.Rewrite(u.Ident.Pos(), rules.Rename(u.Ident, "NewUUID"))
			continue
		}
		wrapInMust(p, u, "NewUUID", "google/uuid's NewUUID", false)
	}
	return nil
}

// wrapInMust rewrites a call of u, a one-value generator, to Must(NAME())
// (name "": the name kept). A function value of it, whose type changes
// (what becomes NAME returns (UUID, error)), becomes a func literal
// returning Must(NAME()) with literal, and is reported otherwise.
func wrapInMust(p *rules.Pass, u rules.Use, name, what string, literal bool) {
	call, fun := callOf(p, u.Ident)
	qual := ""
	if sel, ok := fun.(*ast.SelectorExpr); ok {
		if x, ok := sel.X.(*ast.Ident); ok {
			qual = x.Name
		}
	}
	qualified := func(n string) dst.Expr {
		if qual == "" {
			return dst.NewIdent(n)
		}
		return &dst.SelectorExpr{X: dst.NewIdent(qual), Sel: dst.NewIdent(n)}
	}
	if call == nil && literal && name == "" {
		p.Rewrite(u.Ident.Pos(), rules.Wrap(fun, func(x dst.Expr) dst.Expr {
			ret := &dst.ReturnStmt{Results: []dst.Expr{&dst.CallExpr{Fun: qualified("Must"), Args: []dst.Expr{&dst.CallExpr{Fun: x}}}}}
			return &dst.FuncLit{
				Type: &dst.FuncType{Params: &dst.FieldList{}, Results: &dst.FieldList{List: []*dst.Field{{Type: qualified("UUID")}}}},
				Body: &dst.BlockStmt{List: []dst.Stmt{ret}},
			}
		}))
		return
	}
	if call == nil {
		p.Report(u.Ident.Pos(), fmt.Sprintf("uuid.%s used as a func() UUID value: %s returns (UUID, error); wrap it in a func literal with uuid.Must", u.Ident.Name, what), true)
		return
	}
	edits := []rules.Edit{rules.Wrap(call, func(x dst.Expr) dst.Expr {
		return &dst.CallExpr{Fun: qualified("Must"), Args: []dst.Expr{x}}
	})}
	if name != "" {
		edits = append([]rules.Edit{rules.Rename(u.Ident, name)}, edits...)
	}
	p.Rewrite(u.Ident.Pos(), edits...)
}

// GofrsGenerators wraps the one-value NewV4 and NewV1 of satori v1.2.0 in
// Must for gofrs/uuid/v5, whose generators have the signatures of satori
// master, (UUID, error): master's calls stay as they are.
var GofrsGenerators = &rules.GoRule{
	Name: "satori-uuid-gofrs-generators",
	Doc: "a call of the one-value NewV4 or NewV1 (satori v1.2.0) becomes uuid.Must(uuid.NewV4()), as gofrs returns " +
		"(UUID, error) like satori master, whose calls stay; a function value of the one-value form becomes " +
		"func() uuid.UUID { return uuid.Must(uuid.NewV4()) }",
	Paths: []string{satori},
	Run:   runGofrsGenerators,
}

func runGofrsGenerators(p *rules.Pass) error {
	for _, m := range []*rules.Matcher{newV4, newV1} {
		for _, u := range p.UsesOf(m) {
			if results(u.Obj) == 1 {
				wrapInMust(p, u, "", "gofrs/uuid's "+u.Ident.Name, true)
			}
		}
	}
	return nil
}

// Bytes rewrites u.Bytes() to u[:] where u is addressable.
var Bytes = &rules.GoRule{
	Name: "satori-uuid-bytes",
	Doc: "u.Bytes() becomes u[:] where u is addressable (a variable, a field of one, an element of a " +
		"slice or array variable, *p); google/uuid has no Bytes, so other calls (on a call result) are reported",
	Paths: []string{satori},
	Run:   runBytes,
}

var bytesM = rules.NewMatcher(rules.Ref{Paths: []string{satori}, Pkg: "uuid", Name: "UUID", Member: "Bytes"})

func runBytes(p *rules.Pass) error {
	for _, u := range p.UsesOf(bytesM) {
		parents := p.Parents(u.Ident)
		sel, ok := parents[0].(*ast.SelectorExpr)
		var call *ast.CallExpr
		if ok && len(parents) > 1 {
			call, _ = parents[1].(*ast.CallExpr)
		}
		if call == nil || call.Fun != sel || !addressable(p, sel.X) || isPointer(p, sel.X) {
			p.Report(u.Ident.Pos(), "UUID.Bytes has no google/uuid equivalent here: store the UUID in a variable and slice it (u[:])", true)
			continue
		}
		p.Rewrite(u.Ident.Pos(), rules.Replace(call, func(old dst.Node) dst.Node {
			c := old.(*dst.CallExpr)
			x := c.Fun.(*dst.SelectorExpr).X
			s := &dst.SliceExpr{X: x}
			s.Decs.NodeDecs = c.Decs.NodeDecs
			return s
		}))
	}
	return nil
}

func isPointer(p *rules.Pass, e ast.Expr) bool {
	_, ok := p.Info().TypeOf(e).(*types.Pointer)
	return ok
}

// addressable reports whether e is addressable, as the spec defines it.
func addressable(p *rules.Pass, e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return addressable(p, e.X)
	case *ast.Ident:
		_, ok := p.Info().Uses[e].(*types.Var)
		return ok
	case *ast.StarExpr:
		return true
	case *ast.SelectorExpr:
		s := p.Info().Selections[e]
		if s == nil || s.Kind() != types.FieldVal {
			return false
		}
		if s.Indirect() || isPointer(p, e.X) {
			return true
		}
		return addressable(p, e.X)
	case *ast.IndexExpr:
		switch p.Info().TypeOf(e.X).Underlying().(type) {
		case *types.Slice:
			return true
		case *types.Array:
			return addressable(p, e.X)
		case *types.Pointer:
			return true
		}
	}
	return false
}
