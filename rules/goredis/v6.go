package goredis

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// V6Values adapts the v6 arguments whose type changed in v7: a ZRangeBy
// value becomes a pointer (&redis.ZRangeBy{...} or &v), ZInterStore and
// ZUnionStore take the keys inside a *ZStore, and the db of Migrate and
// Move is an int. What cannot be adapted in place is reported.
var V6Values = rule("v6-values", "v6 arguments whose type changed in v7 (ZRangeBy, ZStore, the db of Migrate and Move) are adapted", v6, runV6Values)

// intArgs are the methods whose int64 db argument became an int, with its
// index.
var intArgs = map[string]int{"Migrate": 3, "Move": 1}

var (
	v6Methods = rules.Members(v6, anyType, "*")
	v6IntArgs = rules.Members(v6, clientTypes, "Migrate", "Move")
)

func runV6Values(f *rules.Pass) error {
	info := f.Info()
	eachCall(f, v6Methods, func(call *ast.CallExpr, fn *types.Func, _ int) {
		for _, a := range call.Args {
			if _, ptr := info.TypeOf(a).(*types.Pointer); !ptr && isOldNamed(info.TypeOf(a), "ZRangeBy") {
				addressOf(f, a)
			}
		}
		if fn.Name() == "ZInterStore" || fn.Name() == "ZUnionStore" {
			zstore(f, call)
		}
		if _, ok := v6IntArgs.Match(fn); ok && intArgs[fn.Name()] < len(call.Args) {
			toInt(f, call.Args[intArgs[fn.Name()]])
		}
		if fn.Name() == "GeoRadius" || fn.Name() == "GeoRadiusByMember" {
			geoStore(f, call, fn.Name())
		}
	})
	return nil
}

// addressOf passes &a for a composite literal or a variable.
func addressOf(f *rules.Pass, a ast.Expr) {
	switch x := ast.Unparen(a).(type) {
	case *ast.CompositeLit:
	case *ast.Ident:
		if _, ok := f.Info().Uses[x].(*types.Var); !ok {
			f.Report(a.Pos(), "v9 takes a *redis.ZRangeBy: pass a pointer", true)
			return
		}
	default:
		f.Report(a.Pos(), "v9 takes a *redis.ZRangeBy: pass a pointer", true)
		return
	}
	f.Rewrite(a.Pos(), rules.Wrap(a, func(e dst.Expr) dst.Expr { return &dst.UnaryExpr{Op: token.AND, X: e} }))
}

// zstore moves ZInterStore(dest, redis.ZStore{...}, keys...) to
// ZInterStore(dest, &redis.ZStore{..., Keys: []string{keys...}}).
func zstore(f *rules.Pass, call *ast.CallExpr) {
	if len(call.Args) < 2 {
		return
	}
	lit, ok := ast.Unparen(call.Args[1]).(*ast.CompositeLit)
	if !ok || hasKey(lit, "Keys") {
		f.Report(call.Args[1].Pos(), "v9 takes a *redis.ZStore holding the keys: build &redis.ZStore{Keys: keys, ...}", true)
		return
	}
	nKeys, spread := len(call.Args)-2, call.Ellipsis.IsValid()
	f.Rewrite(call.Pos(), rules.Replace(call, func(old dst.Node) dst.Node {
		c := old.(*dst.CallExpr)
		keys := slices.Clone(c.Args[len(c.Args)-nKeys:])
		store := c.Args[len(c.Args)-nKeys-1]
		sl := rules.Unparen(store).(*dst.CompositeLit)
		if nKeys > 0 {
			for _, k := range keys {
				k.Decorations().Before, k.Decorations().After = dst.None, dst.None
			}
			var v dst.Expr = &dst.CompositeLit{Type: &dst.ArrayType{Elt: dst.NewIdent("string")}, Elts: keys}
			if spread {
				v = keys[0]
			}
			sl.Elts = append(sl.Elts, &dst.KeyValueExpr{Key: dst.NewIdent("Keys"), Value: v})
		}
		u := &dst.UnaryExpr{Op: token.AND, X: store}
		c.Args = append(c.Args[:len(c.Args)-nKeys-1], u)
		c.Ellipsis = false
		return c
	}))
}

// geoStore reports a v6 GeoRadius or GeoRadiusByMember whose query may
// set Store or StoreDist: since v7 those send the read-only GEORADIUS_RO
// and fail with such a query; the writing form is GeoRadiusStore (or
// GeoRadiusByMemberStore), which returns an *IntCmd.
func geoStore(f *rules.Pass, call *ast.CallExpr, name string) {
	if len(call.Args) == 0 {
		return
	}
	q := call.Args[len(call.Args)-1]
	var lit *ast.CompositeLit
	if u, ok := ast.Unparen(q).(*ast.UnaryExpr); ok && u.Op == token.AND {
		lit, _ = ast.Unparen(u.X).(*ast.CompositeLit)
	}
	if lit != nil && !hasKey(lit, "Store") && !hasKey(lit, "StoreDist") {
		return // a literal without them: the read-only command is right
	}
	f.Report(q.Pos(), name+" sends the read-only GEORADIUS_RO since v7 and fails with a query that sets Store or StoreDist: call "+name+"Store (it returns an *IntCmd) where the query stores", lit != nil)
}

// toInt converts an int64 argument to int. A literal converts by itself;
// a named constant may be typed int64, so it is converted like a variable.
func toInt(f *rules.Pass, a ast.Expr) {
	if _, ok := ast.Unparen(a).(*ast.BasicLit); ok {
		return
	}
	f.Rewrite(a.Pos(), rules.Wrap(a, func(e dst.Expr) dst.Expr { return &dst.CallExpr{Fun: dst.NewIdent("int"), Args: []dst.Expr{e}} }))
}
