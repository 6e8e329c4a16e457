package jwtrule

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/dave/dst"
	"github.com/migrate-tool/migrate/rules"
)

// ClaimsValid keeps a custom claims type's checks alive: v5's Claims
// interface has no Valid, so a Valid method left as it is compiles and is
// never called (catalog trap 1).
var ClaimsValid = &rules.GoRule{
	Name: "jwt-claims-valid",
	Doc: "the Valid() error method of a claims type that embeds StandardClaims becomes Validate (v5's optional " +
		"ClaimsValidator, run by the parser after its own checks), with the call of the embedded Valid removed; " +
		"reported with a TODO, as are its callers (renamed), the other calls of jwt's Valid, and a claims value " +
		"whose type v5's Claims interface does not fit",
	Paths: slices.Concat(old, requests),
	Run:   runClaimsValid,
}

var jwtValid = rules.Members(old, []string{"StandardClaims", "MapClaims", "Claims"}, "Valid")

const (
	msgValidate = "Valid became Validate (jwt.ClaimsValidator): v5's parser calls it after its own exp and nbf checks " +
		"(iat only with jwt.WithIssuedAt()), not under WithoutClaimsValidation, and wraps its error in " +
		"jwt.ErrTokenInvalidClaims: check the custom checks it keeps"
	msgValidateCall = "Valid became Validate, which checks only the custom claims: the parser checks exp and nbf; " +
		"for all of them call jwt.NewValidator(jwt.WithIssuedAt()).Validate(c) and then c.Validate()"
	msgHasValidate = "this claims type has a Validate method already, and v5's parser calls Validate (jwt.ClaimsValidator) " +
		"after its own exp and nbf checks, never Valid: move Valid's own checks into Validate and drop the call of the embedded Valid"
	msgJWTValid = "v5's claims have no Valid method: the parser validates them, or call " +
		"jwt.NewValidator(jwt.WithIssuedAt()).Validate(claims)"
	msgNotClaims = "this claims value does not embed jwt.StandardClaims and is not jwt.MapClaims: v5's Claims " +
		"interface needs GetExpirationTime, GetIssuedAt, GetNotBefore, GetIssuer, GetSubject and GetAudience: " +
		"embed jwt.RegisteredClaims and rename Valid to Validate"
)

func runClaimsValid(p *rules.Pass) error {
	consumed := map[*ast.Ident]bool{}
	for _, d := range p.AST().Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && isClaimsValid(p, fd) {
			rewriteValid(p, fd, consumed)
		}
	}
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			if fn, ok := p.Info().Uses[n].(*types.Func); ok && isCustomValid(fn) && !hasValidate(fn) {
				p.Add(rules.Site{Pos: n.Pos(), Edits: []rules.Edit{rules.Rename(n, "Validate")}, Message: msgValidateCall, TODO: true})
			}
		case *ast.CallExpr:
			checkClaimsArgs(p, n)
		}
		return true
	})
	for _, u := range p.UsesOf(jwtValid) {
		if !consumed[u.Ident] {
			p.Report(u.Ident.Pos(), msgJWTValid, true)
		}
	}
	return nil
}

// embedsStandard reports whether t (or what it points to) has an
// embedded jwt.StandardClaims, at any depth.
func embedsStandard(t types.Type) bool {
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, "StandardClaims")
	v, ok := obj.(*types.Var)
	return ok && v.Embedded() && isOld(v.Type(), "StandardClaims")
}

// isValidSig reports whether sig is func() error.
func isValidSig(sig *types.Signature) bool {
	return sig.Params().Len() == 0 && sig.Results().Len() == 1 && types.Identical(sig.Results().At(0).Type(), types.Universe.Lookup("error").Type())
}

// isCustomValid reports whether fn is a Valid() error method declared
// outside jwt-go on a type embedding StandardClaims.
func isCustomValid(fn *types.Func) bool {
	sig, ok := fn.Type().(*types.Signature)
	if fn.Name() != "Valid" || !ok || sig.Recv() == nil || !isValidSig(sig) || fn.Pkg() == nil || isOldPath(fn.Pkg().Path()) {
		return false
	}
	return !types.IsInterface(sig.Recv().Type()) && embedsStandard(sig.Recv().Type())
}

func isClaimsValid(p *rules.Pass, fd *ast.FuncDecl) bool {
	fn, ok := p.Info().Defs[fd.Name].(*types.Func)
	return ok && fd.Body != nil && isCustomValid(fn)
}

