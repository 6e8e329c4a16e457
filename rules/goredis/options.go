package goredis

import (
	"go/ast"
	"go/token"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// eachFieldUse calls fn for every use of a field that m names, with how
// it sets the field, or nil.
func eachFieldUse(f rules.View, m *rules.Matcher, fn func(id *ast.Ident, set *rules.FieldSetting)) {
	for _, u := range rules.UsesOf(f, m) {
		fn(u.Ident, rules.FieldSet(f, u.Ident))
	}
}

// MaxLenApprox turns XAddArgs{MaxLenApprox: n} into XAddArgs{MaxLen: n,
// Approx: true}. A literal that also sets MaxLen or Approx, and any other
// use, is reported.
var MaxLenApprox = rule("xadd-maxlen-approx", "XAddArgs{MaxLenApprox: n} becomes XAddArgs{MaxLen: n, Approx: true}", v678, runMaxLenApprox)

func runMaxLenApprox(p *rules.Pass) error {
	eachFieldUse(p, rules.Members(v678, []string{"XAddArgs"}, "MaxLenApprox"), func(id *ast.Ident, set *rules.FieldSetting) {
		if x := assignedStruct(set); x != nil {
			// args.MaxLenApprox = n -> args.MaxLen = n; args.Approx = true
			p.Rewrite(id.Pos(), rules.Rename(id, "MaxLen"), rules.InsertAfter(set.Assign, func() dst.Node {
				return &dst.AssignStmt{Tok: token.ASSIGN,
					Lhs: []dst.Expr{&dst.SelectorExpr{X: chainDst(x), Sel: dst.NewIdent("Approx")}},
					Rhs: []dst.Expr{dst.NewIdent("true")}}
			}))
			return
		}
		if set == nil || set.KV == nil || hasKey(set.Lit, "MaxLen") || hasKey(set.Lit, "Approx") {
			p.Report(id.Pos(), "XAddArgs.MaxLenApprox is gone in v9: set MaxLen and Approx: true (one MaxLen and one Approx only)", true)
			return
		}
		p.Rewrite(id.Pos(), rules.Rename(id, "MaxLen"), rules.InsertAfter(set.KV, func() dst.Node {
			return &dst.KeyValueExpr{Key: dst.NewIdent("Approx"), Value: dst.NewIdent("true")}
		}))
	})
	return nil
}

// chainDst builds the decorated copy of x, a name or a chain of selections
// of names (assignedStruct).
func chainDst(x ast.Expr) dst.Expr {
	switch x := ast.Unparen(x).(type) {
	case *ast.SelectorExpr:
		return &dst.SelectorExpr{X: chainDst(x.X), Sel: dst.NewIdent(x.Sel.Name)}
	case *ast.Ident:
		return dst.NewIdent(x.Name)
	}
	panic("chainDst: not a chain of names")
}

// assignedStruct returns X of a plain assignment "X.F = v" when X is a
// variable or a chain of field selections, which can be written twice;
// else nil.
func assignedStruct(set *rules.FieldSetting) ast.Expr {
	if set == nil || set.Assign == nil {
		return nil
	}
	x := set.Assign.Lhs[0].(*ast.SelectorExpr).X
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

// RingNewClient drops the shard name from RingOptions.NewClient, which v9
// calls with the options alone, when the function literal does not use it;
// other cases are reported.
var RingNewClient = rule("ring-new-client", "RingOptions.NewClient literals lose their unused shard-name parameter; other values are reported", v78, runRingNewClient)

func runRingNewClient(p *rules.Pass) error {
	eachFieldUse(p, rules.Members(v78, []string{"RingOptions"}, "NewClient"), func(id *ast.Ident, set *rules.FieldSetting) {
		var lit *ast.FuncLit
		if set != nil {
			lit, _ = ast.Unparen(set.Value).(*ast.FuncLit)
		}
		if lit == nil || !firstParamUnused(p, lit) {
			p.Report(id.Pos(), "RingOptions.NewClient takes only the options in v9 (func(opt *redis.Options) *redis.Client, with opt.Addr the shard's address): adapt this function", true)
			return
		}
		p.Rewrite(id.Pos(), rules.Replace(lit.Type, func(old dst.Node) dst.Node {
			ft := old.(*dst.FuncType)
			ft.Params.List = ft.Params.List[1:]
			return ft
		}))
	})
	return nil
}

// firstParamUnused reports whether the first of the two parameters of a
// literal is unnamed, blank or unused.
func firstParamUnused(f rules.View, lit *ast.FuncLit) bool {
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
	return true
}
