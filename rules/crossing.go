package rules

import (
	"fmt"
	"go/ast"
	"go/types"
	"maps"
	"slices"
	"strings"

	"golang.org/x/mod/semver"
	"golang.org/x/tools/go/types/typeutil"
)

// OldLibrary is a library that a migration moves code away from, as
// Crossings sees it: its old import paths, the new one, and the words its
// messages use.
type OldLibrary struct {
	// Name names the library in messages: "go-redis", as in "takes a
	// go-redis v8 value".
	Name string
	// Kind says what the library is, as in "is built on the old client".
	Kind string
	// Paths maps each old import path to its version label ("v8"), or to
	// "" for a library with one old path. A value is "a go-redis v8 value"
	// and the code may "keep this code on v8"; without a label it is "a
	// jwt-go value", kept "on jwt-go". A type built on several old paths
	// is named by the highest version (in semver order).
	Paths map[string]string
	// New is the import path the old ones move to: a package under it is
	// not a dependency built on the old library.
	New string
}

// Crossings returns the rule, called name, that reports where a value of
// lib's old paths crosses into or out of a dependency whose API is built
// on them: a call argument whose parameter is typed by the old library, a
// field of the dependency's struct (in a literal, keyed or positional, or
// an assignment), or a used result that holds an old value. After the
// migration the new value no longer fits, and the fix is a version of the
// dependency built on lib.New, or keeping that code on the old library;
// the run cannot change a dependency, so each site gets a TODO naming it.
//
// A dependency is a package outside the modules being migrated, lib's old
// and new paths and the standard library. A value of a dependency's own
// types (handed back to it) is not reported, nor is a dropped result.
func Crossings(name string, lib OldLibrary) *GoRule {
	c := &crossings{lib: lib}
	return &GoRule{
		Name: name,
		Doc: fmt.Sprintf("a %s value handed to a dependency built on the old %s (a call argument, a field of the dependency's struct) "+
			"or a used result of one is reported with a TODO: the dependency must move to a version built on %s", lib.Name, lib.Kind, lib.New),
		Paths: slices.Sorted(maps.Keys(lib.Paths)),
		Run:   c.run,
	}
}

// crossings is the rule Crossings builds.
type crossings struct{ lib OldLibrary }

func (c *crossings) run(p *Pass) error {
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if obj := typeutil.Callee(p.Info(), n); obj != nil && c.isDependency(p, obj.Pkg()) {
				c.call(p, n, obj)
				c.result(p, n, obj)
			}
		case *ast.CompositeLit:
			c.literal(p, n)
		case *ast.AssignStmt:
			c.assign(p, n)
		}
		return true
	})
	return nil
}

// call reports the arguments of a call of obj, a dependency's function,
// that carry old values into parameters typed by the old library.
func (c *crossings) call(p *Pass, call *ast.CallExpr, obj types.Object) {
	sig, _ := obj.Type().Underlying().(*types.Signature)
	if sig == nil {
		return
	}
	for i, arg := range call.Args {
		if pt := ParamType(sig, i); pt != nil {
			c.check(p, arg, pt, calleeName(obj), obj.Pkg())
		}
	}
}

// result reports a used result of obj, a dependency's function, that holds
// an old value (a client the dependency built): the migrated code that
// receives it expects a new one.
func (c *crossings) result(p *Pass, call *ast.CallExpr, obj types.Object) {
	if _, ok := p.Parents(call)[0].(*ast.ExprStmt); ok {
		return // the result is dropped
	}
	old := c.oldIn(p.Info().TypeOf(call), func(pkg *types.Package) bool { return c.isDependency(p, pkg) })
	if old == "" {
		return
	}
	p.Report(call.Pos(), fmt.Sprintf("%s returns a %s value: %s is built on the old %s, so the migrated code that uses it no longer fits; %s",
		calleeName(obj), c.value(old), obj.Pkg().Path(), c.lib.Kind, c.fix(old)), true)
}

// assign reports "x.F = v" where F is a field of a dependency's struct
// typed by the old library and v an old value.
func (c *crossings) assign(p *Pass, as *ast.AssignStmt) {
	if len(as.Lhs) != len(as.Rhs) {
		return
	}
	for i, lhs := range as.Lhs {
		sel, ok := ast.Unparen(lhs).(*ast.SelectorExpr)
		if !ok {
			continue
		}
		if field, ok := p.Info().Uses[sel.Sel].(*types.Var); ok && field.IsField() && c.isDependency(p, field.Pkg()) {
			c.check(p, as.Rhs[i], field.Type(), types.ExprString(sel), field.Pkg())
		}
	}
}

// literal reports the fields of a dependency's struct literal that are set
// to old values and typed by the old library.
func (c *crossings) literal(p *Pass, lit *ast.CompositeLit) {
	t := p.Info().TypeOf(lit)
	if ptr, ok := t.(*types.Pointer); ok {
		t = ptr.Elem()
	}
	named, _ := types.Unalias(t).(*types.Named)
	if named == nil || !c.isDependency(p, named.Obj().Pkg()) {
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
			field, _ = p.Info().Uses[key].(*types.Var)
		} else if i < st.NumFields() {
			field = st.Field(i) // a positional element
		}
		if field != nil {
			c.check(p, value, field.Type(), named.Obj().Pkg().Name()+"."+named.Obj().Name()+"."+field.Name(), named.Obj().Pkg())
		}
	}
}

