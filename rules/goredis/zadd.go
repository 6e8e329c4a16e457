package goredis

import (
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strings"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// ZAddMembers passes Z values to ZAdd, ZAddNX and ZAddXX, which took *Z in
// v7 and v8: "&redis.Z{...}" loses its "&", any other *Z is dereferenced.
// Members spread from a []*Z cannot be converted in place and are reported.
// redismock's ExpectZAdd, ExpectZAddNX and ExpectZAddXX change the same way.
var ZAddMembers = withMock(rule("zadd-members", "ZAdd, ZAddNX and ZAddXX (and redismock's Expect of each) get Z values instead of *Z", v78, runZAddMembers))

var zaddMembers = rules.Or(rules.Members(v78, clientTypes, "ZAdd", "ZAddNX", "ZAddXX"), mockExpects("ZAdd", "ZAddNX", "ZAddXX"))

func runZAddMembers(f *rules.Pass) error {
	eachCall(f, zaddMembers, func(call *ast.CallExpr, fn *types.Func, v int) {
		start := firstMember(fn)
		if call.Ellipsis.IsValid() {
			f.Report(call.Args[len(call.Args)-1].Pos(), "members spread from a []*redis.Z: v9 takes redis.Z values; build a []redis.Z", true)
			return
		}
		f.Rewrite(call.Pos(), derefMembers(call.Args[start:])...)
	})
	return nil
}

// firstMember returns the index of the first member argument of a ZAdd
// variant: after the key, which follows the context if there is one.
func firstMember(fn *types.Func) int {
	if takesContext(fn) {
		return 2
	}
	return 1
}

// derefMembers returns the edits that turn *Z arguments into Z values.
func derefMembers(members []ast.Expr) []rules.Edit {
	var edits []rules.Edit
	for _, m := range members {
		edits = append(edits, derefMember(m))
	}
	return edits
}

// derefMember turns a *Z argument into a Z: "&Z{...}" becomes "Z{...}"
// and "&z" "z", anything else "*x".
func derefMember(m ast.Expr) rules.Edit {
	if u, ok := ast.Unparen(m).(*ast.UnaryExpr); ok && u.Op == token.AND {
		return rules.Unwrap(u, func(o dst.Expr) dst.Expr { return o.(*dst.UnaryExpr).X })
	}
	return rules.Wrap(m, func(e dst.Expr) dst.Expr { return &dst.StarExpr{X: e} })
}

// ZAddArgs replaces the ZAdd variants removed in v9 by ZAddArgs and
// ZAddArgsIncr with the flags in a ZAddArgs literal:
// ZAddNXCh(ctx, k, m1, m2) -> ZAddArgs(ctx, k, redis.ZAddArgs{NX: true,
// Ch: true, Members: []redis.Z{m1, m2}}); ZIncrXX(ctx, k, m) ->
// ZAddArgsIncr(ctx, k, redis.ZAddArgs{XX: true, Members: []redis.Z{m}}).
// redismock's Expect of each variant becomes ExpectZAddArgs or
// ExpectZAddArgsIncr the same way.
var ZAddArgs = withMock(rule("zadd-args", "the ZAdd and ZIncr variants v9 removed (and redismock's Expect of each) become ZAddArgs and ZAddArgsIncr", v678, runZAddArgs))

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

var zaddArgs = rules.Or(rules.Members(v678, clientTypes, slices.Sorted(maps.Keys(zaddVariants))...),
	mockExpects(slices.Sorted(maps.Keys(zaddVariants))...))

func runZAddArgs(f *rules.Pass) error {
	eachCall(f, zaddArgs, func(call *ast.CallExpr, fn *types.Func, v int) {
		name, mock := strings.CutPrefix(fn.Name(), "Expect")
		variant := zaddVariants[name]
		if mock {
			variant.to = "Expect" + variant.to
		}
		start := firstMember(fn)
		pointers := v != 6 // v7 and v8 take *Z, and so does redismock v8
		if call.Ellipsis.IsValid() && pointers {
			f.Report(call.Args[len(call.Args)-1].Pos(), fn.Name()+" with members spread from a []*redis.Z: v9's ZAddArgs takes []redis.Z; build one", true)
			return
		}
		var edits []rules.Edit
		if pointers {
			edits = derefMembers(call.Args[start:])
		}
		q1, q2 := f.Qualifier(pathV9, call.Pos()), f.Qualifier(pathV9, call.Pos())
		n, spread := len(call.Args)-start, call.Ellipsis.IsValid()
		f.Rewrite(call.Pos(), append(edits, renameCallee(call, variant.to), rules.Replace(call, func(old dst.Node) dst.Node {
			c := old.(*dst.CallExpr)
			members := slices.Clone(c.Args[len(c.Args)-n:])
			c.Args = append(c.Args[:len(c.Args)-n], zaddArgsLit(q1, q2, variant.flags, members, spread))
			c.Ellipsis = false
			return c
		}))...)
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
