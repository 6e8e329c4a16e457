package pkgerrorsrule

import (
	"go/ast"
	"go/constant"
	"go/token"
	"strconv"
	"strings"

	"github.com/dave/dst"
	"github.com/migrate-tool/migrate/rules"
)

// errorfArgs builds the arguments of the fmt.Errorf call that replaces a
// wrap call, from the wrap call's arguments as decorated nodes (err first,
// then the message or the format and its arguments): the format, its
// arguments, err last.
type errorfArgs func(args []dst.Expr) []dst.Expr

// plan returns how the arguments of the wrap call become fmt.Errorf's, or
// why they cannot.
func plan(p *rules.Pass, call *ast.CallExpr, formatted bool) (errorfArgs, string) {
	msg := call.Args[1]
	tv := p.Info().Types[msg]
	lit, _ := ast.Unparen(msg).(*ast.BasicLit)
	if lit != nil && lit.Kind != token.STRING {
		lit = nil
	}
	if !formatted {
		if lit == nil {
			return viaPercentS(nil, false), ""
		}
		return func(args []dst.Expr) []dst.Expr {
			return []dst.Expr{withW(args[1], lit, true, 0), args[0]}
		}, ""
	}
	if tv.Value == nil || call.Ellipsis.IsValid() {
		return viaPercentS(p.Qualifier("fmt", call.Pos()), call.Ellipsis.IsValid()), ""
	}
	format := constant.StringVal(tv.Value)
	if strings.Contains(strings.ReplaceAll(format, "%%", ""), "%w") {
		return nil, "its format has %w, which pkg/errors printed as %!w(...) and fmt.Errorf would wrap"
	}
	index := 0
	if strings.Contains(format, "%[") {
		index = len(call.Args) - 1 // explicit argument indexes: name err's
	}
	return func(args []dst.Expr) []dst.Expr {
		var f dst.Expr
		if lit != nil {
			f = withW(args[1], lit, false, index)
		} else {
			f = &dst.BinaryExpr{X: args[1], Op: token.ADD, Y: strLit(wVerb(index))}
		}
		out := append([]dst.Expr{f}, args[2:]...)
		return append(out, args[0])
	}, ""
}

// viaPercentS passes the message as a %s argument: fmt.Errorf("%s: %w",
// msg, err), the message first formatted with fmt.Sprintf (sprintf names
// fmt) when it is a format, its arguments forwarded with ... if they were.
func viaPercentS(sprintf *dst.Ident, ellipsis bool) errorfArgs {
	return func(args []dst.Expr) []dst.Expr {
		msg := args[1]
		if sprintf != nil {
			c := &dst.CallExpr{Fun: &dst.SelectorExpr{X: sprintf, Sel: dst.NewIdent("Sprintf")}, Args: args[1:]}
			c.Ellipsis = ellipsis
			msg = c
		}
		return []dst.Expr{strLit("%s: %w"), msg, args[0]}
	}
}

func wVerb(index int) string {
	if index > 0 {
		return ": %[" + strconv.Itoa(index) + "]w"
	}
	return ": %w"
}

func strLit(s string) *dst.BasicLit {
	return &dst.BasicLit{Kind: token.STRING, Value: strconv.Quote(s)}
}

// withW returns the string literal lit (old is its decorated node) with
// ": %w" appended, every % doubled first when it is a message, not a
// format. The literal keeps its quotes and escapes where it can.
func withW(old dst.Expr, lit *ast.BasicLit, message bool, index int) dst.Expr {
	val, err := strconv.Unquote(lit.Value)
	if err != nil {
		return old
	}
	src := lit.Value
	if message {
		if strings.Count(src, "%") != strings.Count(val, "%") {
			// A % spelled as an escape: rebuild the literal.
			src = strconv.Quote(val)
		}
		src = strings.ReplaceAll(src, "%", "%%")
	}
	n := &dst.BasicLit{Kind: token.STRING, Value: src[:len(src)-1] + wVerb(index) + src[len(src)-1:]}
	if o, ok := old.(*dst.BasicLit); ok {
		n.Decs = o.Decs
	}
	return n
}
