package protobufrule

import (
	"go/ast"
	"go/types"
	"strings"

	"github.com/dave/dst"
	"github.com/migrate-tool/migrate/rules"
)

// Messages keeps message values fitting once proto.Message is the v2
// interface (catalog 2.3 and trap 1): generated messages implement both
// interfaces and need nothing; a value typed v1 proto.Message by the
// module becomes v2 with the move; a dependency's v1 value is adapted.
var Messages = &rules.GoRule{
	Name: "protobuf-messages",
	Doc: "a dependency's v1 message handed to Marshal, MarshalAny, jsonpb... is wrapped in protoadapt.MessageV2Of " +
		"(reported for Clone, whose result is a message, and where the rule cannot tell); proto.MessageV2(x) and " +
		"proto.MessageV1(x) are dropped where x is a generated message or becomes v2, adapted with protoadapt where that keeps " +
		"the type, else reported; proto.MessageReflect(m) becomes m.ProtoReflect(); m.Reset() and m.String() on a v1 " +
		"proto.Message become proto.Reset(m) and fmt.Sprint(m); m.ProtoMessage(), method values and type assertions to " +
		"proto.Message (which match only v2 messages after the move) are reported",
	Paths:    []string{v1Proto, v1Ptypes, v1JSONPB},
	NewPaths: []string{protoadapt, v2Proto, "fmt"},
	Run:      runMessages,
}

// takesMessages are the v1 functions and methods whose message arguments
// become v2 messages with the rewrite.
var takesMessages = rules.Or(
	rules.Funcs([]string{v1Proto}, "Marshal", "Unmarshal", "UnmarshalMerge", "Clone", "Equal", "Merge", "Size", "MessageName"),
	rules.Funcs([]string{v1Ptypes}, "MarshalAny", "UnmarshalAny", "Is"),
	rules.Funcs([]string{v1JSONPB}, "Unmarshal", "UnmarshalString"),
	rules.Members([]string{v1JSONPB}, []string{"Marshaler"}, "Marshal", "MarshalToString"),
	rules.Members([]string{v1JSONPB}, []string{"Unmarshaler"}, "Unmarshal"),
)

var (
	messageV2      = rules.Funcs([]string{v1Proto}, "MessageV2")
	messageV1      = rules.Funcs([]string{v1Proto}, "MessageV1")
	messageReflect = rules.Funcs([]string{v1Proto}, "MessageReflect")
)

func runMessages(p *rules.Pass) error {
	for _, u := range p.UsesOf(takesMessages) {
		if call := rules.CallOf(p, u.Ident); call != nil {
			arguments(p, u, call)
		}
	}
	for _, u := range p.UsesOf(messageV2) {
		adapter(p, u, toV2)
	}
	for _, u := range p.UsesOf(messageV1) {
		adapter(p, u, toV1)
	}
	for _, u := range p.UsesOf(messageReflect) {
		reflectCall(p, u)
	}
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			exported(p, n)
		case *ast.SelectorExpr:
			v1Method(p, n)
		case *ast.TypeAssertExpr:
			assertion(p, n.Type)
			if n.Type != nil {
				toV1Only(p, n)
			}
		case *ast.TypeSwitchStmt:
			for _, c := range n.Body.List {
				for _, t := range c.(*ast.CaseClause).List {
					assertion(p, t)
					v1OnlyCase(p, n, t)
				}
			}
		}
		return true
	})
	return nil
}

// arguments adapts the message arguments of a call of a v1 function.
func arguments(p *rules.Pass, u rules.Use, call *ast.CallExpr) {
	sig, _ := u.Obj.Type().(*types.Signature)
	if sig == nil {
		return
	}
	for i, arg := range call.Args {
		if i >= sig.Params().Len() || !isMessageV1(sig.Params().At(i).Type()) {
			continue
		}
		switch messageKind(p, arg) {
		case staysV1:
			if u.Obj.Name() == "Clone" {
				p.Report(arg.Pos(), "proto.Clone of a v1 message that is not a v2 one: clone protoadapt.MessageV2Of(m) and convert the result with protoadapt.MessageV1Of", true)
				continue
			}
			q := p.Qualifier(protoadapt, arg.Pos())
			p.Rewrite(arg.Pos(), rules.Wrap(arg, func(x dst.Expr) dst.Expr {
				return &dst.CallExpr{Fun: qualified(q, "MessageV2Of"), Args: []dst.Expr{x}}
			}))
		case unknown:
			p.Report(arg.Pos(), u.Obj.Name()+" takes a v2 message once migrated and the rule cannot tell whether this value is one: pass a generated message, or protoadapt.MessageV2Of(v) for a v1 one", true)
		}
	}
}

