package rules

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"
)

// This file finds the calls a call template matches and builds their
// replacements; template.go parses and checks templates.

// run records a site for every call of the callee whose arguments match
// the pattern.
func (t *callTemplate) run(p *Pass) error {
	info := p.Info()
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && t.isCallee(info, call.Fun) {
			if binds, ok := t.bind(call); ok {
				t.rewrite(p, call, binds)
			}
		}
		return true
	})
	return nil
}

func (t *callTemplate) isCallee(info *types.Info, fun ast.Expr) bool {
	sel, ok := ast.Unparen(fun).(*ast.SelectorExpr)
	if t.varMethod != "" {
		return ok && sel.Sel.Name == t.varMethod && t.callee.isPkgLevel(info.Uses[varIdent(sel.X)])
	}
	var id *ast.Ident
	if ok {
		id = sel.Sel
	} else if id, ok = ast.Unparen(fun).(*ast.Ident); !ok {
		return false
	}
	obj := info.Uses[id]
	if t.recvHole == "" {
		return t.callee.isPkgLevel(obj)
	}
	fn, _ := obj.(*types.Func)
	return sel != nil && info.Selections[sel] != nil && t.callee.isMethod(fn)
}

// binding is what a hole stands for: one argument or, for the variadic
// hole, the remaining ones.
type binding struct {
	nodes    []ast.Expr
	ellipsis bool
	ctx      func() dst.Expr // for $ctx: builds the context expression
}

// bind matches the call's arguments against the pattern.
func (t *callTemplate) bind(call *ast.CallExpr) (map[string]binding, bool) {
	b := map[string]binding{}
	if t.recvHole != "" {
		b[t.recvHole] = binding{nodes: []ast.Expr{ast.Unparen(call.Fun).(*ast.SelectorExpr).X}}
	}
	n := len(t.args)
	if len(call.Args) < n || (t.variadic == "" && len(call.Args) != n) {
		return nil, false
	}
	if call.Ellipsis.IsValid() && (t.variadic == "" || len(call.Args) == n) {
		return nil, false
	}
	for i, p := range t.args {
		if name, ok := holeName(p); ok {
			b[name] = binding{nodes: []ast.Expr{call.Args[i]}}
		} else if types.ExprString(p) != types.ExprString(call.Args[i]) {
			return nil, false
		}
	}
	if t.variadic != "" {
		b[t.variadic] = binding{nodes: call.Args[n:], ellipsis: call.Ellipsis.IsValid()}
	}
	return b, true
}

// rewrite records the site of call, replaced by the "to" template; the
// context it passes for $ctx may be reported at the call first.
func (t *callTemplate) rewrite(p *Pass, call *ast.CallExpr, binds map[string]binding) {
	quals := qualifiers(p, t.set.Packages, call.Pos(), func(name string) bool { return usesPkg(t.to, name) })
	if t.toHoles[ctxHole] {
		binds[ctxHole] = binding{ctx: p.ContextArg(call)}
	}
	p.Rewrite(call.Pos(), Edit{Node: call, Unuse: t.unused(call), New: func(old dst.Node) dst.Node {
		return t.instantiate(old.(*dst.CallExpr), call, binds, quals)
	}})
}

// unused returns the package names whose use the replacement of call
// removes: the callee's qualifier, or a pkg.Var.Method callee's.
func (t *callTemplate) unused(call *ast.CallExpr) []*ast.Ident {
	switch {
	case t.varMethod != "":
		sel, _ := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		return pkgIdents(sel.X)
	case t.recvHole == "":
		return pkgIdents(call.Fun)
	}
	return nil
}

// qualifiers returns an identifier naming each package of pkgs that uses
// reports a template names, for a replacement placed at pos.
func qualifiers(p *Pass, pkgs Packages, pos token.Pos, uses func(name string) bool) map[string]*dst.Ident {
	quals := map[string]*dst.Ident{}
	for name := range pkgs {
		if path := pkgs.Path(name); path != "" && uses(name) {
			quals[name] = p.Qualifier(path, pos)
		}
	}
	return quals
}

