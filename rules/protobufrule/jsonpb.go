package protobufrule

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"

	"github.com/dave/dst"
	"github.com/migrate-tool/migrate/rules"
)

// JSONCalls rewrites the jsonpb calls whose shape changes (catalog 2.4):
// protojson marshals to bytes, not to a string or a writer, and
// unmarshals bytes, not a reader.
var JSONCalls = &rules.GoRule{
	Name: "protobuf-jsonpb-calls",
	Doc: "s, err := m.MarshalToString(msg) becomes b, err := m.Marshal(msg) and s := string(b) (also in a return); " +
		"err := m.Marshal(w, msg) becomes the marshalling and a w.Write(b) when it succeeded (also in a return); " +
		"jsonpb.Unmarshal and Unmarshaler.Unmarshal of bytes.NewReader(b), bytes.NewBuffer(b), strings.NewReader(s) or " +
		"bytes.NewBufferString(s) unmarshal b or []byte(s); UnmarshalNext, other readers and other positions are reported",
	Paths:    []string{v1JSONPB},
	NewPaths: []string{protojson},
	Run:      runJSONCalls,
}

var (
	marshalToString = rules.Members([]string{v1JSONPB}, []string{"Marshaler"}, "MarshalToString")
	marshalWriter   = rules.Members([]string{v1JSONPB}, []string{"Marshaler"}, "Marshal")
	unmarshalReader = rules.Or(rules.Funcs([]string{v1JSONPB}, "Unmarshal"), rules.Members([]string{v1JSONPB}, []string{"Unmarshaler"}, "Unmarshal"))
	unmarshalNext   = rules.Or(rules.Funcs([]string{v1JSONPB}, "UnmarshalNext"), rules.Members([]string{v1JSONPB}, []string{"Unmarshaler"}, "UnmarshalNext"))
)

// names hands out fresh names per function: FreeName looks at the
// original code, not at the names the rule already added there.
type names map[ast.Node]map[string]bool

func (ns names) fresh(p *rules.Pass, at ast.Node, base string) string {
	fn := enclosingFunc(p, at)
	if ns[fn] == nil {
		ns[fn] = map[string]bool{}
	}
	name := rules.FreeName(fn, base)
	for i := 0; ns[fn][name]; i++ {
		name = rules.FreeName(fn, base+strconv.Itoa(i))
	}
	ns[fn][name] = true
	return name
}

func runJSONCalls(p *rules.Pass) error {
	ns := names{}
	for _, u := range p.UsesOf(marshalToString) {
		if !toStringCall(p, u.Ident, ns) {
			p.Report(u.Ident.Pos(), "protojson's Marshal returns ([]byte, error): assign its results and convert the bytes with string(b)", true)
		}
	}
	for _, u := range p.UsesOf(marshalWriter) {
		if !writerCall(p, u.Ident, ns) {
			p.Report(u.Ident.Pos(), "protojson has no writer API: b, err := m.Marshal(msg), then write b (w.Write(b)) when err is nil", true)
		}
	}
	for _, u := range p.UsesOf(unmarshalReader) {
		if !readerCall(p, u) {
			p.Report(u.Ident.Pos(), "protojson unmarshals bytes, not a reader: read the whole input (io.ReadAll) and pass the bytes; protojson rejects trailing data after the JSON value", true)
		}
	}
	for _, u := range p.UsesOf(unmarshalNext) {
		p.Report(u.Ident.Pos(), "protojson has no UnmarshalNext: decode the next value as a json.RawMessage and pass it to protojson.Unmarshal", true)
	}
	return nil
}

// toStringCall rewrites "s, err := m.MarshalToString(msg)" (or =) and
// "return m.MarshalToString(msg)".
func toStringCall(p *rules.Pass, id *ast.Ident, ns names) bool {
	call := rules.CallOf(p, id)
	if call == nil {
		return false
	}
	stmt := p.Parents(call)[0]
	if !rules.IsStmtList(p.Parents(stmt)[0]) {
		return false
	}
	b := ns.fresh(p, call, "b")
	switch s := stmt.(type) {
	case *ast.AssignStmt:
		if len(s.Lhs) != 2 || len(s.Rhs) != 1 || !reusable(p, s, s.Lhs[1]) {
			return false
		}
		str := plainRef(s.Lhs[0])
		if str == nil {
			return false
		}
		if isBlank(s.Lhs[0]) {
			p.Rewrite(id.Pos(), rules.Rename(id, "Marshal"))
			return true
		}
		tok := s.Tok
		if tok == token.DEFINE {
			tok = defines(p, s.Lhs[0])
		}
		p.Rewrite(id.Pos(), rules.Rename(id, "Marshal"), rules.Replace(s, func(old dst.Node) dst.Node {
			a := old.(*dst.AssignStmt)
			a.Lhs[0], a.Tok = dst.NewIdent(b), token.DEFINE
			return a
		}), rules.InsertAfter(s, func() dst.Node {
			return &dst.AssignStmt{Lhs: []dst.Expr{str()}, Tok: tok, Rhs: []dst.Expr{stringOf(b)}}
		}))
		return true
	case *ast.ReturnStmt:
		if len(s.Results) != 1 || refersToPackage(p, s) {
			return false
		}
		e := ns.fresh(p, call, "err")
		// The return becomes "b, err := call" and "return string(b), err":
		// the call, with the edits made inside it, moves into the first.
		var moved dst.Expr
		p.Rewrite(id.Pos(), rules.Rename(id, "Marshal"), rules.Replace(call, func(old dst.Node) dst.Node {
			moved = old.(dst.Expr)
			return old
		}), rules.InsertAfter(s, func() dst.Node {
			return &dst.ReturnStmt{Results: []dst.Expr{stringOf(b), dst.NewIdent(e)}}
		}), rules.InsertAfter(s, func() dst.Node {
			return &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(b), dst.NewIdent(e)}, Tok: token.DEFINE, Rhs: []dst.Expr{moved}}
		}), rules.Delete(s))
		return true
	}
	return false
}