type direction int

const (
	toV2 direction = iota
	toV1
)

// adapter drops or replaces proto.MessageV2(x) and proto.MessageV1(x).
func adapter(p *rules.Pass, u rules.Use, dir direction) {
	call := rules.CallOf(p, u.Ident)
	if call == nil || len(call.Args) != 1 {
		p.Report(u.Ident.Pos(), "proto."+u.Obj.Name()+" used as a value: use protoadapt.MessageV2Of or MessageV1Of", true)
		return
	}
	arg := call.Args[0]
	k := messageKind(p, arg)
	t := p.Info().TypeOf(arg)
	generated := hasMethod(t, "ProtoReflect") && hasMethod(t, "ProtoMessage")
	switch {
	case dir == toV2 && (k == v2 || k == becomesV2),
		dir == toV1 && (generated || k == staysV1):
		p.Rewrite(u.Ident.Pos(), rules.Edit{Node: call, Unuse: unuseOf(call), New: func(old dst.Node) dst.Node {
			c := old.(*dst.CallExpr)
			x := c.Args[0]
			x.Decorations().Start = append(c.Decs.Start, x.Decorations().Start...)
			x.Decorations().End = append(x.Decorations().End, c.Decs.End...)
			x.Decorations().Before, x.Decorations().After = c.Decs.Before, c.Decs.After
			return x
		}})
	case dir == toV2 && k == staysV1, dir == toV1 && (k == becomesV2 || k == v2):
		name := "MessageV2Of"
		if dir == toV1 {
			name = "MessageV1Of"
		}
		p.Rewrite(u.Ident.Pos(), p.ReplaceUse(u.Ident, protoadapt, name))
	default:
		p.Report(u.Ident.Pos(), "proto."+u.Obj.Name()+" of a value the rule cannot classify: drop it for a generated message, else use protoadapt.MessageV2Of or MessageV1Of", true)
	}
}

// reflectCall rewrites proto.MessageReflect(m) to m.ProtoReflect().
func reflectCall(p *rules.Pass, u rules.Use) {
	call := rules.CallOf(p, u.Ident)
	if call == nil || len(call.Args) != 1 {
		p.Report(u.Ident.Pos(), "proto.MessageReflect used as a value: use m.ProtoReflect()", true)
		return
	}
	k := messageKind(p, call.Args[0])
	if k == unknown {
		p.Report(u.Ident.Pos(), "proto.MessageReflect of a value the rule cannot classify: use m.ProtoReflect(), or protoadapt.MessageV2Of(m).ProtoReflect() for a v1 message", true)
		return
	}
	var q *dst.Ident
	if k == staysV1 {
		q = p.Qualifier(protoadapt, call.Pos())
	}
	p.Rewrite(u.Ident.Pos(), rules.Edit{Node: call, Unuse: unuseOf(call), New: func(old dst.Node) dst.Node {
		c := old.(*dst.CallExpr)
		x := c.Args[0]
		if q != nil {
			x = &dst.CallExpr{Fun: qualified(q, "MessageV2Of"), Args: []dst.Expr{x}}
		}
		c.Fun, c.Args = &dst.SelectorExpr{X: parenIfNeeded(x), Sel: dst.NewIdent("ProtoReflect")}, nil
		return c
	}})
}

// v1Method rewrites m.Reset() and m.String() where m is a v1
// proto.Message of the module, which the move turns into v2.
func v1Method(p *rules.Pass, sel *ast.SelectorExpr) {
	s := p.Info().Selections[sel]
	if s == nil || s.Kind() != types.MethodVal || !isMessageV1(s.Recv()) {
		return
	}
	name := sel.Sel.Name
	k := origin(p, sel.X, 0)
	if k == staysV1 {
		return
	}
	call, _ := p.Parents(sel)[0].(*ast.CallExpr)
	if call == nil || call.Fun != sel || k == unknown || name == "ProtoMessage" {
		p.Report(sel.Sel.Pos(), "the v2 proto.Message interface has no "+name+" method: use proto.Reset(m), fmt.Sprint(m) or prototext.Format(m), or a concrete message type", true)
		return
	}
	pkg, fn := v2Proto, "Reset"
	if name == "String" {
		pkg, fn = "fmt", "Sprint"
	}
	q := p.Qualifier(pkg, call.Pos())
	p.Rewrite(sel.Sel.Pos(), rules.Replace(call, func(old dst.Node) dst.Node {
		c := old.(*dst.CallExpr)
		c.Args = []dst.Expr{c.Fun.(*dst.SelectorExpr).X}
		c.Fun = qualified(q, fn)
		return c
	}))
}

