package jwtrule

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/migrate-tool/migrate/rules"
)

// ValidationErrors turns the bit tests of a *jwt.ValidationError into
// errors.Is tests of the v5 sentinel errors.
var ValidationErrors = &rules.GoRule{
	Name: "jwt-validation-errors",
	Doc: "if ve, ok := err.(*jwt.ValidationError); ok && ve.Errors&jwt.ValidationErrorExpired != 0 becomes " +
		"if errors.Is(err, jwt.ErrTokenExpired), and a bare ok becomes err != nil where err comes from jwt's " +
		"Parse (every v3 parse error is a *ValidationError); masks of several flags become errors.Is(...) || ..., " +
		"== 0 a negation. Other uses of ValidationError, its fields and its flags are reported with a TODO",
	Paths:    old,
	NewPaths: []string{pathV5, "errors"},
	Run:      runValidationErrors,
}

// sentinels maps each ValidationError flag to the v5 error it becomes.
var sentinels = map[string]string{
	"ValidationErrorMalformed":        "ErrTokenMalformed",
	"ValidationErrorUnverifiable":     "ErrTokenUnverifiable",
	"ValidationErrorSignatureInvalid": "ErrTokenSignatureInvalid",
	"ValidationErrorAudience":         "ErrTokenInvalidAudience",
	"ValidationErrorExpired":          "ErrTokenExpired",
	"ValidationErrorIssuedAt":         "ErrTokenUsedBeforeIssued",
	"ValidationErrorIssuer":           "ErrTokenInvalidIssuer",
	"ValidationErrorNotValidYet":      "ErrTokenNotValidYet",
	"ValidationErrorId":               "ErrTokenInvalidId",
	"ValidationErrorClaimsInvalid":    "ErrTokenInvalidClaims",
}

var (
	validationError = rules.Funcs(old, "ValidationError")
	flags           = rules.Funcs(old, "ValidationErrorMalformed", "ValidationErrorUnverifiable",
		"ValidationErrorSignatureInvalid", "ValidationErrorAudience", "ValidationErrorExpired",
		"ValidationErrorIssuedAt", "ValidationErrorIssuer", "ValidationErrorNotValidYet",
		"ValidationErrorId", "ValidationErrorClaimsInvalid")
	parseFuncs   = rules.Funcs(old, "Parse", "ParseWithClaims")
	parseMethods = rules.Members(old, []string{"Parser"}, "Parse", "ParseWithClaims")
)

const (
	msgType = "jwt.ValidationError is gone in v5: test the error with errors.Is(err, jwt.ErrTokenExpired) " +
		"(ErrTokenMalformed, ErrTokenSignatureInvalid, ErrTokenNotValidYet...)"
	msgFlag = "the ValidationError flags are gone in v5: test the error with errors.Is(err, jwt.ErrTokenExpired) and the other ErrToken* errors"
	msgOk   = "v5 has no ValidationError; this assertion held for every error of jwt's Parse, but the error does not " +
		"visibly come from it here: decide which errors take this branch, then test them with errors.Is(err, jwt.ErrToken...)"
	msgClaimsInvalid = "ErrTokenInvalidClaims wraps every claims failure in v5 (ErrTokenExpired, ErrTokenNotValidYet...), " +
		"not only the errors of a custom Valid: check that this branch should take them"
)

// bitTest is "ve.Errors&MASK != 0" (or == 0, > 0): the expression, the
// flags of the mask and whether it tests for none of them.
type bitTest struct {
	expr  ast.Expr
	flags []*ast.Ident
	none  bool
}

// assertion is "ve, ok := err.(*jwt.ValidationError)" in an if statement.
type assertion struct {
	stmt    *ast.IfStmt
	err     *ast.Ident
	bareOk  bool
	tests   []bitTest
	typeUse *ast.Ident
}

