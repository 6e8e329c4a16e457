package goredis

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/types/typeutil"

	"github.com/migrate-tool/migrate/rules"
)

// Dependencies reports where go-redis values cross into or out of a
// dependency whose API is built on the old go-redis (bsm/redislock v0.7,
// go-redis/cache v8, redis_rate v9, ...): a call argument, a field of the
// dependency's struct set in a literal or an assignment, or a used result
// that is an old client. After the migration the v9 value no
// longer fits, and the fix is a version of the dependency built on v9, or
// keeping that code on the old client. The run cannot change a
// dependency, so the site gets a TODO naming it.
var Dependencies = rule("dependencies", "old go-redis values crossing into or out of a dependency built on the old client are reported", v678, runDependencies)

type dependencies struct{}

func runDependencies(f *rules.Pass) error {
	r := dependencies{}
	ast.Inspect(f.AST(), func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if obj := typeutil.Callee(f.Info(), n); obj != nil && r.isDependency(f, obj.Pkg()) {
				r.call(f, n, obj)
				r.result(f, n, obj)
			}
		case *ast.CompositeLit:
			r.literal(f, n)
		case *ast.AssignStmt:
			r.assign(f, n)
		}
		return true
	})
	return nil
}

// call reports the arguments of a call of obj, a dependency's function,
// that carry old go-redis values into parameters typed by the old go-redis.
func (r *dependencies) call(f *rules.Pass, call *ast.CallExpr, obj types.Object) {
	sig, _ := obj.Type().Underlying().(*types.Signature)
	if sig == nil {
		return
	}
	for i, arg := range call.Args {
		if pt := paramType(sig, i); pt != nil {
			r.check(f, arg, pt, calleeName(obj), obj.Pkg())
		}
	}
}

// result reports a used result of obj, a dependency's function, that is an old
// go-redis value (a client the dependency built): the migrated code that
// receives it expects a v9 one.
func (r *dependencies) result(f *rules.Pass, call *ast.CallExpr, obj types.Object) {
	if _, ok := f.Parents(call)[0].(*ast.ExprStmt); ok {
		return // the result is dropped
	}
	own := func(pkg *types.Package) bool { return r.isDependency(f, pkg) }
	v := oldIn(f.Info().TypeOf(call), own)
	if v == 0 {
		return
	}
	f.Report(call.Pos(), fmt.Sprintf("%s returns a go-redis v%d value: %s is built on the old client, so the migrated code that uses it no longer fits; move it to a version built on %s, or keep this code on v%d", calleeName(obj), v, obj.Pkg().Path(), pathV9, v), true)
}

// assign reports "x.F = v" where F is a field of a dependency's struct
// typed by the old go-redis and v an old go-redis value.
func (r *dependencies) assign(f *rules.Pass, as *ast.AssignStmt) {
	if len(as.Lhs) != len(as.Rhs) {
		return
	}
	for i, lhs := range as.Lhs {
		sel, ok := ast.Unparen(lhs).(*ast.SelectorExpr)
		if !ok {
			continue
		}
		if field, ok := f.Info().Uses[sel.Sel].(*types.Var); ok && field.IsField() && r.isDependency(f, field.Pkg()) {
			r.check(f, as.Rhs[i], field.Type(), types.ExprString(sel), field.Pkg())
		}
	}
}

// literal reports the fields of a dependency's struct literal that are set
// to old go-redis values and typed by the old go-redis.
func (r *dependencies) literal(f *rules.Pass, lit *ast.CompositeLit) {
	t := f.Info().TypeOf(lit)
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, _ := types.Unalias(t).(*types.Named)
	if named == nil || !r.isDependency(f, named.Obj().Pkg()) {
		return
	}
	st, _ := named.Underlying().(*types.Struct)
	if st == nil {
		return
	}
	for i, elt := range lit.Elts {
		var field *types.Var
		value := elt
		if kv, ok := elt.(*ast.KeyValueExpr); ok {
			key, _ := kv.Key.(*ast.Ident)
			if key == nil {
				continue
			}
			value = kv.Value
			field, _ = f.Info().Uses[key].(*types.Var)
		} else if i < st.NumFields() {
			field = st.Field(i) // a positional element
		}
		if field != nil {
			r.check(f, value, field.Type(), named.Obj().Pkg().Name()+"."+named.Obj().Name()+"."+field.Name(), named.Obj().Pkg())
		}
	}
}