// refersToPackage reports whether n names an imported package: deleting
// n would count that use as removed.
func refersToPackage(p *rules.Pass, n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if _, ok := p.Info().Uses[id].(*types.PkgName); ok {
				found = true
			}
		}
		return !found
	})
	return found
}

// writerCall rewrites "err := m.Marshal(w, msg)" (or =) to
// "b, err := m.Marshal(msg)" and "if err == nil { _, err = w.Write(b) }",
// and "return m.Marshal(w, msg)" to the marshal, a return of its error,
// and a return of the write's; w must be a name or a field of one, which
// is then evaluated after the marshalling.
func writerCall(p *rules.Pass, id *ast.Ident, ns names) bool {
	call := rules.CallOf(p, id)
	if call == nil || len(call.Args) != 2 || refersToPackage(p, call.Args[0]) {
		return false
	}
	if _, ok := cloneAST(call.Args[0]); !ok {
		return false
	}
	stmt := p.Parents(call)[0]
	if !rules.IsStmtList(p.Parents(stmt)[0]) {
		return false
	}
	w := call.Args[0]
	b := ns.fresh(p, call, "b")
	// m.Marshal(w, msg) loses w: m.Marshal(msg)
	dropW := rules.Replace(call, func(old dst.Node) dst.Node {
		c := old.(*dst.CallExpr)
		c.Args = c.Args[1:]
		return c
	})
	write := func(errName string) dst.Stmt {
		x, _ := cloneAST(w)
		return &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent("_"), dst.NewIdent(errName)}, Tok: token.ASSIGN, Rhs: []dst.Expr{
			&dst.CallExpr{Fun: &dst.SelectorExpr{X: x, Sel: dst.NewIdent("Write")}, Args: []dst.Expr{dst.NewIdent(b)}},
		}}
	}
	switch s := stmt.(type) {
	case *ast.AssignStmt:
		e, ok := s.Lhs[0].(*ast.Ident)
		if len(s.Lhs) != 1 || len(s.Rhs) != 1 || !ok || e.Name == "_" || !reusable(p, s, e) {
			return false
		}
		p.Rewrite(id.Pos(), dropW, rules.Replace(s, func(old dst.Node) dst.Node {
			a := old.(*dst.AssignStmt)
			a.Lhs, a.Tok = []dst.Expr{dst.NewIdent(b), a.Lhs[0]}, token.DEFINE
			return a
		}), rules.InsertAfter(s, func() dst.Node {
			return &dst.IfStmt{Cond: &dst.BinaryExpr{X: dst.NewIdent(e.Name), Op: token.EQL, Y: dst.NewIdent("nil")},
				Body: &dst.BlockStmt{List: []dst.Stmt{write(e.Name)}}}
		}))
		return true
	case *ast.ReturnStmt:
		if len(s.Results) != 1 || refersToPackage(p, s) {
			return false
		}
		e := ns.fresh(p, call, "err")
		var moved dst.Expr
		p.Rewrite(id.Pos(), dropW, rules.Replace(call, func(old dst.Node) dst.Node {
			moved = old.(dst.Expr)
			return old
		}), rules.InsertAfter(s, func() dst.Node {
			return &dst.ReturnStmt{Results: []dst.Expr{dst.NewIdent(e)}}
		}), rules.InsertAfter(s, func() dst.Node {
			return write(e)
		}), rules.InsertAfter(s, func() dst.Node {
			return &dst.IfStmt{Cond: &dst.BinaryExpr{X: dst.NewIdent(e), Op: token.NEQ, Y: dst.NewIdent("nil")},
				Body: &dst.BlockStmt{List: []dst.Stmt{&dst.ReturnStmt{Results: []dst.Expr{dst.NewIdent(e)}}}}}
		}), rules.InsertAfter(s, func() dst.Node {
			return &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(b), dst.NewIdent(e)}, Tok: token.DEFINE, Rhs: []dst.Expr{moved}}
		}), rules.Delete(s))
		return true
	}
	return false
}