// exported reports an exported function or method of an importable
// package whose signature holds v1 proto.Message (trap 3): the move changes
// the package's API for its importers.
func exported(p *rules.Pass, fd *ast.FuncDecl) {
	path := p.Pkg().Path()
	if p.Pkg().Name() == "main" || strings.Contains(path+"/", "/internal/") || !fd.Name.IsExported() ||
		strings.HasSuffix(p.Fset().Position(fd.Pos()).Filename, "_test.go") {
		return
	}
	if fd.Recv != nil && len(fd.Recv.List) == 1 {
		if n := recvName(fd.Recv.List[0].Type); n == nil || !n.IsExported() {
			return
		}
	}
	obj := p.Info().Defs[fd.Name]
	if obj == nil || v1Lib.OldIn(obj.Type()) == "" {
		return
	}
	p.Report(fd.Name.Pos(), fd.Name.Name+" is exported and its signature holds the v1 message interface, which becomes the v2 one: "+
		"importers that pass or receive v1-only messages must adapt (protoadapt), so release this as an API change", false)
}

func recvName(e ast.Expr) *ast.Ident {
	switch e := e.(type) {
	case *ast.StarExpr:
		return recvName(e.X)
	case *ast.IndexExpr:
		return recvName(e.X)
	case *ast.IndexListExpr:
		return recvName(e.X)
	case *ast.Ident:
		return e
	}
	return nil
}

// toV1Only rewrites x.(T), where x becomes a v2 proto.Message and T is a
// message type with v1 methods only (gogo, jhump/protoreflect's
// dynamic.Message, pre-2020 generated code), to
// protoadapt.MessageV1Of(x).(T): a v2 value cannot hold T, and
// MessageV1Of unwraps the v1 message that MessageV2Of wrapped.
func toV1Only(p *rules.Pass, ta *ast.TypeAssertExpr) {
	if !v1OnlyAssert(p, ta.X, ta.Type) {
		return
	}
	q := p.Qualifier(protoadapt, ta.Pos())
	p.Rewrite(ta.Pos(), rules.Wrap(ta.X, func(x dst.Expr) dst.Expr {
		return &dst.CallExpr{Fun: qualified(q, "MessageV1Of"), Args: []dst.Expr{x}}
	}))
}

// v1OnlyCase reports a type switch case of a v1-only message type on a
// value that becomes a v2 proto.Message.
func v1OnlyCase(p *rules.Pass, ts *ast.TypeSwitchStmt, t ast.Expr) {
	var x ast.Expr
	switch a := ts.Assign.(type) {
	case *ast.AssignStmt:
		x = a.Rhs[0].(*ast.TypeAssertExpr).X
	case *ast.ExprStmt:
		x = a.X.(*ast.TypeAssertExpr).X
	}
	if x != nil && v1OnlyAssert(p, x, t) {
		p.Report(t.Pos(), "the switched value becomes a v2 proto.Message, which this v1-only message type cannot be: switch on protoadapt.MessageV1Of(x)", true)
	}
}

// v1OnlyAssert reports whether asserting x to the type t breaks with the
// move: x a v1 proto.Message of the module, t a concrete type without
// ProtoReflect.
func v1OnlyAssert(p *rules.Pass, x, t ast.Expr) bool {
	tv, ok := p.Info().Types[t]
	if !ok || !tv.IsType() || types.IsInterface(tv.Type) || hasMethod(tv.Type, "ProtoReflect") {
		return false
	}
	xt := p.Info().TypeOf(x)
	return xt != nil && isMessageV1(xt) && origin(p, x, 0) == becomesV2
}

// assertion reports a type assertion or case to v1 proto.Message.
func assertion(p *rules.Pass, t ast.Expr) {
	if t == nil {
		return
	}
	tv, ok := p.Info().Types[t]
	if !ok || !tv.IsType() || !isMessageV1(tv.Type) {
		return
	}
	p.Report(t.Pos(), "after the move this is the v2 message interface: the assertion matches only messages with ProtoReflect, no longer gogo or pre-2020 generated types (a silent change at run time)", false)
}
