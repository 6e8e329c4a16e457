package rules

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"
)

// manual reports the uses of a symbol for manual follow-up: every use, or
// with "when", the calls of a function or method, or its uses as a value.
// "{name}" in the message stands for the symbol's name.
type manual struct {
	base
	ref  Ref
	recv *Ref // the receiver's type, or nil
	// templates are the call templates of the set before this rule.
	templates []*callTemplate
}

func newManual(set *Set, spec *Spec) (*manual, error) {
	member := strings.Count(spec.Manual, ".") == 2
	ref, err := parseRef(set, spec.Manual, member)
	if err != nil {
		return nil, err
	}
	m := &manual{base: base{spec: spec, paths: ref.Paths}, ref: ref}
	for _, r := range set.Rules {
		if t, ok := operationOf(r).(*callTemplate); ok {
			m.templates = append(m.templates, t)
		}
	}
	if spec.Receiver != "" {
		if !member {
			return nil, fmt.Errorf("receiver: applies to a manual rule of a method (pkg.Type.Method)")
		}
		r, err := parseRef(set, spec.Receiver, false)
		if err != nil {
			return nil, fmt.Errorf("receiver: %w", err)
		}
		m.recv = &r
	}
	return m, nil
}

func (m *manual) run(p *Pass) error {
	eachUse(p, func(id *ast.Ident, obj types.Object) {
		if !m.ref.matchesUse(p, id, obj) || obj.Pkg() == p.Pkg() || !m.receiverOK(p, id) {
			return
		}
		msg := expand(m.spec.Message, "{name}", obj.Name())
		switch m.spec.When {
		case "":
			if !m.rewritten(p, id) {
				p.Report(id.Pos(), msg, m.spec.TODO)
			}
		case "value":
			if sel, ok := p.Parents(id)[0].(*ast.SelectorExpr); ok && sel.Sel == id && CallOf(p, id) == nil {
				p.Report(id.Pos(), msg, m.spec.TODO)
			}
		default:
			m.call(p, id, msg)
		}
	})
	return nil
}

// call reports the call that id names, if it is one the rule's "when"
// selects, at the call. Another rule may have rewritten the call (given it
// an argument, say): what the report is about, its result, is the same.
func (m *manual) call(p *Pass, id *ast.Ident, msg string) {
	call := CallOf(p, id)
	if call == nil || m.spec.When == "result-used" && !ResultUsed(p, call) {
		return
	}
	p.Report(call.Pos(), msg, m.spec.TODO)
}

// receiverOK reports whether the member that id selects is selected from
// a value of the rule's receiver type, when it has one.
func (m *manual) receiverOK(f View, id *ast.Ident) bool {
	if m.recv == nil {
		return true
	}
	sel, ok := f.Parents(id)[0].(*ast.SelectorExpr)
	if !ok || sel.Sel != id {
		return false
	}
	s := f.Info().Selections[sel]
	return s != nil && m.recv.isRecv(s.Recv())
}

// rewritten reports whether a call template of the set, run before this
// rule, rewrote the call that id names (as its function, or as the
// variable of a pkg.Var.Method callee): then the use is gone. Rules that
// only change a call (give it an argument, say) leave the use in place.
func (m *manual) rewritten(p *Pass, id *ast.Ident) bool {
	call := enclosingCall(p, id)
	if call == nil || !p.Replaced(call) {
		return false
	}
	for _, t := range m.templates {
		if t.isCallee(p.Info(), call.Fun) {
			if _, ok := t.bind(call); ok {
				return true
			}
		}
	}
	return false
}

// enclosingCall returns the call whose function id is part of (f, pkg.F,
// x.M, pkg.Var.M), or nil.
func enclosingCall(f View, id *ast.Ident) *ast.CallExpr {
	var child ast.Node = id
	for _, p := range f.Parents(id) {
		switch p := p.(type) {
		case *ast.SelectorExpr, *ast.ParenExpr:
		case *ast.CallExpr:
			if p.Fun == child {
				return p
			}
			return nil
		default:
			return nil
		}
		child = p
	}
	return nil
}

// ResultUsed reports whether a call's result is used beyond an Err()
// check: the call is not a statement of its own, deferred, run by go, or
// the receiver of a call.Err() whose result is the only one used.
func ResultUsed(f View, call *ast.CallExpr) bool {
	parents := f.Parents(call)
	if len(parents) == 0 {
		return false
	}
	switch p := parents[0].(type) {
	case *ast.ExprStmt, *ast.DeferStmt, *ast.GoStmt:
		return false
	case *ast.SelectorExpr:
		return p.Sel.Name != "Err" || len(parents) < 2 || !isCallOf(parents[1], p)
	}
	return true
}

func isCallOf(n ast.Node, fun ast.Expr) bool {
	call, ok := n.(*ast.CallExpr)
	return ok && call.Fun == fun
}

// Indirect: a member can be reached through another package's values.
func (m *manual) Indirect() bool { return m.ref.Member != "" }
