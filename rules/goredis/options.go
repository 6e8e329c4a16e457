package goredis

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// fieldUse is a use of an old field: as the key of a composite literal
// element, as the target of a plain assignment statement, or else.
type fieldUse struct {
	id     *ast.Ident
	lit    *ast.CompositeLit // key of an element of lit
	kv     *ast.KeyValueExpr
	assign *ast.AssignStmt // "x.F = v", standing in block
	block  ast.Node
}

// eachFieldUse calls fn for every use of a field of an old package that
// match accepts.
func eachFieldUse(f rules.File, match func(v *types.Var) bool, fn func(u fieldUse)) {
	info := f.Info()
	ast.Inspect(f.AST(), func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		v, ok := info.Uses[id].(*types.Var)
		if !ok || !v.IsField() || version(v.Pkg()) == 0 || !match(v) {
			return true
		}
		fn(classifyFieldUse(f, id))
		return true
	})
}

func classifyFieldUse(f rules.File, id *ast.Ident) fieldUse {
	u := fieldUse{id: id}
	parents := f.Parents(id)
	if len(parents) < 2 {
		return u
	}
	switch p := parents[0].(type) {
	case *ast.KeyValueExpr:
		if lit, ok := parents[1].(*ast.CompositeLit); ok && p.Key == id {
			u.lit, u.kv = lit, p
		}
	case *ast.SelectorExpr:
		if len(parents) < 3 || p.Sel != id {
			break
		}
		as, ok := parents[1].(*ast.AssignStmt)
		if ok && as.Tok == token.ASSIGN && len(as.Lhs) == 1 && as.Lhs[0] == p {
			switch parents[2].(type) {
			case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
				u.assign, u.block = as, parents[2]
			}
		}
	}
	return u
}

// idleCheck deletes IdleCheckFrequency, gone from every options type in v9
// with the idle-connection reaper it tuned, and reports each deletion.
type idleCheck struct{ base }

func newIdleCheck(b base) rules.Rule { return &idleCheck{b.with(6, 7, 8)} }

const idleCheckGone = "IdleCheckFrequency was deleted: v9 has no idle-connection reaper (MaxIdleConns and ConnMaxIdleTime bound idle connections)"

func (r *idleCheck) Apply(f rules.File) error {
	eachFieldUse(f, func(v *types.Var) bool {
		return v.Name() == "IdleCheckFrequency" && isField(v, []int{6, 7, 8}, optionTypes...)
	}, func(u fieldUse) {
		if f.Ignored(r, u.id.Pos()) {
			return
		}
		switch {
		case u.kv != nil:
			rules.DeleteElt(f, u.lit, u.kv)
		case u.assign != nil:
			deleteStmt(f, u.block, u.assign)
		default:
			f.Report(r, u.id.Pos(), "IdleCheckFrequency is gone in v9 (no idle-connection reaper): drop this use", true)
			return
		}
		f.Rewrote(r, u.id.Pos())
		f.Report(r, u.id.Pos(), idleCheckGone, false)
	})
	return nil
}

// maxLenApprox turns XAddArgs{MaxLenApprox: n} into XAddArgs{MaxLen: n,
// Approx: true}. A literal that also sets MaxLen or Approx, and any other
// use, is reported.
type maxLenApprox struct{ base }

func newMaxLenApprox(b base) rules.Rule { return &maxLenApprox{b.with(6, 7, 8)} }

