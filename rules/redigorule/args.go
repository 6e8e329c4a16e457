package redigorule

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strconv"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// conv turns a decorated argument into what a go-redis parameter takes.
type conv func(dst.Expr) dst.Expr

func keep(e dst.Expr) dst.Expr { return e }

// convertTo wraps e in a conversion to the named basic type.
func convertTo(name string) conv {
	return func(e dst.Expr) dst.Expr {
		return &dst.CallExpr{Fun: dst.NewIdent(name), Args: []dst.Expr{e}}
	}
}

// literal replaces the argument by a constant literal.
func literal(kind token.Token, v string) conv {
	return func(dst.Expr) dst.Expr { return &dst.BasicLit{Kind: kind, Value: v} }
}

// basic returns the underlying basic type of e's type, or nil.
func basic(p *rules.Pass, e ast.Expr) *types.Basic {
	t := p.Info().TypeOf(e)
	if t == nil {
		return nil
	}
	b, _ := t.Underlying().(*types.Basic)
	return b
}

// isUntypedConst reports whether e is an untyped constant: a literal, or
// a constant declared without a type, even where the argument of an
// interface{} parameter gave it its default type.
func isUntypedConst(p *rules.Pass, e ast.Expr) bool {
	tv, ok := p.Info().Types[e]
	if !ok || tv.Value == nil {
		return false
	}
	if b, ok := tv.Type.(*types.Basic); ok && b.Info()&types.IsUntyped != 0 {
		return true
	}
	switch e := e.(type) {
	case *ast.BasicLit:
		return true
	case *ast.ParenExpr:
		return isUntypedConst(p, e.X)
	case *ast.UnaryExpr:
		return isUntypedConst(p, e.X)
	case *ast.BinaryExpr:
		return isUntypedConst(p, e.X) && isUntypedConst(p, e.Y)
	case *ast.Ident:
		c, ok := p.Info().Uses[e].(*types.Const)
		if !ok {
			return false
		}
		b, ok := c.Type().(*types.Basic)
		return ok && b.Info()&types.IsUntyped != 0
	}
	return false
}

// asString converts a string-typed argument for a string parameter
// (string(x) for a named string type), or reports that it cannot.
func asString(p *rules.Pass, e ast.Expr) (conv, bool) {
	b := basic(p, e)
	if b == nil || b.Info()&types.IsString == 0 {
		return nil, false
	}
	if types.Identical(p.Info().TypeOf(e), types.Typ[types.String]) || isUntypedConst(p, e) {
		return keep, true
	}
	return convertTo("string"), true
}

// asNumber converts an argument for an int64 or float64 parameter: an
// untyped constant or a value of the type stays, another numeric type is
// converted, a constant string holding a number becomes that number.
func asNumber(p *rules.Pass, e ast.Expr, kind types.BasicKind) (conv, bool) {
	tv := p.Info().Types[e]
	if tv.Value != nil && tv.Value.Kind() == constant.String {
		s := constant.StringVal(tv.Value)
		if kind == types.Int64 {
			if _, err := strconv.ParseInt(s, 10, 64); err == nil {
				return literal(token.INT, s), true
			}
			return nil, false
		}
		if _, err := strconv.ParseFloat(s, 64); err == nil && s != "" && s[0] != '+' && s != "inf" && s != "-inf" {
			return literal(token.FLOAT, s), true
		}
		return nil, false
	}
	b := basic(p, e)
	if b == nil || b.Info()&types.IsNumeric == 0 || b.Info()&types.IsComplex != 0 {
		return nil, false
	}
	if kind == types.Int64 && b.Info()&types.IsInteger == 0 {
		return nil, false
	}
	if isUntypedConst(p, e) || types.Identical(p.Info().TypeOf(e), types.Typ[kind]) {
		return keep, true
	}
	return convertTo(types.Typ[kind].Name()), true
}