func runValidationErrors(p *rules.Pass) error {
	done := map[*ast.Ident]bool{}
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		if s, ok := n.(*ast.IfStmt); ok {
			if a := matchAssertion(p, s, done); a != nil {
				rewriteAssertion(p, a, done)
			}
		}
		return true
	})
	for _, u := range p.UsesOf(validationError) {
		if !done[u.Ident] {
			p.Report(u.Ident.Pos(), msgType, true)
		}
	}
	for _, u := range p.UsesOf(flags) {
		if !done[u.Ident] {
			p.Report(u.Ident.Pos(), msgFlag, true)
		}
	}
	return nil
}

// matchAssertion returns the assertion s starts with when every use of
// ve is a bit test and ok is the condition or its first operand, else nil.
func matchAssertion(p *rules.Pass, s *ast.IfStmt, done map[*ast.Ident]bool) *assertion {
	as, ok := s.Init.(*ast.AssignStmt)
	if !ok || as.Tok != token.DEFINE || len(as.Lhs) != 2 || len(as.Rhs) != 1 {
		return nil
	}
	ta, ok := as.Rhs[0].(*ast.TypeAssertExpr)
	if !ok {
		return nil
	}
	star, ok := ta.Type.(*ast.StarExpr)
	errID, okX := ta.X.(*ast.Ident)
	if !ok || !okX || !isOld(p.Info().TypeOf(ta.Type), "ValidationError") {
		return nil
	}
	ve, okID := as.Lhs[0].(*ast.Ident)
	okVar, okOk := as.Lhs[1].(*ast.Ident)
	if !okID || !okOk || okVar.Name == "_" {
		return nil
	}
	a := &assertion{stmt: s, err: errID, typeUse: typeIdent(star.X)}
	if a.bareOk = isIdentOf(p, s.Cond, okVar); !a.bareOk && !isIdentOf(p, firstAnd(s.Cond), okVar) {
		return nil
	}
	if len(p.Uses(p.Info().Defs[okVar])) != 1 || assigned(p, s, p.Info().Uses[errID]) {
		return nil
	}
	for _, use := range p.Uses(p.Info().Defs[ve]) {
		t, ok := matchBitTest(p, use)
		if !ok {
			return nil
		}
		a.tests = append(a.tests, t)
	}
	if a.bareOk && !fromParse(p, s, p.Info().Uses[errID]) {
		p.Report(as.Pos(), msgOk, true)
		done[a.typeUse] = true
		for _, t := range a.tests {
			for _, f := range t.flags {
				done[f] = true
			}
		}
		return nil
	}
	return a
}

func typeIdent(e ast.Expr) *ast.Ident {
	switch e := e.(type) {
	case *ast.Ident:
		return e
	case *ast.SelectorExpr:
		return e.Sel
	}
	return nil
}

func isIdentOf(p *rules.Pass, e ast.Expr, def *ast.Ident) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && p.Info().Uses[id] != nil && p.Info().Uses[id] == p.Info().Defs[def]
}

// firstAnd returns the leftmost operand of a chain of &&.
func firstAnd(e ast.Expr) ast.Expr {
	for {
		b, ok := e.(*ast.BinaryExpr)
		if !ok || b.Op != token.LAND {
			return e
		}
		e = b.X
	}
}

// matchBitTest matches the use of ve in "ve.Errors&MASK != 0" and its
// variants (== 0, > 0, 0 != ...), MASK a flag or flags or-ed together.
func matchBitTest(p *rules.Pass, use *ast.Ident) (bitTest, bool) {
	parents := p.Parents(use)
	if len(parents) < 3 {
		return bitTest{}, false
	}
	s, ok := parents[0].(*ast.SelectorExpr)
	and, okAnd := parents[1].(*ast.BinaryExpr)
	if !ok || s.Sel.Name != "Errors" || !okAnd || and.Op != token.AND || and.X != s {
		return bitTest{}, false
	}
	i := 2
	for i < len(parents) {
		if _, ok := parents[i].(*ast.ParenExpr); !ok {
			break
		}
		i++
	}
	cmp, ok := parents[min(i, len(parents)-1)].(*ast.BinaryExpr)
	if !ok {
		return bitTest{}, false
	}
	other := cmp.Y
	if ast.Unparen(cmp.Y) == and {
		other = cmp.X
	}
	if tv, ok := isConst(p, other); !ok || !isZero(tv.Value) {
		return bitTest{}, false
	}
	t := bitTest{expr: cmp}
	switch {
	case cmp.Op == token.NEQ, cmp.Op == token.GTR && other == cmp.Y, cmp.Op == token.LSS && other == cmp.X:
	case cmp.Op == token.EQL:
		t.none = true
	default:
		return bitTest{}, false
	}
	t.flags, ok = maskFlags(p, and.Y)
	return t, ok
}