// instantiate builds the replacement from the template, moving the bound
// argument nodes (cloning any used twice) and keeping the call's comments.
func (t *callTemplate) instantiate(old *dst.CallExpr, call *ast.CallExpr, binds map[string]binding, quals map[string]*dst.Ident) dst.Node {
	tmpl := dst.Clone(t.toDst)
	current := currentArgs(old, call, t.recvHole != "")
	used := map[dst.Node]bool{}
	take := func(n ast.Expr) dst.Expr {
		d := current[n]
		if used[d] {
			return dst.Clone(d).(dst.Expr)
		}
		used[d] = true
		return d
	}
	out := dstutil.Apply(tmpl, nil, func(c *dstutil.Cursor) bool {
		switch n := c.Node().(type) {
		case *dst.SelectorExpr:
			if id, ok := n.X.(*dst.Ident); ok && quals[id.Name] != nil {
				n.X = quals[id.Name]
			}
		case *dst.CallExpr:
			expandVariadic(n, binds, take)
		case *dst.Ident:
			name, ok := strings.CutPrefix(n.Name, holePrefix)
			switch {
			case !ok:
			case name == ctxHole && binds[name].ctx != nil:
				c.Replace(binds[name].ctx())
			case name != t.variadic && len(binds[name].nodes) == 1:
				c.Replace(take(binds[name].nodes[0]))
			}
		}
		return true
	})
	res := out.(dst.Expr)
	res.Decorations().Start = old.Decs.Start
	res.Decorations().End = old.Decs.End
	if c, ok := res.(*dst.CallExpr); ok {
		c.Decs.Lparen, c.Decs.Ellipsis = old.Decs.Lparen, old.Decs.Ellipsis
	}
	return res
}

// expandVariadic replaces a final "$rest..." argument by the bound nodes.
func expandVariadic(call *dst.CallExpr, binds map[string]binding, take func(ast.Expr) dst.Expr) {
	if !call.Ellipsis || len(call.Args) == 0 {
		return
	}
	last, ok := call.Args[len(call.Args)-1].(*dst.Ident)
	if !ok {
		return
	}
	name, ok := strings.CutPrefix(last.Name, holePrefix)
	b, bound := binds[name]
	if !ok || !bound {
		return
	}
	args := call.Args[:len(call.Args)-1]
	for _, n := range b.nodes {
		args = append(args, take(n))
	}
	call.Args, call.Ellipsis = args, b.ellipsis
}

// currentArgs maps the call's original argument (and receiver) nodes to the
// current decorated nodes, which may have been replaced already.
func currentArgs(old *dst.CallExpr, call *ast.CallExpr, method bool) map[ast.Expr]dst.Expr {
	m := map[ast.Expr]dst.Expr{}
	for i, a := range call.Args {
		m[a] = old.Args[i]
	}
	if method {
		m[ast.Unparen(call.Fun).(*ast.SelectorExpr).X] = Unparen(old.Fun).(*dst.SelectorExpr).X
	}
	return m
}

// Unparen strips the parentheses around a decorated expression.
func Unparen(e dst.Expr) dst.Expr {
	for {
		p, ok := e.(*dst.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

// pkgIdents returns the package qualifier of a callee ("ioutil" in
// ioutil.TempFile), or the dot-imported callee itself.
func pkgIdents(fun ast.Expr) []*ast.Ident {
	switch f := ast.Unparen(fun).(type) {
	case *ast.SelectorExpr:
		if id, ok := f.X.(*ast.Ident); ok {
			return []*ast.Ident{id}
		}
	case *ast.Ident:
		return []*ast.Ident{f}
	}
	return nil
}

// varIdent returns the identifier naming a package-level variable in a
// qualified (pkg.Var) or dot-imported (Var) expression.
func varIdent(e ast.Expr) *ast.Ident {
	switch x := ast.Unparen(e).(type) {
	case *ast.SelectorExpr:
		return x.Sel
	case *ast.Ident:
		return x
	}
	return nil
}
