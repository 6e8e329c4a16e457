package jwtrule

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"github.com/dave/dst"
	"github.com/migrate-tool/migrate/rules"
)

// EmbeddedClaims renames the field a custom claims struct gets by
// embedding jwt.StandardClaims, where code names it: the type itself is
// renamed by the rule file (StandardClaims -> RegisteredClaims), and the
// embedded field's name follows its type.
var EmbeddedClaims = &rules.GoRule{
	Name: "jwt-embedded-claims",
	Doc: "c.StandardClaims and the key StandardClaims: of a custom claims literal become RegisteredClaims, " +
		"the name of the field once the embedded type is jwt.RegisteredClaims",
	Paths: old,
	Run:   runEmbeddedClaims,
}

func runEmbeddedClaims(p *rules.Pass) error {
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		if v, ok := p.Info().Uses[id].(*types.Var); ok && v.Embedded() && v.Name() == "StandardClaims" &&
			isOld(v.Type(), "StandardClaims") && !validReceiver(p, id) {
			p.Rewrite(id.Pos(), rules.Rename(id, "RegisteredClaims"))
		}
		return true
	})
	return nil
}

// validReceiver reports whether id is the X of a call of jwt's Valid
// (c.StandardClaims.Valid()): rule jwt-claims-valid removes or reports
// such calls, and RegisteredClaims has no Valid to call.
func validReceiver(p *rules.Pass, id *ast.Ident) bool {
	parents := p.Parents(id)
	if len(parents) < 3 {
		return false
	}
	s, ok := parents[1].(*ast.SelectorExpr)
	c, okCall := parents[2].(*ast.CallExpr)
	return ok && okCall && s.X == parents[0] && jwtValidCall(p, c) == s.Sel
}

// ClaimsFields moves the values set to the claims fields whose type
// changed, and reports their reads.
var ClaimsFields = &rules.GoRule{
	Name: "jwt-claims-fields",
	Doc: "ExpiresAt, IssuedAt and NotBefore (int64 -> *jwt.NumericDate) and Audience (string -> jwt.ClaimStrings), " +
		"set in a literal or by x.F = v: t.Unix() becomes jwt.NewNumericDate(t), another int64 x " +
		"jwt.NewNumericDate(time.Unix(x, 0)), a string s jwt.ClaimStrings{s}, a constant 0 or \"\" is dropped; " +
		"reads of the fields and literals without keys are reported with a TODO",
	Paths:    old,
	NewPaths: []string{pathV5, "time"},
	Run:      runClaimsFields,
}

// getters are the v5 methods that read each field whose type changed.
var getters = map[string]string{
	"ExpiresAt": "GetExpirationTime",
	"IssuedAt":  "GetIssuedAt",
	"NotBefore": "GetNotBefore",
	"Audience":  "GetAudience",
}

var claimsFields = rules.Members(old, []string{"StandardClaims"}, "ExpiresAt", "IssuedAt", "NotBefore", "Audience")

func runClaimsFields(p *rules.Pass) error {
	for _, u := range p.UsesOf(claimsFields) {
		name := u.Obj.Name()
		set := rules.FieldSet(p, u.Ident)
		if set == nil {
			p.Report(u.Ident.Pos(), readMessage(name), true)
			continue
		}
		setField(p, u.Ident, name, set)
	}
	reportUnkeyed(p)
	return nil
}

func readMessage(name string) string {
	if name == "Audience" {
		return "Audience is a jwt.ClaimStrings ([]string) in v5: compare with slices.Contains(c.Audience, aud), or read it with c.GetAudience()"
	}
	return fmt.Sprintf("%s is a *jwt.NumericDate in v5, nil when the token has none: read %s.Time after a nil check, or use %s()", name, name, getters[name])
}

// setField rewrites the value a literal element or an assignment sets the
// field name to.
func setField(p *rules.Pass, id *ast.Ident, name string, set *rules.FieldSetting) {
	v := set.Value
	if tv, ok := isConst(p, v); ok && isZero(tv.Value) {
		if set.KV != nil {
			p.Rewrite(id.Pos(), rules.Delete(set.KV))
		} else {
			p.Rewrite(id.Pos(), rules.Replace(v, func(dst.Node) dst.Node { return dst.NewIdent("nil") }))
		}
		return
	}
	if name == "Audience" {
		p.Rewrite(id.Pos(), rules.Wrap(v, func(x dst.Expr) dst.Expr {
			return &dst.CompositeLit{Type: sel(p, v.Pos(), "ClaimStrings"), Elts: []dst.Expr{x}}
		}))
		return
	}
	if t := unixOf(p, v); t != nil {
		p.Rewrite(id.Pos(), rules.Replace(v, func(old dst.Node) dst.Node {
			c := old.(*dst.CallExpr)
			n := call(sel(p, v.Pos(), "NewNumericDate"), c.Fun.(*dst.SelectorExpr).X)
			n.Decs.NodeDecs = c.Decs.NodeDecs
			return n
		}))
		return
	}
	site := rules.Site{Pos: id.Pos(), Edits: []rules.Edit{rules.Wrap(v, func(x dst.Expr) dst.Expr {
		unix := call(&dst.SelectorExpr{X: p.Qualifier("time", v.Pos()), Sel: dst.NewIdent("Unix")}, x, &dst.BasicLit{Kind: token.INT, Value: "0"})
		return call(sel(p, v.Pos(), "NewNumericDate"), unix)
	})}}
	if _, ok := isConst(p, v); !ok && name == "ExpiresAt" {
		site.Message = fmt.Sprintf("ExpiresAt is now jwt.NewNumericDate(time.Unix(%s, 0)): where %s can be 0 (no exp in v3), pass nil instead, or v5 rejects the token as expired in 1970", types.ExprString(v), types.ExprString(v))
	}
	p.Add(site)
}

func isZero(v constant.Value) bool {
	switch v.Kind() {
	case constant.Int:
		return constant.Sign(v) == 0
	case constant.String:
		return constant.StringVal(v) == ""
	}
	return false
}

// unixOf returns t when e is t.Unix() on a time.Time, else nil.
func unixOf(p *rules.Pass, e ast.Expr) ast.Expr {
	c, ok := e.(*ast.CallExpr)
	if !ok || len(c.Args) != 0 {
		return nil
	}
	s, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || s.Sel.Name != "Unix" {
		return nil
	}
	fn, ok := p.Info().Uses[s.Sel].(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() != "time" {
		return nil
	}
	return s.X
}

// reportUnkeyed reports StandardClaims literals without keys: the fields
// of RegisteredClaims have other types and another order.
func reportUnkeyed(p *rules.Pass) {
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		lit, ok := n.(*ast.CompositeLit)
		if !ok || len(lit.Elts) == 0 || !isOld(p.Info().TypeOf(lit), "StandardClaims") {
			return true
		}
		if _, keyed := lit.Elts[0].(*ast.KeyValueExpr); !keyed {
			p.Report(lit.Pos(), "jwt.RegisteredClaims has other fields, types and order than StandardClaims: write this literal with field names", true)
		}
		return true
	})
}
