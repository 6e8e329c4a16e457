// Package protobufrule holds the github.com/golang/protobuf rules that the
// rule-file format cannot express: the ones that depend on whether a value
// is, or will be, a v2 message, on the name a known-type import is used
// under, and on the statement a two-result call stands in.
package protobufrule

import (
	"go/ast"
	"go/types"
	"strings"

	"github.com/dave/dst"
	"github.com/migrate-tool/migrate/rules"
)

// The import paths the rules look at and add.
const (
	v1Proto    = "github.com/golang/protobuf/proto"
	v1Ptypes   = "github.com/golang/protobuf/ptypes"
	v1JSONPB   = "github.com/golang/protobuf/jsonpb"
	v2Proto    = "google.golang.org/protobuf/proto"
	protoadapt = "google.golang.org/protobuf/protoadapt"
	protojson  = "google.golang.org/protobuf/encoding/protojson"
	protoiface = "google.golang.org/protobuf/runtime/protoiface"
	timestamp  = "google.golang.org/protobuf/types/known/timestamppb"
	duration   = "google.golang.org/protobuf/types/known/durationpb"
)

// Rules returns the golang/protobuf rules written in Go.
func Rules() []*rules.GoRule {
	return []*rules.GoRule{KnownTypeNames, TwoResults, Messages, JSONCalls, Dependencies}
}

// kind says what a message value is, and will be once the file moves.
type kind int

const (
	// unknown: the rule cannot tell.
	unknown kind = iota
	// v2: its type has ProtoReflect (every generated message since 2020).
	v2
	// becomesV2: typed v1 proto.Message by code of the module, which the
	// move turns into v2 proto.Message.
	becomesV2
	// staysV1: a v1 message of a dependency (an interface it returns, a
	// type with Reset/String/ProtoMessage only).
	staysV1
)

// messageKind classifies the message value e.
func messageKind(p *rules.Pass, e ast.Expr) kind {
	t := p.Info().TypeOf(e)
	if t == nil {
		return unknown
	}
	if hasMethod(t, "ProtoReflect") {
		return v2
	}
	if !isMessageV1(t) {
		if hasMethod(t, "ProtoMessage") {
			return staysV1 // gogo or pre-2020 generated code
		}
		return unknown
	}
	return origin(p, e, 0)
}

// origin tells whether the v1 proto.Message value e gets its type from
// code of the module (which moves to v2) or from a dependency.
func origin(p *rules.Pass, e ast.Expr, depth int) kind {
	if depth > 4 {
		return unknown
	}
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return varOrigin(p, p.Info().Uses[e], depth)
	case *ast.SelectorExpr:
		return varOrigin(p, p.Info().Uses[e.Sel], depth)
	case *ast.CallExpr:
		if tv, ok := p.Info().Types[e.Fun]; ok && tv.IsType() {
			return becomesV2 // a conversion to a type written here
		}
		if fn := calleeObj(p, e); fn != nil && fn.Pkg() != nil {
			if fn.Pkg().Path() == v1Proto {
				return becomesV2 // Clone: its result moves with the package
			}
			return pkgOrigin(p, fn.Pkg())
		}
	case *ast.TypeAssertExpr:
		return becomesV2 // the type is written in this file
	case *ast.IndexExpr:
		return origin(p, e.X, depth+1)
	}
	return unknown
}

// varOrigin classifies a variable, field or function result: declared in
// the module, a variable typed by a declaration moves with it, while a
// variable whose type was inferred from a value follows that value.
func varOrigin(p *rules.Pass, obj types.Object, depth int) kind {
	v, ok := obj.(*types.Var)
	if !ok {
		return unknown
	}
	if k := pkgOrigin(p, v.Pkg()); k != becomesV2 || v.IsField() {
		return k
	}
	if v.Pkg() != p.Pkg() {
		return becomesV2 // a package-level var of another package of the module
	}
	for _, id := range declIdents(p, v) {
		parents := p.Parents(id)
		switch d := parents[0].(type) {
		case *ast.Field:
			return becomesV2 // a parameter or result
		case *ast.ValueSpec:
			if d.Type != nil {
				return becomesV2
			}
			if i := indexOf(d.Names, id); len(d.Values) == len(d.Names) {
				return origin(p, d.Values[i], depth+1)
			}
		case *ast.AssignStmt:
			if i := indexOf(d.Lhs, id); len(d.Rhs) == len(d.Lhs) {
				return origin(p, d.Rhs[i], depth+1)
			} else if len(d.Rhs) == 1 {
				return origin(p, d.Rhs[0], depth+1)
			}
		}
	}
	return unknown
}

// declIdents returns the identifier declaring v, when it is in this file.
func declIdents(p *rules.Pass, v *types.Var) []*ast.Ident {
	var out []*ast.Ident
	for id, obj := range p.Info().Defs {
		if obj == v && id.Pos() >= p.AST().FileStart && id.Pos() < p.AST().FileEnd {
			out = append(out, id)
		}
	}
	return out
}

func indexOf[E ast.Expr](list []E, id *ast.Ident) int {
	for i, e := range list {
		if ast.Expr(e) == ast.Expr(id) {
			return i
		}
	}
	return -1
}

// pkgOrigin: a value declared by the module becomes v2, a dependency's
// stays v1.
func pkgOrigin(p *rules.Pass, pkg *types.Package) kind {
	if pkg == nil {
		return unknown
	}
	path, mod := strings.TrimSuffix(pkg.Path(), "_test"), p.Module()
	if path == mod || strings.HasPrefix(path, mod+"/") {
		return becomesV2
	}
	return staysV1
}

func calleeObj(p *rules.Pass, call *ast.CallExpr) types.Object {
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		return p.Info().Uses[f]
	case *ast.SelectorExpr:
		return p.Info().Uses[f.Sel]
	}
	return nil
}

// isMessageV1 reports whether t is v1 proto.Message (protoiface.MessageV1).
func isMessageV1(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == protoiface && n.Obj().Name() == "MessageV1"
}

func hasMethod(t types.Type, name string) bool {
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, name)
	_, ok := obj.(*types.Func)
	return ok
}

// qualified builds pkg.name with q as the package's identifier.
func qualified(q *dst.Ident, name string) *dst.SelectorExpr {
	return &dst.SelectorExpr{X: q, Sel: dst.NewIdent(name)}
}

// enclosingFunc returns the innermost function declaration or literal
// around n, for choosing a fresh name.
func enclosingFunc(p *rules.Pass, n ast.Node) ast.Node {
	for _, a := range p.Parents(n) {
		switch a.(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			return a
		}
	}
	return p.AST()
}
