package protobufrule

import (
	"go/ast"
	"go/token"

	"github.com/dave/dst"
	"github.com/migrate-tool/migrate/rules"
)

// TwoResults rewrites the ptypes functions that return a value and an
// error (catalog 2.2, kind stmt): the known types' constructors and
// conversions do not fail, and CheckValid gives the error.
var TwoResults = &rules.GoRule{
	Name: "protobuf-ptypes-two-results",
	Doc: "ts, err := ptypes.TimestampProto(t) becomes ts := timestamppb.New(t) and err := ts.CheckValid() " +
		"(one statement when a result is blank); t, err := ptypes.Timestamp(ts) becomes t, err := ts.AsTime(), ts.CheckValid(), " +
		"and ptypes.Duration(d) d.AsDuration(), d.CheckValid(); other positions (returned, passed on) and function values are reported",
	Paths:         []string{v1Ptypes},
	ImportersOnly: true,
	NewPaths:      []string{timestamp},
	Run:           runTwoResults,
}

var (
	timestampProto = rules.Funcs([]string{v1Ptypes}, "TimestampProto")
	asTime         = rules.Funcs([]string{v1Ptypes}, "Timestamp", "Duration")
)

func runTwoResults(p *rules.Pass) error {
	ns := names{}
	for _, u := range p.UsesOf(timestampProto) {
		if as := twoResultAssign(p, u.Ident); as != nil && splitTimestampProto(p, u.Ident, as) {
			continue
		}
		if ret := returned(p, u.Ident); ret != nil && returnTimestampProto(p, u.Ident, ret, ns) {
			continue
		}
		reportTwoResults(p, u.Ident, "ptypes.TimestampProto(t) becomes timestamppb.New(t), which never fails, and ts.CheckValid(), which gives the error")
	}
	for _, u := range p.UsesOf(asTime) {
		method := "AsTime"
		if u.Obj.Name() == "Duration" {
			method = "AsDuration"
		}
		if as := twoResultAssign(p, u.Ident); as != nil && conversion(p, u.Ident, as, method) {
			continue
		}
		if ret := returned(p, u.Ident); ret != nil && returnConversion(p, u.Ident, ret, method) {
			continue
		}
		reportTwoResults(p, u.Ident, "ptypes."+u.Obj.Name()+"(x) becomes x."+method+"() and x.CheckValid(), which gives the error")
	}
	return nil
}

func reportTwoResults(p *rules.Pass, id *ast.Ident, how string) {
	if rules.CallOf(p, id) == nil {
		p.Report(id.Pos(), "ptypes."+id.Name+" used as a function value: its v2 form is two expressions, with no (value, error) function; "+how, true)
		return
	}
	p.Report(id.Pos(), "ptypes."+id.Name+" is not assigned to two results here, or its argument has effects: "+how, true)
}

// twoResultAssign returns the "a, b := f(x)" or "a, b = f(x)" that the
// use id of f stands in, or nil.
func twoResultAssign(p *rules.Pass, id *ast.Ident) *ast.AssignStmt {
	call := rules.CallOf(p, id)
	if call == nil || len(call.Args) != 1 {
		return nil
	}
	as, ok := p.Parents(call)[0].(*ast.AssignStmt)
	if !ok || len(as.Lhs) != 2 || len(as.Rhs) != 1 || as.Rhs[0] != call {
		return nil
	}
	return as
}

// returned returns the "return f(x)" that the use id of f stands in, or nil.
func returned(p *rules.Pass, id *ast.Ident) *ast.ReturnStmt {
	call := rules.CallOf(p, id)
	if call == nil || len(call.Args) != 1 {
		return nil
	}
	ret, ok := p.Parents(call)[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return nil
	}
	return ret
}

