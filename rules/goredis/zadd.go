package goredis

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// zaddMembers passes Z values to ZAdd, ZAddNX and ZAddXX, which took *Z in
// v7 and v8: "&redis.Z{...}" loses its "&", any other *Z is dereferenced.
// Members spread from a []*Z cannot be converted in place and are reported.
type zaddMembers struct{ base }

func newZAddMembers(b base) rules.Rule { return &zaddMembers{b.with(7, 8)} }

var zaddMethods = map[string]bool{"ZAdd": true, "ZAddNX": true, "ZAddXX": true}

func (r *zaddMembers) Apply(f rules.File) error {
	eachCall(f, func(call *ast.CallExpr, fn *types.Func, v int) {
		if !zaddMethods[fn.Name()] || !isMethodOf(fn, fn.Name(), clientTypes...) || f.Ignored(r, call.Pos()) {
			return
		}
		start := keyIndex(fn) + 1
		if call.Ellipsis.IsValid() {
			f.Report(r, call.Args[len(call.Args)-1].Pos(), "members spread from a []*redis.Z: v9 takes redis.Z values; build a []redis.Z", true)
			return
		}
		for _, m := range call.Args[start:] {
			derefMember(f, m)
		}
		f.Rewrote(r, call.Pos())
	})
	return nil
}

// derefMember turns a *Z argument into a Z: "&Z{...}" becomes "Z{...}"
// and "&z" "z", anything else "*x".
func derefMember(f rules.File, m ast.Expr) {
	if u, ok := ast.Unparen(m).(*ast.UnaryExpr); ok && u.Op == token.AND {
		f.Replace(u, func(old dst.Node) dst.Node {
			o := old.(*dst.UnaryExpr)
			x := o.X
			x.Decorations().Start = append(o.Decs.Start, x.Decorations().Start...)
			x.Decorations().Before, x.Decorations().After = o.Decs.Before, o.Decs.After
			return x
		})
		return
	}
	f.Replace(m, func(old dst.Node) dst.Node {
		e := old.(dst.Expr)
		star := &dst.StarExpr{X: e}
		star.Decs.NodeDecs, *e.Decorations() = *e.Decorations(), dst.NodeDecs{}
		return star
	})
}

// keyIndex returns the index of the key argument of a command: 1 after a
// context, else 0.
func keyIndex(fn *types.Func) int {
	sig := fn.Type().(*types.Signature)
	if sig.Params().Len() > 0 && rules.IsContext(sig.Params().At(0).Type()) {
		return 1
	}
	return 0
}

// zaddArgs replaces the ZAdd variants removed in v9 by ZAddArgs and
// ZAddArgsIncr with the flags in a ZAddArgs literal:
// ZAddNXCh(ctx, k, m1, m2) -> ZAddArgs(ctx, k, redis.ZAddArgs{NX: true,
// Ch: true, Members: []redis.Z{m1, m2}}); ZIncrXX(ctx, k, m) ->
// ZAddArgsIncr(ctx, k, redis.ZAddArgs{XX: true, Members: []redis.Z{m}}).
type zaddArgs struct{ base }

func newZAddArgs(b base) rules.Rule { return &zaddArgs{b.with(6, 7, 8)} }

// zaddVariants maps each removed method to its replacement and flags.
var zaddVariants = map[string]struct {
	to    string
	flags []string
}{
	"ZAddCh":   {"ZAddArgs", []string{"Ch"}},
	"ZAddNXCh": {"ZAddArgs", []string{"NX", "Ch"}},
	"ZAddXXCh": {"ZAddArgs", []string{"XX", "Ch"}},
	"ZIncr":    {"ZAddArgsIncr", nil},
	"ZIncrNX":  {"ZAddArgsIncr", []string{"NX"}},
	"ZIncrXX":  {"ZAddArgsIncr", []string{"XX"}},
}

func (r *zaddArgs) Apply(f rules.File) error {
	eachCall(f, func(call *ast.CallExpr, fn *types.Func, v int) {
		variant, ok := zaddVariants[fn.Name()]
		if !ok || !isMethodOf(fn, fn.Name(), clientTypes...) || f.Ignored(r, call.Pos()) {
			return
		}
		start := keyIndex(fn) + 1
		pointers := v != 6 // v7 and v8 take *Z
		if call.Ellipsis.IsValid() && pointers {
			f.Report(r, call.Args[len(call.Args)-1].Pos(), fn.Name()+" with members spread from a []*redis.Z: v9's ZAddArgs takes []redis.Z; build one", true)
			return
		}
		if pointers {
			for _, m := range call.Args[start:] {
				derefMember(f, m)
			}
		}
		sel := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		f.Dst(sel.Sel).(*dst.Ident).Name = variant.to
		q1, q2 := f.Qualifier(pathV9, call.Pos()), f.Qualifier(pathV9, call.Pos())
		n, spread := len(call.Args)-start, call.Ellipsis.IsValid()
		f.Replace(call, func(old dst.Node) dst.Node {
			c := old.(*dst.CallExpr)
			members := slices.Clone(c.Args[len(c.Args)-n:])
			c.Args = append(c.Args[:len(c.Args)-n], zaddArgsLit(q1, q2, variant.flags, members, spread))
			c.Ellipsis = false
			return c
		})
		f.Rewrote(r, call.Pos())
	})
	return nil
}

// zaddArgsLit builds redis.ZAddArgs{FLAG: true, ..., Members: ...}.
func zaddArgsLit(q1, q2 *dst.Ident, flags []string, members []dst.Expr, spread bool) dst.Expr {
	lit := &dst.CompositeLit{Type: &dst.SelectorExpr{X: q1, Sel: dst.NewIdent("ZAddArgs")}}
	for _, fl := range flags {
		lit.Elts = append(lit.Elts, &dst.KeyValueExpr{Key: dst.NewIdent(fl), Value: dst.NewIdent("true")})
	}
	for _, m := range members {
		m.Decorations().Before, m.Decorations().After = dst.None, dst.None
		if lit, ok := m.(*dst.CompositeLit); ok && !spread {
			lit.Type = nil // redis.Z is implied in []redis.Z{...}
		}
	}
	var value dst.Expr
	if spread {
		value = members[0]
	} else {
		value = &dst.CompositeLit{Type: &dst.ArrayType{Elt: &dst.SelectorExpr{X: q2, Sel: dst.NewIdent("Z")}}, Elts: members}
	}
	lit.Elts = append(lit.Elts, &dst.KeyValueExpr{Key: dst.NewIdent("Members"), Value: value})
	return lit
}