// asDuration converts a count of unit ("Second", "Millisecond") into a
// time.Duration: n*time.Second for a constant, time.Duration(n)*time.Second
// otherwise.
func asDuration(p *rules.Pass, e ast.Expr, unit string, at token.Pos) (conv, bool) {
	b := basic(p, e)
	tv := p.Info().Types[e]
	if tv.Value != nil && tv.Value.Kind() == constant.String {
		s := constant.StringVal(tv.Value)
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return nil, false
		}
		q := p.Qualifier("time", at)
		return func(dst.Expr) dst.Expr {
			return &dst.BinaryExpr{X: &dst.BasicLit{Kind: token.INT, Value: s}, Op: token.MUL, Y: &dst.SelectorExpr{X: q, Sel: dst.NewIdent(unit)}}
		}, true
	}
	if b == nil || b.Info()&types.IsInteger == 0 {
		return nil, false
	}
	q1, q2 := p.Qualifier("time", at), p.Qualifier("time", at)
	untyped := isUntypedConst(p, e)
	return func(x dst.Expr) dst.Expr {
		if !untyped {
			x = &dst.CallExpr{Fun: &dst.SelectorExpr{X: q1, Sel: dst.NewIdent("Duration")}, Args: []dst.Expr{x}}
		}
		return &dst.BinaryExpr{X: x, Op: token.MUL, Y: &dst.SelectorExpr{X: q2, Sel: dst.NewIdent(unit)}}
	}, true
}

// valueArg converts an argument go-redis encodes itself (an interface{}
// parameter): a named string type becomes string(x), as go-redis refuses
// it; an argument it encodes differently from redigo is reported (the
// returned message), and kept.
func valueArg(p *rules.Pass, e ast.Expr) (conv, string) {
	t := p.Info().TypeOf(e)
	if t == nil {
		return keep, ""
	}
	if isNamed(t, "time", "Duration") {
		return keep, "a time.Duration argument: redigo sent it as text (\"1m30s\"), go-redis sends the nanoseconds; send the number the command expects (d.Seconds(), d.Milliseconds())"
	}
	if isNamed(t, "time", "Time") {
		return keep, "a time.Time argument: redigo sent it with fmt.Sprint (\"2006-01-02 15:04:05 -0700 MST\"), go-redis in RFC 3339; send the form the command expects (t.Unix())"
	}
	if implementsRedisArg(t) {
		return keep, "an argument that implements redis.Argument: go-redis ignores RedisArg and refuses the value; pass x.RedisArg(), or implement encoding.BinaryMarshaler"
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		if u.Info()&types.IsString != 0 && !types.Identical(t, types.Typ[types.String]) && !isUntypedConst(p, e) {
			return convertTo("string"), ""
		}
		if u.Info()&types.IsComplex != 0 {
			return keep, "a complex argument: go-redis cannot encode it"
		}
		return keep, ""
	case *types.Slice:
		if b, ok := u.Elem().Underlying().(*types.Basic); ok && b.Kind() == types.Byte {
			return keep, ""
		}
		return keep, "a slice as one argument: redigo sent it as one string (\"[a b]\"), go-redis refuses it; spread it (args...) or join it"
	case *types.Interface:
		return keep, ""
	}
	return keep, "an argument of type " + types.TypeString(t, nil) + ": redigo sent it with fmt.Sprint, go-redis refuses it unless it implements encoding.BinaryMarshaler; convert it first"
}

// isNamed reports whether t is the named type pkg.name.
func isNamed(t types.Type, pkg, name string) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Name() == name && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg
}

// implementsRedisArg reports whether t has redigo's RedisArg method.
func implementsRedisArg(t types.Type) bool {
	for _, tt := range []types.Type{t, types.NewPointer(t)} {
		obj, _, _ := types.LookupFieldOrMethod(tt, true, nil, "RedisArg")
		if fn, ok := obj.(*types.Func); ok && fn.Type().(*types.Signature).Params().Len() == 0 {
			return true
		}
	}
	return false
}
