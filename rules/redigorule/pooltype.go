package redigorule

import (
	"fmt"
	"go/ast"
	"go/token"
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
	Doc: "*redis.Pool in the type of a field, parameter, result or variable (or in a type written in an expression: " +
		"[]*redis.Pool{...}, make) becomes *redis.Client, and a pool that goes into an interface the client does not implement is reported; " +
		"a pool literal (&redis.Pool{...}) and redis.NewPool are left to the pool construction rules; " +
		"a Pool held by value, embedded, converted, asserted or named in a type declaration is left to redigo-leftover, which reports it",
	Paths: paths,
	// Not ImportersOnly: a file that gets a pool from another package can
	// hand it to an interface (reportPoolIntoInterface).
	Requires: []*rules.Fact{compatPackage},
	Run:      runPoolType,
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
	reportPoolIntoInterface(p)
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
// inside a pointer, slice, array, map, channel or function type; or in
// such a type written in an expression: a composite literal's element
// type ([]*redis.Pool{...}), make's, or a function literal's.
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
		case *ast.CompositeLit:
			// Not the literal's own type: redis.Pool{...} is the pool rules'.
			_, wraps := child.(*ast.StarExpr)
			return n.Type == child && !wraps && child != e
		case *ast.FuncLit:
			return n.Type == child
		case *ast.CallExpr:
			id, ok := n.Fun.(*ast.Ident)
			return ok && len(n.Args) > 0 && n.Args[0] == child && child != e &&
				p.Info().Uses[id] == types.Universe.Lookup("make")
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

// reportPoolIntoInterface reports each *redis.Pool value of the file that
// goes into an interface *redis.Client does not implement (one of the
// module's own, with Get() redis.Conn, say): by assignment, argument,
// return, composite literal element or send. The pool's type and
// construction become *redis.Client, which the interface no longer
// accepts; the interface is the module's to change.
func reportPoolIntoInterface(p *rules.Pass) {
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		e, ok := n.(ast.Expr)
		if !ok {
			return true
		}
		if _, ok := e.(*ast.ParenExpr); ok {
			return true
		}
		tv, ok := p.Info().Types[e]
		if !ok || !tv.IsValue() || !isPoolPointer(tv.Type) {
			return true
		}
		target := interfaceTarget(p, e)
		if target == nil {
			return true
		}
		iface, ok := target.Underlying().(*types.Interface)
		if !ok || clientSatisfies(iface) {
			return true
		}
		p.Report(e.Pos(), fmt.Sprintf("a *redis.Pool goes into %s here, which *redis.Client (the pool's new type) does not implement: "+
			"change the interface to the client's methods (or take redis.UniversalClient / redis.Cmdable) and its callers by hand",
			types.TypeString(target, types.RelativeTo(p.Pkg()))), true)
		return false
	})
}

// isPoolPointer reports whether t is *redis.Pool of redigo.
func isPoolPointer(t types.Type) bool {
	_, ok := t.(*types.Pointer)
	return ok && isRedigoType(t, "Pool")
}

// clientSatisfies reports whether go-redis's *redis.Client implements
// iface, judged by the methods a redigo Pool has: only Close keeps its
// signature (Close() error).
func clientSatisfies(iface *types.Interface) bool {
	for i := range iface.NumMethods() {
		if iface.Method(i).Name() != "Close" {
			return false
		}
	}
	return true
}

// interfaceTarget returns the type the value e is assigned to where that
// type is an interface (e goes into it by an implicit conversion), or nil.
func interfaceTarget(p *rules.Pass, e ast.Expr) types.Type {
	var child ast.Node = e
	parents := p.Parents(e)
	for len(parents) > 0 {
		if par, ok := parents[0].(*ast.ParenExpr); ok {
			child, parents = par, parents[1:]
			continue
		}
		break
	}
	if len(parents) == 0 {
		return nil
	}
	info := p.Info()
	var t types.Type
	switch par := parents[0].(type) {
	case *ast.AssignStmt:
		if par.Tok == token.ASSIGN && len(par.Lhs) == len(par.Rhs) {
			for i, r := range par.Rhs {
				if r == child {
					t = info.TypeOf(par.Lhs[i])
				}
			}
		}
	case *ast.ValueSpec:
		if par.Type != nil {
			t = info.TypeOf(par.Type)
		}
	case *ast.CallExpr:
		t = argTarget(info, par, child)
	case *ast.ReturnStmt:
		t = resultTarget(p, par, child)
	case *ast.KeyValueExpr:
		if par.Value == child && len(parents) > 1 {
			if lit, ok := parents[1].(*ast.CompositeLit); ok {
				t = elemTarget(info, lit, par.Key)
			}
		}
	case *ast.CompositeLit:
		t = elemTarget(info, par, nil)
	case *ast.SendStmt:
		if par.Value == child {
			if ch, ok := info.TypeOf(par.Chan).Underlying().(*types.Chan); ok {
				t = ch.Elem()
			}
		}
	}
	if t == nil || !types.IsInterface(t) {
		return nil
	}
	return t
}

// argTarget returns the type of the parameter arg is passed to in call,
// or the type call converts to.
func argTarget(info *types.Info, call *ast.CallExpr, arg ast.Node) types.Type {
	ft := info.Types[call.Fun]
	if ft.IsType() {
		return ft.Type
	}
	sig, ok := ft.Type.Underlying().(*types.Signature)
	if !ok {
		return nil
	}
	for i, a := range call.Args {
		if a != arg {
			continue
		}
		params := sig.Params()
		switch {
		case sig.Variadic() && i >= params.Len()-1:
			if call.Ellipsis.IsValid() {
				return nil
			}
			return params.At(params.Len() - 1).Type().(*types.Slice).Elem()
		case i < params.Len():
			return params.At(i).Type()
		}
	}
	return nil
}

// resultTarget returns the type of the result that ret returns e as.
func resultTarget(p *rules.Pass, ret *ast.ReturnStmt, e ast.Node) types.Type {
	var ft *ast.FuncType
	for _, n := range p.Parents(ret) {
		if fl, ok := n.(*ast.FuncLit); ok {
			ft = fl.Type
			break
		}
		if fd, ok := n.(*ast.FuncDecl); ok {
			ft = fd.Type
			break
		}
	}
	if ft == nil || ft.Results == nil {
		return nil
	}
	var results []types.Type
	for _, f := range ft.Results.List {
		t := p.Info().TypeOf(f.Type)
		for range max(1, len(f.Names)) {
			results = append(results, t)
		}
	}
	for i, r := range ret.Results {
		if r == e && len(ret.Results) == len(results) {
			return results[i]
		}
	}
	return nil
}

// elemTarget returns the type of the element of lit at key (nil for a
// positional element of a slice, array or map value).
func elemTarget(info *types.Info, lit *ast.CompositeLit, key ast.Expr) types.Type {
	switch u := info.TypeOf(lit).Underlying().(type) {
	case *types.Struct:
		if id, ok := key.(*ast.Ident); ok {
			for i := range u.NumFields() {
				if u.Field(i).Name() == id.Name {
					return u.Field(i).Type()
				}
			}
		}
	case *types.Slice:
		return u.Elem()
	case *types.Array:
		return u.Elem()
	case *types.Map:
		return u.Elem()
	}
	return nil
}
