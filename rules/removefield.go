package rules

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
)

// removeField deletes a struct field that the new API dropped from the
// composite literals and the plain assignments ("x.F = v") that set it to
// a constant. One that sets it to anything else keeps it, reported:
// computing the value may matter, and dropping it could leave a variable
// unused. Every other use is reported. With a message of the rule's own,
// each deletion is reported too: the message says what behaviour went.
type removeField struct {
	base
	ref    Ref
	msg    string
	noteOf bool // report deletions with msg
}

func newRemoveField(set *Set, spec *Spec) (*removeField, error) {
	ref, err := parseRef(set, spec.RemoveField, true)
	if err != nil {
		return nil, err
	}
	if ref.Member == "*" {
		return nil, fmt.Errorf("%q: name one field, not \"*\"", spec.RemoveField)
	}
	msg := spec.Message
	if msg == "" {
		msg = fmt.Sprintf("%s.%s is gone", ref.Name, ref.Member)
		if ref.Name == "*" {
			msg = fmt.Sprintf("field %s is gone", ref.Member)
		}
	}
	return &removeField{base: base{spec: spec, paths: ref.Paths}, ref: ref, msg: msg, noteOf: spec.Message != ""}, nil
}

func (r *removeField) run(p *Pass) error {
	eachUse(p, func(id *ast.Ident, obj types.Object) {
		if v, ok := obj.(*types.Var); !ok || !r.ref.isField(v) {
			return
		}
		set := FieldSet(p, id)
		switch {
		case set == nil:
			p.Report(id.Pos(), r.msg+": remove this use", r.spec.TODO)
			return
		case !isConstant(p.Info(), set.Value):
			p.Report(id.Pos(), fmt.Sprintf("%s: its value %s is not a constant, so the field was left: delete it, keeping what computing the value does", r.msg, types.ExprString(set.Value)), r.spec.TODO)
			return
		}
		site := Site{Pos: id.Pos(), Edits: []Edit{Delete(set.Node)}}
		if r.noteOf {
			site.Message = r.msg
		}
		p.Add(site)
	})
	return nil
}

// FieldSetting is a use of a struct field that sets it: as the key of an
// element of a composite literal, or as the target of a plain assignment
// statement "x.F = v" that stands in a block or clause.
type FieldSetting struct {
	Lit    *ast.CompositeLit // the literal, for an element
	KV     *ast.KeyValueExpr // the element
	Assign *ast.AssignStmt   // the assignment
	Node   ast.Node          // KV or Assign: what a deletion removes
	Value  ast.Expr          // the value set
}

// FieldSet tells how id, a use of a struct field, sets it, or returns nil
// for every other use.
func FieldSet(v View, id *ast.Ident) *FieldSetting {
	parents := v.Parents(id)
	if len(parents) < 2 {
		return nil
	}
	switch p := parents[0].(type) {
	case *ast.KeyValueExpr:
		if lit, ok := parents[1].(*ast.CompositeLit); ok && p.Key == id {
			return &FieldSetting{Lit: lit, KV: p, Node: p, Value: p.Value}
		}
	case *ast.SelectorExpr:
		as, ok := parents[1].(*ast.AssignStmt)
		if ok && p.Sel == id && len(parents) > 2 && as.Tok == token.ASSIGN && len(as.Lhs) == 1 && as.Lhs[0] == p && IsStmtList(parents[2]) {
			return &FieldSetting{Assign: as, Node: as, Value: as.Rhs[0]}
		}
	}
	return nil
}

// IsStmtList reports whether n holds a list of statements (a block or a
// case or select clause): where a statement can be deleted or inserted.
func IsStmtList(n ast.Node) bool {
	switch n.(type) {
	case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
		return true
	}
	return false
}

// isConstant reports whether e is a constant expression or nil.
func isConstant(info *types.Info, e ast.Expr) bool {
	tv, ok := info.Types[e]
	return ok && (tv.Value != nil || tv.IsNil())
}

// Indirect: a field can be reached through another package's values.
func (r *removeField) Indirect() bool { return true }
