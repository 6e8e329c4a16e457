package rules

import (
	"fmt"
	"go/ast"
	"go/types"
)

// retype changes a type in declarations: the types of vars, struct
// fields, parameters and results ("*redis.Pool" becomes "*redis.Client").
// Its other uses (composite literals, conversions, new, type assertions,
// type declarations) are reported: what they build or test changes too.
type retype struct {
	base
	old *Matcher
	to  Ref
	msg string
}

func newRetype(set *Set, spec *Spec) (*retype, error) {
	old, err := parseRef(set, spec.Type, false)
	if err != nil {
		return nil, err
	}
	to, err := parseTarget(set, spec.To)
	if err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	msg := spec.Message
	if msg == "" {
		target := to.Name
		if to.Pkg != "" {
			target = to.Path() + "." + to.Name
		}
		msg = fmt.Sprintf("%s became %s in declarations, not here: change this use by hand", old.Name, target)
	}
	return &retype{base: base{spec: spec, paths: old.Paths}, old: NewMatcher(old), to: to, msg: msg}, nil
}

func (r *retype) run(p *Pass) error {
	for _, u := range p.UsesOf(r.old) {
		if _, ok := u.Obj.(*types.TypeName); !ok {
			continue
		}
		if inDeclaredType(p, u.Ident) {
			p.Rewrite(u.Ident.Pos(), replaceUse(p, u.Ident, r.to))
		} else {
			p.Report(u.Ident.Pos(), r.msg, r.spec.TODO)
		}
	}
	return nil
}

// inDeclaredType reports whether id lies in the type of a declaration: a
// var or const spec's type, or a struct field's, parameter's or result's,
// possibly inside a pointer, slice, array, map, channel or function type,
// or as a type argument.
func inDeclaredType(f View, id *ast.Ident) bool {
	var child ast.Node = id
	for _, p := range f.Parents(id) {
		switch p := p.(type) {
		case *ast.SelectorExpr:
			if p.Sel != child {
				return false
			}
		case *ast.StarExpr, *ast.MapType, *ast.ChanType, *ast.Ellipsis,
			*ast.IndexExpr, *ast.IndexListExpr, *ast.ParenExpr:
		case *ast.ArrayType:
			if p.Len == child {
				return false
			}
		case *ast.Field:
			return p.Type == child
		case *ast.ValueSpec:
			return p.Type == child
		default:
			return false
		}
		child = p
	}
	return false
}

// Indirect: naming the type needs the import.
func (r *retype) Indirect() bool { return false }