// check reports value when both its type and the type it goes into are
// built on the old go-redis.
func (r *dependencies) check(f *rules.Pass, value ast.Expr, into types.Type, where string, dep *types.Package) {
	v := oldIn(into, nil)
	// A value of the dependency's own types is not migrated, and fits.
	own := func(pkg *types.Package) bool { return r.isDependency(f, pkg) }
	if v == 0 || oldIn(f.Info().TypeOf(value), own) == 0 {
		return
	}
	f.Report(value.Pos(), fmt.Sprintf("%s takes a go-redis v%d value: %s is built on the old client, so the migrated value no longer fits; move it to a version built on %s, or keep this code on v%d", where, v, dep.Path(), pathV9, v), true)
}

// isDependency reports whether pkg lies outside the module being migrated,
// go-redis and the standard library.
func (r *dependencies) isDependency(f *rules.Pass, pkg *types.Package) bool {
	if pkg == nil || version(pkg) != 0 {
		return false
	}
	p, mod := strings.TrimSuffix(pkg.Path(), "_test"), f.Module()
	return p != mod && !strings.HasPrefix(p, mod+"/") && !strings.HasPrefix(p, pathV9) && strings.Contains(strings.Split(p, "/")[0], ".")
}

// paramType is the type of the i'th argument of a call to sig.
func paramType(sig *types.Signature, i int) types.Type {
	params := sig.Params()
	switch {
	case sig.Variadic() && i >= params.Len()-1:
		return params.At(params.Len() - 1).Type().(*types.Slice).Elem()
	case i < params.Len():
		return params.At(i).Type()
	}
	return nil
}

// calleeName names a function "pkg.Func" and a method "pkg.Type.Method".
func calleeName(obj types.Object) string {
	name := obj.Pkg().Name() + "." + obj.Name()
	if fn, ok := obj.(*types.Func); ok {
		if recv := recvName(fn); recv != "" {
			name = obj.Pkg().Name() + "." + recv + "." + obj.Name()
		}
	}
	return name
}

// oldIn returns the version of the old go-redis whose named types t is
// built on, looking through composite types, struct fields and method
// signatures, but not into the named types of the packages skip accepts;
// or 0.
func oldIn(t types.Type, skip func(*types.Package) bool) int {
	return (&typeWalk{skip: skip, seen: map[types.Type]bool{}}).oldIn(t)
}

// typeWalk is one oldIn walk.
type typeWalk struct {
	skip func(*types.Package) bool
	seen map[types.Type]bool
}

func (w *typeWalk) oldIn(t types.Type) int {
	seen := w.seen
	if t == nil || seen[t] {
		return 0
	}
	seen[t] = true
	switch t := types.Unalias(t).(type) {
	case *types.Named:
		if v := version(t.Obj().Pkg()); v != 0 {
			return v
		}
		if w.skip != nil && w.skip(t.Obj().Pkg()) {
			return 0
		}
		return w.oldIn(t.Underlying())
	case *types.Pointer:
		return w.oldIn(t.Elem())
	case *types.Slice:
		return w.oldIn(t.Elem())
	case *types.Array:
		return w.oldIn(t.Elem())
	case *types.Chan:
		return w.oldIn(t.Elem())
	case *types.Map:
		return max(w.oldIn(t.Key()), w.oldIn(t.Elem()))
	case *types.Signature:
		return max(w.tuple(t.Params()), w.tuple(t.Results()))
	case *types.Interface:
		v := 0
		for m := range t.Methods() {
			v = max(v, w.oldIn(m.Type()))
		}
		return v
	case *types.Struct:
		v := 0
		for fld := range t.Fields() {
			v = max(v, w.oldIn(fld.Type()))
		}
		return v
	}
	return 0
}

func (w *typeWalk) tuple(tup *types.Tuple) int {
	v := 0
	for i := range tup.Len() {
		v = max(v, w.oldIn(tup.At(i).Type()))
	}
	return v
}
