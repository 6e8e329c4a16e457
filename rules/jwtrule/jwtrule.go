// Package jwtrule holds the dgrijalva/jwt-go -> golang-jwt/jwt/v5 rules
// that the rule-file format cannot express: the claims fields whose type
// changed (int64 -> *NumericDate, string -> ClaimStrings), the embedded
// StandardClaims field, the ValidationError bit tests, a custom claims
// type's Valid method, the Parser literal, the v4 preview import, and the
// values handed to dependencies built on jwt-go. The facts are in the
// research catalog, part 2, section 3.
package jwtrule

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"github.com/dave/dst"
	"github.com/migrate-tool/migrate/rules"
)

const (
	pathV3 = "github.com/dgrijalva/jwt-go"
	// pathGopkg is the same v3 code under its gopkg.in path.
	pathGopkg = "gopkg.in/dgrijalva/jwt-go.v3"
	pathV4    = "github.com/dgrijalva/jwt-go/v4"
	pathV5    = "github.com/golang-jwt/jwt/v5"
)

// old are the import paths of jwt-go v3, and requests their request
// packages.
var (
	old      = []string{pathV3, pathGopkg}
	requests = []string{pathV3 + "/request", pathGopkg + "/request"}
)

// isOldPath reports whether path is one of jwt-go v3's packages.
func isOldPath(path string) bool {
	return slices.Contains(old, path) || slices.Contains(requests, path)
}

// Rules returns the jwt rules written in Go.
func Rules() []*rules.GoRule {
	return []*rules.GoRule{EmbeddedClaims, ClaimsFields, ValidationErrors, ClaimsValid, ParserOptions, SigningMethods, PreviewV4, Dependencies}
}

// Dependencies reports jwt-go values handed to a dependency built on
// jwt-go (a middleware whose Keyfunc or Claims is jwt-go's): see
// rules.Crossings.
var Dependencies = rules.Crossings("jwt-dependencies", rules.OldLibrary{
	Name:  "jwt-go",
	Kind:  "library",
	Paths: map[string]string{pathV3: "", pathGopkg: "", requests[0]: "", requests[1]: ""},
	New:   pathV5,
})

// isOld reports whether t, or the type it points to, is the named type
// name of jwt-go v3.
func isOld(t types.Type, name string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && slices.Contains(old, n.Obj().Pkg().Path()) && n.Obj().Name() == name
}

// sel builds q.name for the v5 package, qualified where pos is.
func sel(p *rules.Pass, pos token.Pos, name string) *dst.SelectorExpr {
	return &dst.SelectorExpr{X: p.Qualifier(pathV5, pos), Sel: dst.NewIdent(name)}
}

// call builds fun(args...).
func call(fun dst.Expr, args ...dst.Expr) *dst.CallExpr {
	return &dst.CallExpr{Fun: fun, Args: args}
}

// isConst reports whether e is a constant expression, and its value.
func isConst(p *rules.Pass, e ast.Expr) (types.TypeAndValue, bool) {
	tv, ok := p.Info().Types[e]
	return tv, ok && tv.Value != nil
}