// cloneAST builds the dst form of e, a name or a selector chain of names.
func cloneAST(e ast.Expr) (dst.Expr, bool) {
	if r := plainRef(e); r != nil {
		return r(), true
	}
	if st, ok := e.(*ast.StarExpr); ok {
		if x, ok := cloneAST(st.X); ok {
			return &dst.StarExpr{X: x}, true
		}
	}
	return nil, false
}

func stringOf(b string) dst.Expr {
	return &dst.CallExpr{Fun: dst.NewIdent("string"), Args: []dst.Expr{dst.NewIdent(b)}}
}

// reusable reports whether e, the error of an assignment, can stand
// beside a new variable in "b, e := ...": blank, or an identifier that
// the statement declares or that is declared in the statement's own scope
// (one of an outer scope would be shadowed).
func reusable(p *rules.Pass, s *ast.AssignStmt, e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	if !ok {
		return false
	}
	if id.Name == "_" || p.Info().Defs[id] != nil {
		return true
	}
	obj := p.Info().Uses[id]
	inner := p.Pkg().Scope().Innermost(s.Pos())
	return obj != nil && inner != nil && obj.Parent() == inner
}

// readers are the constructors of a reader over bytes or a string whose
// argument protojson can take directly.
var readers = rules.Or(rules.Funcs([]string{"bytes"}, "NewReader", "NewBuffer", "NewBufferString"), rules.Funcs([]string{"strings"}, "NewReader"))

// readerCall rewrites Unmarshal(bytes.NewReader(b), m) to Unmarshal(b, m),
// for jsonpb.Unmarshal (which becomes protojson.Unmarshal) and the
// Unmarshaler's method (whose type another rule renames).
func readerCall(p *rules.Pass, u rules.Use) bool {
	call := rules.CallOf(p, u.Ident)
	if call == nil || len(call.Args) != 2 {
		return false
	}
	r, ok := ast.Unparen(call.Args[0]).(*ast.CallExpr)
	if !ok || len(r.Args) != 1 {
		return false
	}
	fn := calleeObj(p, r)
	if fn == nil {
		return false
	}
	if _, ok := readers.Match(fn); !ok {
		return false
	}
	str := isString(p.Info().TypeOf(r.Args[0]))
	edits := []rules.Edit{{Node: r, Unuse: unuseOf(r), New: func(old dst.Node) dst.Node {
		x := old.(*dst.CallExpr).Args[0]
		if str {
			return &dst.CallExpr{Fun: &dst.ArrayType{Elt: dst.NewIdent("byte")}, Args: []dst.Expr{x}}
		}
		return x
	}}}
	if _, isFunc := u.Obj.Type().(*types.Signature); isFunc && u.Obj.(*types.Func).Type().(*types.Signature).Recv() == nil {
		edits = append(edits, p.ReplaceUse(u.Ident, protojson, "Unmarshal"))
	}
	p.Rewrite(u.Ident.Pos(), edits...)
	return true
}

func isString(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}

// asInterface reports a value put where the code expects an interface
// whose methods take or return v1 messages, when the move changes one side
// and not the other: a type of the module (whose methods move to v2
// proto.Message) in an interface of jsonpb or a dependency (which keep
// v1), a jsonpb Marshaler or Unmarshaler (which becomes protojson's
// options, with other methods) in an interface of the module. The value
// no longer implements the interface.
func asInterface(p *rules.Pass, value ast.Expr, t types.Type) {
	if _, ok := t.Underlying().(*types.Interface); !ok || v1Lib.OldIn(t.Underlying()) == "" {
		return
	}
	named, _ := types.Unalias(t).(*types.Named)
	vt := p.Info().TypeOf(value)
	switch {
	case named == nil || vt == nil:
	case jsonpbType(vt) != "":
		p.Report(value.Pos(), "this jsonpb."+jsonpbType(vt)+" becomes protojson's options, which do not implement "+
			types.TypeString(t, types.RelativeTo(p.Pkg()))+" (protojson marshals to and unmarshals from []byte): "+
			"change the interface's methods, or wrap the options in a type that implements them", true)
	case moduleType(p, vt) && pkgOrigin(p, named.Obj().Pkg()) != becomesV2:
		p.Report(value.Pos(), types.TypeString(vt, types.RelativeTo(p.Pkg()))+" implements "+types.TypeString(t, types.RelativeTo(p.Pkg()))+
			" with v1 proto.Message in its methods; once they take the v2 interface it no longer does: "+
			"adapt the methods with protoadapt, or move to the v2 API that replaces the interface", true)
	}
}

// moduleType reports whether t, or what it points to, is a named type of
// the module.
func moduleType(p *rules.Pass, t types.Type) bool {
	if ptr, ok := t.(*types.Pointer); ok {
		t = ptr.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && pkgOrigin(p, n.Obj().Pkg()) == becomesV2
}

// jsonpbType returns "Marshaler" or "Unmarshaler" for those jsonpb types
// and pointers to them, else "".
func jsonpbType(t types.Type) string {
	if ptr, ok := t.(*types.Pointer); ok {
		t = ptr.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != v1JSONPB {
		return ""
	}
	if name := n.Obj().Name(); name == "Marshaler" || name == "Unmarshaler" {
		return name
	}
	return ""
}
