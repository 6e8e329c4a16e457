package protobufrule

import (
	"go/ast"
	"go/types"
	"strings"

	"github.com/dave/dst"
	"github.com/migrate-tool/migrate/rules"
)

// Dependencies keeps messages fitting where they cross between the
// migrated code, whose proto.Message becomes the v2 interface, and a
// dependency still built on golang/protobuf (grpc-gateway v1, old
// libraries), whose API keeps v1 proto.Message: a module value handed to
// a dependency's v1 parameter or field is adapted with
// protoadapt.MessageV1Of, and a dependency's v1 value put where the module
// declared proto.Message (a parameter, a result, a variable, a field) with
// protoadapt.MessageV2Of. Generated messages fit both and are left alone;
// a type that holds v1 messages otherwise (a slice, a func) is reported.
var Dependencies = &rules.GoRule{
	Name: "protobuf-dependencies",
	Doc: "a module message handed to a dependency still built on golang/protobuf (a v1 proto.Message parameter or field) " +
		"is wrapped in protoadapt.MessageV1Of, a dependency's v1 message put where the module declared proto.Message in " +
		"protoadapt.MessageV2Of; generated messages fit both; other types holding v1 messages (slices, funcs) are reported",
	Paths:    []string{v1Proto, protoiface},
	NewPaths: []string{protoadapt},
	Run:      runDependencies,
}

// v1Lib names the v1 message type for OldIn: other types holding it.
var v1Lib = rules.OldLibrary{Name: "golang/protobuf", Paths: map[string]string{protoiface: ""}, New: v2Proto}

func runDependencies(p *rules.Pass) error {
	walk(p, p.AST(), nil, into)
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		if as, ok := n.(*ast.AssignStmt); ok && len(as.Rhs) == 1 && len(as.Lhs) > 1 {
			tuple(p, as)
		}
		return true
	})
	return nil
}

// place is told of each value put into a typed place: a parameter, a
// result, a variable, a field, of type t declared by pkg.
type place func(p *rules.Pass, value ast.Expr, t types.Type, pkg *types.Package, where string)

// walk visits the nodes of root, whose function results (if root is a
// function) are results, and tells f of the values they put into typed
// places; a nested function is walked on its own.
func walk(p *rules.Pass, root ast.Node, results *types.Tuple, f place) {
	ast.Inspect(root, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			if n != root {
				walk(p, n, funcResults(p, n), f)
				return false
			}
		}
		visit(p, n, results, f)
		return true
	})
}

func funcResults(p *rules.Pass, n ast.Node) *types.Tuple {
	var t types.Type
	switch n := n.(type) {
	case *ast.FuncDecl:
		if obj := p.Info().Defs[n.Name]; obj != nil {
			t = obj.Type()
		}
	case *ast.FuncLit:
		t = p.Info().TypeOf(n)
	}
	if sig, ok := t.(*types.Signature); ok {
		return sig.Results()
	}
	return nil
}

// visit checks the values that n puts into typed places.
func visit(p *rules.Pass, n ast.Node, results *types.Tuple, into place) {
	switch n := n.(type) {
	case *ast.CallExpr:
		call(p, n, into)
	case *ast.ReturnStmt:
		if results != nil && len(n.Results) == results.Len() {
			for i, r := range n.Results {
				into(p, r, results.At(i).Type(), p.Pkg(), "a result")
			}
		}
	case *ast.AssignStmt:
		if len(n.Lhs) == len(n.Rhs) {
			for i, l := range n.Lhs {
				if id, ok := l.(*ast.Ident); ok && p.Info().Defs[id] != nil {
					continue // declared here: its type follows the value
				}
				if t := lhsType(p, l); t != nil {
					into(p, n.Rhs[i], t, lhsPkg(p, l), "an assignment")
				}
			}
		}
	case *ast.ValueSpec:
		if n.Type != nil && len(n.Values) == len(n.Names) {
			for _, v := range n.Values {
				into(p, v, p.Info().TypeOf(n.Type), p.Pkg(), "a variable")
			}
		}
	case *ast.CompositeLit:
		literal(p, n, into)
	}
}

// tuple reports "m, err = dep.Call()" where m becomes a v2 proto.Message
// and the dependency's result stays v1: one result of several cannot be
// wrapped in place.
func tuple(p *rules.Pass, as *ast.AssignStmt) {
	c, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
	if !ok || messageKindOfCall(p, c) != staysV1 {
		return
	}
	res, ok := p.Info().TypeOf(c).(*types.Tuple)
	if !ok || res.Len() != len(as.Lhs) {
		return
	}
	for i, l := range as.Lhs {
		if id, ok := l.(*ast.Ident); ok && (id.Name == "_" || p.Info().Defs[id] != nil) {
			continue
		}
		if lt := p.Info().TypeOf(l); lt != nil && isMessageV1(lt) && isMessageV1(res.At(i).Type()) && origin(p, l, 0) == becomesV2 {
			p.Report(l.Pos(), types.ExprString(l)+" becomes a v2 proto.Message and this call's result stays a v1 one: "+
				"assign the result to a new variable and store protoadapt.MessageV2Of of it", true)
		}
	}
}

