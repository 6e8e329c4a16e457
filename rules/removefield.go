package rules

import (
	"fmt"
	"go/ast"
	"go/types"
)

// removeField deletes a struct field that the new API dropped from the
// composite literals that set it to a constant. A literal that sets it to
// anything else keeps it, reported: computing the value may matter, and
// dropping it could leave a variable unused. Every other use is reported.
type removeField struct {
	base
	ref Ref
	msg string
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
	return &removeField{base: base{spec: spec, paths: ref.Paths}, ref: ref, msg: msg}, nil
}

func (r *removeField) run(p *Pass) error {
	eachUse(p, func(id *ast.Ident, obj types.Object) {
		if v, ok := obj.(*types.Var); !ok || !r.ref.isField(v) {
			return
		}
		switch kv := literalKey(p, id); {
		case kv == nil:
			p.Report(id.Pos(), r.msg+": remove this use", r.spec.TODO)
		case !isConstant(p.Info(), kv.Value):
			p.Report(id.Pos(), fmt.Sprintf("%s: its value %s is not a constant, so the field was left: delete it, keeping what computing the value does", r.msg, types.ExprString(kv.Value)), r.spec.TODO)
		default:
			p.Rewrite(id.Pos(), Delete(kv))
		}
	})
	return nil
}

// literalKey returns the element of a composite literal whose key id is,
// or nil.
func literalKey(v View, id *ast.Ident) *ast.KeyValueExpr {
	parents := v.Parents(id)
	if len(parents) < 2 {
		return nil
	}
	kv, ok := parents[0].(*ast.KeyValueExpr)
	if !ok || kv.Key != id {
		return nil
	}
	if _, ok := parents[1].(*ast.CompositeLit); !ok {
		return nil
	}
	return kv
}

// isConstant reports whether e is a constant expression or nil.
func isConstant(info *types.Info, e ast.Expr) bool {
	tv, ok := info.Types[e]
	return ok && (tv.Value != nil || tv.IsNil())
}

// Indirect: a field can be reached through another package's values.
func (r *removeField) Indirect() bool { return true }