// maskFlags returns the flags or-ed together in e.
func maskFlags(p *rules.Pass, e ast.Expr) ([]*ast.Ident, bool) {
	switch e := ast.Unparen(e).(type) {
	case *ast.BinaryExpr:
		if e.Op != token.OR {
			return nil, false
		}
		x, okX := maskFlags(p, e.X)
		y, okY := maskFlags(p, e.Y)
		return append(x, y...), okX && okY
	case *ast.SelectorExpr:
		return maskFlags(p, e.Sel)
	case *ast.Ident:
		if _, ok := flags.Match(p.Info().Uses[e]); ok {
			return []*ast.Ident{e}, true
		}
	}
	return nil, false
}

// assigned reports whether the variable v is assigned, or has its address
// taken, inside n.
func assigned(p *rules.Pass, n ast.Node, v types.Object) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if id, ok := l.(*ast.Ident); ok && p.Info().ObjectOf(id) == v {
					found = true
				}
			}
		case *ast.UnaryExpr:
			if id, ok := n.X.(*ast.Ident); ok && n.Op == token.AND && p.Info().Uses[id] == v {
				found = true
			}
		}
		return !found
	})
	return found
}

// fromParse reports whether the last assignment to v before s, in the
// statements that precede s (or the if statements around it) in their
// blocks, is a call of jwt's Parse, ParseWithClaims or a Parser's.
func fromParse(p *rules.Pass, s ast.Stmt, v types.Object) bool {
	var child ast.Node = s
	for _, parent := range p.Parents(s) {
		var before []ast.Stmt
		switch n := parent.(type) {
		case *ast.BlockStmt:
			before = n.List
		case *ast.CaseClause:
			before = n.Body
		case *ast.IfStmt:
			if n.Init != nil && n.Init != child {
				before = []ast.Stmt{n.Init}
			}
		case *ast.FuncDecl, *ast.FuncLit:
			return false
		}
		for i := len(before) - 1; i >= 0; i-- {
			if before[i] == child {
				continue
			}
			if before[i].Pos() > child.Pos() {
				continue
			}
			if c, ok := assigns(p, before[i], v); ok {
				return isParseCall(p, c)
			}
		}
		child = parent
	}
	return false
}

// assigns returns the right-hand side of s when s assigns v.
func assigns(p *rules.Pass, s ast.Stmt, v types.Object) (ast.Expr, bool) {
	as, ok := s.(*ast.AssignStmt)
	if !ok {
		return nil, false
	}
	for _, l := range as.Lhs {
		if id, ok := l.(*ast.Ident); ok && p.Info().ObjectOf(id) == v {
			if len(as.Rhs) == 1 {
				return as.Rhs[0], true
			}
			return nil, true
		}
	}
	return nil, false
}

func isParseCall(p *rules.Pass, e ast.Expr) bool {
	c, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	var id *ast.Ident
	switch f := ast.Unparen(c.Fun).(type) {
	case *ast.SelectorExpr:
		id = f.Sel
	case *ast.Ident:
		id = f
	}
	obj := p.Info().Uses[id]
	_, fn := parseFuncs.Match(obj)
	_, m := parseMethods.Match(obj)
	return fn || m
}