// returnConversion rewrites "return ptypes.Timestamp(x)" to
// "return x.AsTime(), x.CheckValid()".
func returnConversion(p *rules.Pass, id *ast.Ident, ret *ast.ReturnStmt, method string) bool {
	call := ret.Results[0].(*ast.CallExpr)
	if !pure(call.Args[0]) {
		return false
	}
	p.Rewrite(id.Pos(), rules.Edit{Node: ret, Unuse: unuseOf(call), New: func(old dst.Node) dst.Node {
		r := old.(*dst.ReturnStmt)
		x := r.Results[0].(*dst.CallExpr).Args[0]
		x.Decorations().Start, x.Decorations().End = nil, nil
		r.Results = []dst.Expr{
			&dst.CallExpr{Fun: &dst.SelectorExpr{X: parenIfNeeded(x), Sel: dst.NewIdent(method)}},
			&dst.CallExpr{Fun: &dst.SelectorExpr{X: parenIfNeeded(dst.Clone(x).(dst.Expr)), Sel: dst.NewIdent("CheckValid")}},
		}
		return r
	}})
	return true
}

// returnTimestampProto rewrites "return ptypes.TimestampProto(t)" to
// "ts := timestamppb.New(t)" and "return ts, ts.CheckValid()".
func returnTimestampProto(p *rules.Pass, id *ast.Ident, ret *ast.ReturnStmt, ns names) bool {
	if !rules.IsStmtList(p.Parents(ret)[0]) || refersToPackage(p, ret.Results[0].(*ast.CallExpr).Args[0]) {
		return false
	}
	call := ret.Results[0].(*ast.CallExpr)
	ts := ns.fresh(p, call, "ts")
	q := p.Qualifier(timestamp, call.Pos())
	var moved dst.Expr
	p.Rewrite(id.Pos(), rules.Edit{Node: call, Unuse: unuseOf(call), New: func(old dst.Node) dst.Node {
		c := old.(*dst.CallExpr)
		c.Fun = qualified(q, "New")
		moved = c
		return c
	}}, rules.InsertAfter(ret, func() dst.Node {
		check := &dst.CallExpr{Fun: &dst.SelectorExpr{X: dst.NewIdent(ts), Sel: dst.NewIdent("CheckValid")}}
		return &dst.ReturnStmt{Results: []dst.Expr{dst.NewIdent(ts), check}}
	}), rules.InsertAfter(ret, func() dst.Node {
		return &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(ts)}, Tok: token.DEFINE, Rhs: []dst.Expr{moved}}
	}), rules.Delete(ret))
	return true
}

// splitTimestampProto rewrites "ts, err := ptypes.TimestampProto(t)".
func splitTimestampProto(p *rules.Pass, id *ast.Ident, as *ast.AssignStmt) bool {
	ts, err := as.Lhs[0], as.Lhs[1]
	call := as.Rhs[0].(*ast.CallExpr)
	q := p.Qualifier(timestamp, call.Pos())
	unuse := unuseOf(call)
	newCall := func(old *dst.AssignStmt) dst.Expr {
		c := old.Rhs[0].(*dst.CallExpr)
		c.Fun = qualified(q, "New")
		return c
	}
	switch {
	case isBlank(err): // ts, _ := ...: New alone
		p.Rewrite(id.Pos(), rules.Edit{Node: as, Unuse: unuse, New: func(old dst.Node) dst.Node {
			a := old.(*dst.AssignStmt)
			a.Lhs, a.Rhs = a.Lhs[:1], []dst.Expr{newCall(a)}
			return a
		}})
		return true
	case isBlank(ts): // _, err := ...: only the check
		p.Rewrite(id.Pos(), rules.Edit{Node: as, Unuse: unuse, New: func(old dst.Node) dst.Node {
			a := old.(*dst.AssignStmt)
			a.Lhs, a.Rhs = a.Lhs[1:], []dst.Expr{&dst.CallExpr{Fun: &dst.SelectorExpr{X: newCall(a), Sel: dst.NewIdent("CheckValid")}}}
			return a
		}})
		return true
	}
	ref, errRef := plainRef(ts), plainRef(err)
	if ref == nil || errRef == nil || !rules.IsStmtList(p.Parents(as)[0]) {
		return false
	}
	tok1, tok2 := as.Tok, as.Tok
	if as.Tok == token.DEFINE {
		tok1, tok2 = defines(p, ts), defines(p, err)
	}
	p.Rewrite(id.Pos(), rules.Edit{Node: as, Unuse: unuse, New: func(old dst.Node) dst.Node {
		a := old.(*dst.AssignStmt)
		a.Lhs, a.Rhs, a.Tok = a.Lhs[:1], []dst.Expr{newCall(a)}, tok1
		return a
	}}, rules.InsertAfter(as, func() dst.Node {
		check := &dst.CallExpr{Fun: &dst.SelectorExpr{X: ref(), Sel: dst.NewIdent("CheckValid")}}
		return &dst.AssignStmt{Lhs: []dst.Expr{errRef()}, Tok: tok2, Rhs: []dst.Expr{check}}
	}))
	return true
}