// rewriteValid renames the method and removes the call of the embedded
// Valid in its two usual shapes: "if err := c.StandardClaims.Valid(); err
// != nil { return err }" and a final "return c.StandardClaims.Valid()".
func rewriteValid(p *rules.Pass, fd *ast.FuncDecl, consumed map[*ast.Ident]bool) {
	if hasValidate(p.Info().Defs[fd.Name].(*types.Func)) {
		p.Report(fd.Name.Pos(), msgHasValidate, true)
		return
	}
	edits := []rules.Edit{rules.Rename(fd.Name, "Validate"), rules.Replace(fd, renameDoc)}
	list := fd.Body.List
	for i, s := range list {
		if id := embeddedCheck(p, s); id != nil {
			consumed[id] = true
			edits = append(edits, rules.Delete(s))
			continue
		}
		r, ok := s.(*ast.ReturnStmt)
		if i != len(list)-1 || !ok || len(r.Results) != 1 {
			continue
		}
		if id := jwtValidCall(p, r.Results[0]); id != nil {
			consumed[id] = true
			edits = append(edits, rules.Replace(r.Results[0], func(dst.Node) dst.Node { return dst.NewIdent("nil") }))
		}
	}
	p.Add(rules.Site{Pos: fd.Name.Pos(), Edits: edits, Message: msgValidate, TODO: true})
}

// renameDoc makes a doc comment that starts with the method's old name
// start with its new one.
func renameDoc(old dst.Node) dst.Node {
	fd := old.(*dst.FuncDecl)
	for i, c := range fd.Decs.Start {
		if rest, ok := strings.CutPrefix(c, "// Valid "); ok {
			fd.Decs.Start[i] = "// Validate " + rest
			break
		}
	}
	return fd
}

// hasValidate reports whether the receiver type of fn already has a
// Validate method, which a renamed Valid would collide with.
func hasValidate(fn *types.Func) bool {
	recv := fn.Type().(*types.Signature).Recv().Type()
	obj, _, _ := types.LookupFieldOrMethod(recv, true, fn.Pkg(), "Validate")
	_, ok := obj.(*types.Func)
	return ok
}

// embeddedCheck returns the Valid of "if err := X.Valid(); err != nil {
// return err }" with X.Valid jwt's, else nil.
func embeddedCheck(p *rules.Pass, s ast.Stmt) *ast.Ident {
	is, ok := s.(*ast.IfStmt)
	if !ok || is.Else != nil || len(is.Body.List) != 1 {
		return nil
	}
	as, ok := is.Init.(*ast.AssignStmt)
	if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
		return nil
	}
	errID, _ := as.Lhs[0].(*ast.Ident)
	cond, _ := is.Cond.(*ast.BinaryExpr)
	ret, _ := is.Body.List[0].(*ast.ReturnStmt)
	if errID == nil || cond == nil || ret == nil || cond.Op != token.NEQ || len(ret.Results) != 1 {
		return nil
	}
	v := p.Info().Defs[errID]
	if !isUseOf(p, cond.X, v) || !isUseOf(p, ret.Results[0], v) || !isNil(p, cond.Y) {
		return nil
	}
	return jwtValidCall(p, as.Rhs[0])
}

func isUseOf(p *rules.Pass, e ast.Expr, v types.Object) bool {
	id, ok := e.(*ast.Ident)
	return ok && v != nil && p.Info().Uses[id] == v
}

func isNil(p *rules.Pass, e ast.Expr) bool {
	tv, ok := p.Info().Types[e]
	return ok && tv.IsNil()
}

// jwtValidCall returns the Valid of e when e is a call of jwt's Valid.
func jwtValidCall(p *rules.Pass, e ast.Expr) *ast.Ident {
	c, ok := e.(*ast.CallExpr)
	if !ok {
		return nil
	}
	s, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	if _, ok := jwtValid.Match(p.Info().Uses[s.Sel]); ok {
		return s.Sel
	}
	return nil
}

// checkClaimsArgs reports the arguments passed as a jwt-go Claims whose
// type does not become a v5 Claims: neither MapClaims nor a type that
// embeds StandardClaims.
func checkClaimsArgs(p *rules.Pass, c *ast.CallExpr) {
	sig, ok := p.Info().TypeOf(c.Fun).(*types.Signature)
	if !ok || !fromJWT(p, c.Fun) {
		return
	}
	for i, arg := range c.Args {
		if i >= sig.Params().Len() || !isOld(sig.Params().At(i).Type(), "Claims") {
			continue
		}
		if t := p.Info().TypeOf(arg); t != nil && !fitsV5(t) {
			p.Report(arg.Pos(), msgNotClaims, true)
		}
	}
}

// fromJWT reports whether the function called is jwt-go's.
func fromJWT(p *rules.Pass, fun ast.Expr) bool {
	var id *ast.Ident
	switch f := ast.Unparen(fun).(type) {
	case *ast.SelectorExpr:
		id = f.Sel
	case *ast.Ident:
		id = f
	}
	obj := p.Info().Uses[id]
	return obj != nil && obj.Pkg() != nil && isOldPath(obj.Pkg().Path())
}

// fitsV5 reports whether a value of type t is a v5 Claims once migrated.
func fitsV5(t types.Type) bool {
	if types.IsInterface(t) || isOld(t, "MapClaims") || isOld(t, "StandardClaims") {
		return true
	}
	return embedsStandard(t)
}