// messageKindOfCall classifies the results of a call by its callee: the
// module's move to v2, a dependency's stay v1.
func messageKindOfCall(p *rules.Pass, c *ast.CallExpr) kind {
	fn := calleeObj(p, c)
	if fn == nil || fn.Pkg() == nil {
		return unknown
	}
	if fn.Pkg().Path() == v1Proto {
		return becomesV2
	}
	return pkgOrigin(p, fn.Pkg())
}

func lhsType(p *rules.Pass, l ast.Expr) types.Type {
	if id, ok := l.(*ast.Ident); ok && id.Name == "_" {
		return nil
	}
	return p.Info().TypeOf(l)
}

// lhsPkg returns the package that declared what l stands for: a field's
// struct, a variable.
func lhsPkg(p *rules.Pass, l ast.Expr) *types.Package {
	switch l := ast.Unparen(l).(type) {
	case *ast.Ident:
		if obj := p.Info().Uses[l]; obj != nil {
			return obj.Pkg()
		}
	case *ast.SelectorExpr:
		if obj := p.Info().Uses[l.Sel]; obj != nil {
			return obj.Pkg()
		}
	}
	return p.Pkg()
}

// call checks the arguments of a call of a module or dependency function
// (the v1 functions themselves are rule messages').
func call(p *rules.Pass, c *ast.CallExpr, into place) {
	fn, ok := calleeObj(p, c).(*types.Func)
	if !ok || fn.Pkg() == nil || isV1Package(fn.Pkg().Path()) {
		return
	}
	sig := fn.Type().(*types.Signature)
	for i, arg := range c.Args {
		if pt := rules.ParamType(sig, i); pt != nil && !(sig.Variadic() && c.Ellipsis.IsValid()) {
			into(p, arg, pt, fn.Pkg(), fn.Name())
		}
	}
}

// literal checks the fields of a struct literal.
func literal(p *rules.Pass, lit *ast.CompositeLit, into place) {
	t := p.Info().TypeOf(lit)
	if ptr, ok := t.(*types.Pointer); ok {
		t = ptr.Elem()
	}
	named, _ := types.Unalias(t).(*types.Named)
	if named == nil {
		return
	}
	st, _ := named.Underlying().(*types.Struct)
	if st == nil {
		return
	}
	for i, elt := range lit.Elts {
		value, field := elt, (*types.Var)(nil)
		if kv, ok := elt.(*ast.KeyValueExpr); ok {
			value = kv.Value
			if key, ok := kv.Key.(*ast.Ident); ok {
				field, _ = p.Info().Uses[key].(*types.Var)
			}
		} else if i < st.NumFields() {
			field = st.Field(i)
		}
		if field != nil {
			into(p, value, field.Type(), named.Obj().Pkg(), named.Obj().Name()+"."+field.Name())
		}
	}
}

// into adapts value, put into a place of type t declared by pkg.
func into(p *rules.Pass, value ast.Expr, t types.Type, pkg *types.Package, where string) {
	if t == nil || pkg == nil || strings.HasPrefix(pkg.Path(), "google.golang.org/protobuf/") {
		return
	}
	if isV1Package(pkg.Path()) {
		asInterface(p, value, t)
		return
	}
	module := pkgOrigin(p, pkg) == becomesV2
	if !isMessageV1(t) {
		asInterface(p, value, t)
		if !module && v1Lib.OldIn(t) != "" && v1Lib.OldIn(p.Info().TypeOf(value)) != "" && messageKind(p, value) != staysV1 && !ownValue(p, value) {
			p.Report(value.Pos(), where+" of "+pkg.Path()+" takes a type built on v1 proto.Message, which the migrated value is not: adapt it with protoadapt, or move "+pkg.Path()+" to a version built on google.golang.org/protobuf", true)
		}
		return
	}
	k := messageKind(p, value)
	switch {
	case module && k == staysV1: // the place becomes v2
		wrap(p, value, "MessageV2Of")
	case !module && k == becomesV2: // the place stays v1
		wrap(p, value, "MessageV1Of")
	case !module && k == unknown:
		p.Report(value.Pos(), where+" of "+pkg.Path()+" takes a v1 proto.Message: pass a generated message, or protoadapt.MessageV1Of(m) for a v2 one", true)
	}
}

// ownValue reports whether value comes from a dependency: handed back to
// it, it fits as before.
func ownValue(p *rules.Pass, value ast.Expr) bool {
	if c, ok := ast.Unparen(value).(*ast.CallExpr); ok {
		if fn := calleeObj(p, c); fn != nil {
			return pkgOrigin(p, fn.Pkg()) == staysV1
		}
	}
	return false
}

func wrap(p *rules.Pass, value ast.Expr, adapter string) {
	q := p.Qualifier(protoadapt, value.Pos())
	p.Rewrite(value.Pos(), rules.Wrap(value, func(x dst.Expr) dst.Expr {
		return &dst.CallExpr{Fun: qualified(q, adapter), Args: []dst.Expr{x}}
	}))
}

// isV1Package reports whether path is a golang/protobuf package, whose
// calls rule messages handles.
func isV1Package(path string) bool {
	return path == "github.com/golang/protobuf" || strings.HasPrefix(path, "github.com/golang/protobuf/")
}