// conversion rewrites "t, err := ptypes.Timestamp(x)" to
// "t, err := x.AsTime(), x.CheckValid()" (and Duration to AsDuration),
// where x can be evaluated twice.
func conversion(p *rules.Pass, id *ast.Ident, as *ast.AssignStmt, method string) bool {
	call := as.Rhs[0].(*ast.CallExpr)
	if !pure(call.Args[0]) {
		return false
	}
	errBlank, valueBlank := isBlank(as.Lhs[1]), isBlank(as.Lhs[0])
	p.Rewrite(id.Pos(), rules.Edit{Node: as, Unuse: unuseOf(call), New: func(old dst.Node) dst.Node {
		a := old.(*dst.AssignStmt)
		x := a.Rhs[0].(*dst.CallExpr).Args[0]
		x.Decorations().Start, x.Decorations().End = nil, nil
		conv := &dst.CallExpr{Fun: &dst.SelectorExpr{X: parenIfNeeded(x), Sel: dst.NewIdent(method)}}
		if errBlank {
			a.Lhs, a.Rhs = a.Lhs[:1], []dst.Expr{conv}
			return a
		}
		check := &dst.CallExpr{Fun: &dst.SelectorExpr{X: parenIfNeeded(dst.Clone(x).(dst.Expr)), Sel: dst.NewIdent("CheckValid")}}
		if valueBlank {
			a.Lhs, a.Rhs = a.Lhs[1:], []dst.Expr{check}
			return a
		}
		a.Rhs = []dst.Expr{conv, check}
		return a
	}})
	return true
}

// unuseOf returns the package identifier of a qualified call's function.
func unuseOf(call *ast.CallExpr) []*ast.Ident {
	if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
		if x, ok := sel.X.(*ast.Ident); ok {
			return []*ast.Ident{x}
		}
	}
	return nil
}

func isBlank(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "_"
}

// defines returns := when e is an identifier that the assignment
// declares, else =.
func defines(p *rules.Pass, e ast.Expr) token.Token {
	if id, ok := e.(*ast.Ident); ok && p.Info().Defs[id] != nil {
		return token.DEFINE
	}
	return token.ASSIGN
}

// pure reports whether e can be evaluated twice with the same result and
// no effect: a name, a field of one, its address, or a getter
// (x.GetCreated()) of one.
func pure(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		return pure(e.X)
	case *ast.StarExpr:
		return pure(e.X)
	case *ast.UnaryExpr:
		return e.Op == token.AND && pure(e.X)
	case *ast.CallExpr:
		sel, ok := e.Fun.(*ast.SelectorExpr)
		return ok && len(e.Args) == 0 && len(sel.Sel.Name) > 3 && sel.Sel.Name[:3] == "Get" && pure(sel.X)
	}
	return false
}

// plainRef returns a builder of a copy of e, a name or a field of one, or
// nil for another expression.
func plainRef(e ast.Expr) func() dst.Expr {
	switch e := e.(type) {
	case *ast.Ident:
		return func() dst.Expr { return dst.NewIdent(e.Name) }
	case *ast.SelectorExpr:
		if x := plainRef(e.X); x != nil {
			return func() dst.Expr { return &dst.SelectorExpr{X: x(), Sel: dst.NewIdent(e.Sel.Name)} }
		}
	}
	return nil
}

// parenIfNeeded parenthesises x as the operand of a selector.
func parenIfNeeded(x dst.Expr) dst.Expr {
	switch x.(type) {
	case *dst.Ident, *dst.SelectorExpr, *dst.CallExpr, *dst.ParenExpr, *dst.IndexExpr:
		return x
	}
	return &dst.ParenExpr{X: x}
}