// check reports value when both its type and the type it goes into, a
// parameter or field of dep named where, are built on the old library.
func (c *crossings) check(p *Pass, value ast.Expr, into types.Type, where string, dep *types.Package) {
	old := c.oldIn(into, nil)
	// A value of the dependency's own types is not migrated, and fits.
	own := func(pkg *types.Package) bool { return c.isDependency(p, pkg) }
	if old == "" || c.oldIn(p.Info().TypeOf(value), own) == "" {
		return
	}
	p.Report(value.Pos(), fmt.Sprintf("%s takes a %s value: %s is built on the old %s, so the migrated value no longer fits; %s",
		where, c.value(old), dep.Path(), c.lib.Kind, c.fix(old)), true)
}

// value names the values of the old path old: "go-redis v8".
func (c *crossings) value(old string) string {
	if v := c.lib.Paths[old]; v != "" {
		return c.lib.Name + " " + v
	}
	return c.lib.Name
}

// fix says what to do about a crossing of a value of the old path old.
func (c *crossings) fix(old string) string {
	keep := c.lib.Paths[old]
	if keep == "" {
		keep = c.lib.Name
	}
	return fmt.Sprintf("move it to a version built on %s, or keep this code on %s", c.lib.New, keep)
}

// isDependency reports whether pkg lies outside the module being migrated,
// the old and new library and the standard library, and is not carried
// along by the rule set (see Set.Carries).
func (c *crossings) isDependency(p *Pass, pkg *types.Package) bool {
	if pkg == nil || c.isOld(pkg) {
		return false
	}
	path := strings.TrimSuffix(pkg.Path(), "_test")
	return !p.Migrates(path) && !strings.HasPrefix(path, c.lib.New) &&
		strings.Contains(strings.Split(path, "/")[0], ".") && (p.Set() == nil || !p.Set().Carries(path))
}

// isOld reports whether pkg is one of the old paths.
func (c *crossings) isOld(pkg *types.Package) bool {
	if pkg == nil {
		return false
	}
	_, ok := c.lib.Paths[pkg.Path()]
	return ok
}

// oldIn returns the old import path whose named types t is built on,
// looking through composite types, struct fields and method signatures,
// but not into the named types of the packages skip accepts; or "".
func (c *crossings) oldIn(t types.Type, skip func(*types.Package) bool) string {
	return (&typeWalk{c: c, skip: skip, seen: map[types.Type]bool{}}).oldIn(t)
}

// OldIn returns the old import path whose named types t is built on,
// looking through pointers, composite types and signatures but not into
// other named types; or "". Of several, it returns the highest version.
func (lib OldLibrary) OldIn(t types.Type) string {
	return (&crossings{lib: lib}).oldIn(t, func(*types.Package) bool { return true })
}

// typeWalk is one oldIn walk.
type typeWalk struct {
	c    *crossings
	skip func(*types.Package) bool
	seen map[types.Type]bool
}

func (w *typeWalk) oldIn(t types.Type) string {
	if t == nil || w.seen[t] {
		return ""
	}
	w.seen[t] = true
	switch t := types.Unalias(t).(type) {
	case *types.Named:
		if pkg := t.Obj().Pkg(); w.c.isOld(pkg) {
			return pkg.Path()
		}
		if w.skip != nil && w.skip(t.Obj().Pkg()) {
			return ""
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
		return w.highest(w.oldIn(t.Key()), w.oldIn(t.Elem()))
	case *types.Tuple: // the results of a call
		return w.tuple(t)
	case *types.Signature:
		return w.highest(w.tuple(t.Params()), w.tuple(t.Results()))
	case *types.Interface:
		old := ""
		for m := range t.Methods() {
			old = w.highest(old, w.oldIn(m.Type()))
		}
		return old
	case *types.Struct:
		old := ""
		for fld := range t.Fields() {
			old = w.highest(old, w.oldIn(fld.Type()))
		}
		return old
	}
	return ""
}

func (w *typeWalk) tuple(tup *types.Tuple) string {
	old := ""
	for i := range tup.Len() {
		old = w.highest(old, w.oldIn(tup.At(i).Type()))
	}
	return old
}

// highest returns the old path of a and b ("" for none) with the higher
// version label, a on a tie.
func (w *typeWalk) highest(a, b string) string {
	if a == "" || b != "" && semver.Compare(w.c.lib.Paths[b], w.c.lib.Paths[a]) > 0 {
		return b
	}
	return a
}

// ParamType is the type of the i'th argument of a call to sig: the
// element type for the arguments of a variadic parameter, nil past the
// parameters.
func ParamType(sig *types.Signature, i int) types.Type {
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
	if fn, ok := obj.(*types.Func); ok {
		if recv := recvNamed(fn); recv != nil {
			return obj.Pkg().Name() + "." + recv.Obj().Name() + "." + obj.Name()
		}
	}
	return obj.Pkg().Name() + "." + obj.Name()
}