func (r *maxLenApprox) Apply(f rules.File) error {
	eachFieldUse(f, func(v *types.Var) bool {
		return v.Name() == "MaxLenApprox" && isField(v, []int{6, 7, 8}, "XAddArgs")
	}, func(u fieldUse) {
		if f.Ignored(r, u.id.Pos()) {
			return
		}
		if x := assignedStruct(u); x != nil {
			// args.MaxLenApprox = n -> args.MaxLen = n; args.Approx = true
			f.Dst(u.id).(*dst.Ident).Name = "MaxLen"
			insertStmtAfter(f, u.block, u.assign, func() dst.Stmt {
				return &dst.AssignStmt{Tok: token.ASSIGN,
					Lhs: []dst.Expr{&dst.SelectorExpr{X: dst.Clone(f.Dst(x)).(dst.Expr), Sel: dst.NewIdent("Approx")}},
					Rhs: []dst.Expr{dst.NewIdent("true")}}
			})
			f.Rewrote(r, u.id.Pos())
			return
		}
		if u.kv == nil || hasKey(u.lit, "MaxLen") || hasKey(u.lit, "Approx") {
			f.Report(r, u.id.Pos(), "XAddArgs.MaxLenApprox is gone in v9: set MaxLen and Approx: true (one MaxLen and one Approx only)", true)
			return
		}
		f.Dst(u.id).(*dst.Ident).Name = "MaxLen"
		target := f.Dst(u.kv)
		f.Replace(u.lit, func(old dst.Node) dst.Node {
			l := old.(*dst.CompositeLit)
			for i, e := range l.Elts {
				if e == target {
					approx := &dst.KeyValueExpr{Key: dst.NewIdent("Approx"), Value: dst.NewIdent("true")}
					approx.Decs.Before = e.Decorations().Before
					if i+1 == len(l.Elts) {
						approx.Decs.After, e.Decorations().After = e.Decorations().After, dst.None
					}
					l.Elts = append(l.Elts[:i+1], append([]dst.Expr{approx}, l.Elts[i+1:]...)...)
					break
				}
			}
			return l
		})
		f.Rewrote(r, u.id.Pos())
	})
	return nil
}

// assignedStruct returns X of a plain assignment "X.F = v" when X is a
// variable or a chain of field selections, which can be written twice;
// else nil.
func assignedStruct(u fieldUse) ast.Expr {
	if u.assign == nil {
		return nil
	}
	x := u.assign.Lhs[0].(*ast.SelectorExpr).X
	for e := x; ; {
		switch t := ast.Unparen(e).(type) {
		case *ast.Ident:
			return x
		case *ast.SelectorExpr:
			e = t.X
		default:
			return nil
		}
	}
}

// insertStmtAfter puts the statement mk builds after stmt in block.
func insertStmtAfter(f rules.File, block ast.Node, stmt ast.Stmt, mk func() dst.Stmt) {
	target := f.Dst(stmt)
	f.Replace(block, func(old dst.Node) dst.Node {
		list := stmtList(old)
		for i, s := range *list {
			if s == target {
				next := mk()
				next.Decorations().Before = dst.NewLine
				*list = slices.Insert(*list, i+1, next)
				break
			}
		}
		return old
	})
}

func hasKey(lit *ast.CompositeLit, name string) bool {
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == name {
				return true
			}
		}
	}
	return false
}

// ringNewClient drops the shard name from RingOptions.NewClient, which v9
// calls with the options alone, when the function literal does not use it;
// other cases are reported.
type ringNewClient struct{ base }

func newRingNewClient(b base) rules.Rule { return &ringNewClient{b.with(7, 8)} }

func (r *ringNewClient) Apply(f rules.File) error {
	eachFieldUse(f, func(v *types.Var) bool {
		return v.Name() == "NewClient" && isField(v, []int{7, 8}, "RingOptions")
	}, func(u fieldUse) {
		if f.Ignored(r, u.id.Pos()) {
			return
		}
		var value ast.Expr
		switch {
		case u.kv != nil:
			value = u.kv.Value
		case u.assign != nil:
			value = u.assign.Rhs[0]
		}
		lit, ok := ast.Unparen(value).(*ast.FuncLit)
		if !ok || !dropFirstParam(f, lit) {
			f.Report(r, u.id.Pos(), "RingOptions.NewClient takes only the options in v9 (func(opt *redis.Options) *redis.Client, with opt.Addr the shard's address): adapt this function", true)
			return
		}
		f.Rewrote(r, u.id.Pos())
	})
	return nil
}

// dropFirstParam removes the first parameter of a literal when it is
// unnamed, blank or unused, and reports whether it did.
func dropFirstParam(f rules.File, lit *ast.FuncLit) bool {
	ps := lit.Type.Params.List
	if len(ps) != 2 || len(ps[0].Names) > 1 {
		return false
	}
	if len(ps[0].Names) == 1 {
		name := ps[0].Names[0]
		if obj := f.Info().Defs[name]; name.Name != "_" && (obj == nil || len(f.Uses(obj)) > 0) {
			return false
		}
	}
	ft := f.Dst(lit.Type).(*dst.FuncType)
	ft.Params.List = ft.Params.List[1:]
	return true
}
