package jwtrule

import (
	"go/ast"
	"go/constant"
	"go/token"

	"github.com/dave/dst"
	"github.com/migrate-tool/migrate/rules"
)

// ParserOptions turns a jwt.Parser literal with fields into a call of
// jwt.NewParser with the matching options: v5's Parser has no exported
// fields.
var ParserOptions = &rules.GoRule{
	Name: "jwt-parser-options",
	Doc: "&jwt.Parser{ValidMethods: m, UseJSONNumber: true, SkipClaimsValidation: true} becomes " +
		"jwt.NewParser(jwt.WithValidMethods(m), jwt.WithJSONNumber(), jwt.WithoutClaimsValidation()) " +
		"(a Parser value *jwt.NewParser(...)); a flag set to something else than a constant, and the " +
		"fields read or written elsewhere, are reported with a TODO",
	Paths:    old,
	NewPaths: []string{pathV5},
	Run:      runParserOptions,
}

// options maps each Parser field to the option that sets it in v5; a
// boolean field's option takes no argument.
var options = map[string]string{
	"ValidMethods":         "WithValidMethods",
	"UseJSONNumber":        "WithJSONNumber",
	"SkipClaimsValidation": "WithoutClaimsValidation",
}

var parserFields = rules.Members(old, []string{"Parser"}, "ValidMethods", "UseJSONNumber", "SkipClaimsValidation")

const (
	msgParserLit = "jwt.Parser has no exported fields in v5: build it with jwt.NewParser(jwt.WithValidMethods(m), " +
		"jwt.WithJSONNumber(), jwt.WithoutClaimsValidation()), each option only where its flag is true"
	msgParserField = "jwt.Parser has no exported fields in v5: pass the matching option to jwt.NewParser " +
		"(WithValidMethods, WithJSONNumber, WithoutClaimsValidation) where the parser is built"
)

func runParserOptions(p *rules.Pass) error {
	inLit := map[*ast.Ident]bool{}
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		lit, ok := n.(*ast.CompositeLit)
		if !ok || len(lit.Elts) == 0 || !isOld(p.Info().TypeOf(lit), "Parser") {
			return true
		}
		for _, e := range lit.Elts {
			if kv, ok := e.(*ast.KeyValueExpr); ok {
				if id, ok := kv.Key.(*ast.Ident); ok {
					inLit[id] = true
				}
			}
		}
		rewriteParser(p, lit)
		return true
	})
	for _, u := range p.UsesOf(parserFields) {
		if !inLit[u.Ident] {
			p.Report(u.Ident.Pos(), msgParserField, true)
		}
	}
	return nil
}

// parserOption is one option of the NewParser call a literal becomes.
type parserOption struct {
	name string
	arg  ast.Expr // nil for a flag's option
}

func rewriteParser(p *rules.Pass, lit *ast.CompositeLit) {
	opts, ok := parserOptions(p, lit)
	if !ok {
		p.Report(lit.Pos(), msgParserLit, true)
		return
	}
	var target ast.Expr = lit
	deref := true
	if u, ok := p.Parents(lit)[0].(*ast.UnaryExpr); ok && u.Op == token.AND {
		target, deref = u, false
	}
	pos := lit.Pos()
	p.Rewrite(pos, rules.Replace(target, func(old dst.Node) dst.Node {
		elts := literalOf(old).Elts
		var args []dst.Expr
		for _, o := range opts {
			c := call(sel(p, pos, o.name))
			kv := elementOf(elts, o)
			if o.arg != nil {
				c.Args = []dst.Expr{kv.Value}
			}
			// The element's line breaks and comments go with its option.
			c.Decs.NodeDecs = kv.Decs.NodeDecs
			args = append(args, c)
		}
		var e dst.Expr = call(sel(p, pos, "NewParser"), args...)
		if deref {
			e = &dst.StarExpr{X: e}
		}
		e.Decorations().Start = old.Decorations().Start
		e.Decorations().End = old.Decorations().End
		return e
	}))
}

// literalOf returns the composite literal of n, &T{...} or T{...}.
func literalOf(n dst.Node) *dst.CompositeLit {
	if u, ok := n.(*dst.UnaryExpr); ok {
		return u.X.(*dst.CompositeLit)
	}
	return n.(*dst.CompositeLit)
}

// elementOf returns the decorated element that sets o's field.
func elementOf(elts []dst.Expr, o parserOption) *dst.KeyValueExpr {
	for _, e := range elts {
		kv := e.(*dst.KeyValueExpr)
		if options[kv.Key.(*dst.Ident).Name] == o.name {
			return kv
		}
	}
	return nil
}

// parserOptions returns the options of a Parser literal, in field order,
// or false when one is not mechanical (no keys, a flag not constant).
func parserOptions(p *rules.Pass, lit *ast.CompositeLit) ([]parserOption, bool) {
	var opts []parserOption
	for _, e := range lit.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			return nil, false
		}
		name := kv.Key.(*ast.Ident).Name
		if name == "ValidMethods" {
			if !isNil(p, kv.Value) {
				opts = append(opts, parserOption{name: options[name], arg: kv.Value})
			}
			continue
		}
		tv, ok := isConst(p, kv.Value)
		if !ok || tv.Value.Kind() != constant.Bool {
			return nil, false
		}
		if constant.BoolVal(tv.Value) {
			opts = append(opts, parserOption{name: options[name]})
		}
	}
	return opts, true
}
