package redigorule

import (
	"go/ast"
	"go/types"

	"github.com/migrate-tool/migrate/rules"
)

// coreRules are the Go rules of the redigo rule set (phase 2) that move
// the call sites: the pool's type, borrowed connections, commands, replies,
// errors, scripts and pipelines.
func coreRules() []*rules.GoRule {
	return []*rules.GoRule{Import, ErrNil, PoolType, Conn, Script, Leftover}
}

// PoolType retypes *redis.Pool to *redis.Client in declarations.
var PoolType = &rules.GoRule{
	Name: "redigo-pool-type",
	Doc: "*redis.Pool in the type of a field, parameter, result or variable becomes *redis.Client; " +
		"a pool literal (&redis.Pool{...}) and redis.NewPool are left to the pool construction rules; " +
		"a Pool held by value, embedded, converted, asserted or named in a type declaration is left to redigo-leftover, which reports it",
	Paths:         paths,
	ImportersOnly: true,
	Requires:      []*rules.Fact{compatPackage},
	Run:           runPoolType,
}

var poolTypeM = rules.Funcs(paths, "Pool")

func runPoolType(p *rules.Pass) error {
	if inCompat(p) {
		return nil
	}
	for _, u := range p.UsesOf(poolTypeM) {
		if _, ok := u.Obj.(*types.TypeName); !ok {
			continue
		}
		// The other uses (a Pool by value, embedded, in new() or a
		// conversion) are left to the leftover rule, which reports them.
		if poolTypeUse(p, u.Ident) == usePointerDecl {
			p.Rewrite(u.Ident.Pos(), rules.Rename(u.Ident, "Client"))
		}
	}
	return nil
}

// typeUse is where a use of redis.Pool stands.
type typeUse int

const (
	useOther       typeUse = iota
	useLiteral             // the type of a composite literal: the pool rules' business
	usePointerDecl         // *redis.Pool in a declaration's type
	useValueDecl           // redis.Pool, not behind a pointer, in a declaration's type
	useEmbedded            // an embedded field
)

// poolTypeUse tells where id, a use of redis.Pool, stands.
func poolTypeUse(p *rules.Pass, id *ast.Ident) typeUse {
	parents := p.Parents(id)
	var child ast.Node = id
	if sel, ok := parents[0].(*ast.SelectorExpr); ok && sel.Sel == id {
		child, parents = sel, parents[1:]
	}
	if lit, ok := parents[0].(*ast.CompositeLit); ok && lit.Type == child {
		return useLiteral
	}
	pointer := false
	if star, ok := parents[0].(*ast.StarExpr); ok && star.X == child {
		pointer = true
	}
	if !inDeclaredType(p, child) {
		return useOther
	}
	if f := enclosingField(p, child); f != nil && len(f.Names) == 0 && isStructField(p, f) {
		return useEmbedded
	}
	if pointer {
		return usePointerDecl
	}
	return useValueDecl
}

// inDeclaredType reports whether e lies in the type of a declaration: a
// var spec's type, or a struct field's, parameter's or result's, possibly
// inside a pointer, slice, array, map, channel or function type.
func inDeclaredType(p *rules.Pass, e ast.Node) bool {
	child := e
	for _, n := range p.Parents(e) {
		switch n := n.(type) {
		case *ast.StarExpr, *ast.MapType, *ast.ChanType, *ast.Ellipsis, *ast.ParenExpr,
			*ast.FieldList, *ast.FuncType:
		case *ast.ArrayType:
			if n.Len == child {
				return false
			}
		case *ast.Field:
			return n.Type == child
		case *ast.ValueSpec:
			return n.Type == child
		default:
			return false
		}
		child = n
	}
	return false
}

// enclosingField returns the field whose type holds e, or nil.
func enclosingField(p *rules.Pass, e ast.Node) *ast.Field {
	for _, n := range p.Parents(e) {
		if f, ok := n.(*ast.Field); ok {
			return f
		}
	}
	return nil
}

// isStructField reports whether f is a field of a struct type.
func isStructField(p *rules.Pass, f *ast.Field) bool {
	parents := p.Parents(f)
	if len(parents) < 2 {
		return false
	}
	_, ok := parents[1].(*ast.StructType)
	return ok
}
