package rules

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/types"
	"regexp"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"github.com/dave/dst/dstutil"
)

// A call template is a Go call expression in which "$name" binds one
// argument and a final "$name..." binds the remaining ones. The callee is a
// package-level function ("ioutil.TempFile($dir, $pattern)") or a method on
// a bound receiver ("$c.SetEX($ctx, $k, $v, $ttl)" with receiver
// "redis.Client"). Other arguments must match literally.

const holePrefix = "mig_hole_"

var holeRE = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)`)

// parseTemplate parses a template expression, turning holes into
// identifiers with holePrefix.
func parseTemplate(s string) (ast.Expr, error) {
	src := holeRE.ReplaceAllString(s, holePrefix+"$1")
	e, err := parser.ParseExpr(src)
	if err != nil {
		return nil, fmt.Errorf("template %q does not parse: %v", s, cleanParseErr(err))
	}
	return e, nil
}

func cleanParseErr(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "1:") {
		msg = msg[i+2:]
	}
	return strings.ReplaceAll(msg, holePrefix, "$")
}

func holeName(e ast.Expr) (string, bool) {
	id, ok := e.(*ast.Ident)
	if !ok || !strings.HasPrefix(id.Name, holePrefix) {
		return "", false
	}
	return strings.TrimPrefix(id.Name, holePrefix), true
}

// callTemplate replaces calls matching a pattern by a template.
type callTemplate struct {
	base
	set      *Set
	callee   Ref    // package-level function, or the method Receiver.Member
	recvHole string // hole bound to the receiver, for a method template
	// varMethod is the method of a pkg.Var.Method callee, whose variable
	// is callee.
	varMethod string
	args      []ast.Expr
	variadic  string // hole bound to the remaining arguments, or ""
	to        ast.Expr
	toDst     dst.Expr // to, decorated; cloned for each site
	toHoles   map[string]bool
}

func newCallTemplate(set *Set, spec *Spec) (Rule, error) {
	pat, err := parseTemplate(spec.Call)
	if err != nil {
		return nil, err
	}
	call, ok := pat.(*ast.CallExpr)
	if !ok {
		return nil, fmt.Errorf("call %q is not a call expression", spec.Call)
	}
	to, err := parseTemplate(spec.To)
	if err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	t := &callTemplate{set: set, args: call.Args, to: to}
	if err := t.parseCallee(set, spec, call.Fun); err != nil {
		return nil, err
	}
	if call.Ellipsis.IsValid() {
		last := len(call.Args) - 1
		name, ok := holeName(call.Args[last])
		if !ok {
			return nil, fmt.Errorf("call %q: only a final $hole can take \"...\"", spec.Call)
		}
		t.variadic, t.args = name, call.Args[:last]
	}
	if err := t.checkHoles(spec); err != nil {
		return nil, err
	}
	if t.toDst, err = decorateExpr(spec.To); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	t.base = base{spec: spec, paths: t.callee.Paths}
	return t, nil
}

func (t *callTemplate) parseCallee(set *Set, spec *Spec, fun ast.Expr) error {
	sel, ok := fun.(*ast.SelectorExpr)
	if ok {
		if v, isVar := sel.X.(*ast.SelectorExpr); isVar && isIdent(v.X) && spec.Receiver == "" {
			return t.parseVarMethod(set, spec, v, sel.Sel.Name)
		}
	}
	x, ok2 := ast.Expr(nil), ok
	if ok {
		x = sel.X
		_, ok2 = x.(*ast.Ident)
	}
	if !ok || !ok2 {
		return fmt.Errorf("call %q: the callee must be pkg.Func, pkg.Var.Method or $recv.Method", spec.Call)
	}
	if hole, isHole := holeName(x); isHole {
		if spec.Receiver == "" {
			return fmt.Errorf("call %q: a $%s.Method template needs \"receiver: pkg.Type\"", spec.Call, hole)
		}
		r, err := parseRef(set, spec.Receiver+"."+sel.Sel.Name, true)
		if err != nil {
			return fmt.Errorf("receiver: %w", err)
		}
		t.callee, t.recvHole = r, hole
		return nil
	}
	if spec.Receiver != "" {
		return fmt.Errorf("call %q: \"receiver\" needs a $recv.Method template", spec.Call)
	}
	r, err := parseRef(set, x.(*ast.Ident).Name+"."+sel.Sel.Name, false)
	if err != nil {
		return err
	}
	t.callee = r
	return nil
}

// parseVarMethod sets up a pkg.Var.Method callee, such as
// http.DefaultClient.Do.
func (t *callTemplate) parseVarMethod(set *Set, spec *Spec, v *ast.SelectorExpr, method string) error {
	r, err := parseRef(set, v.X.(*ast.Ident).Name+"."+v.Sel.Name, false)
	if err != nil {
		return err
	}
	t.callee, t.varMethod = r, method
	return nil
}

// checkHoles verifies that every hole of "to" is bound by the pattern, and
// that every package named in "to" is declared.
func (t *callTemplate) checkHoles(spec *Spec) error {
	bound := map[string]bool{t.recvHole: t.recvHole != "", t.variadic: t.variadic != "", ctxHole: true}
	for _, a := range t.args {
		if name, ok := holeName(a); ok {
			if bound[name] {
				return fmt.Errorf("call %q binds $%s twice", spec.Call, name)
			}
			bound[name] = true
		}
	}
	t.toHoles = map[string]bool{}
	var err error
	ast.Inspect(t.to, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			if name, ok := holeName(n); ok {
				if !bound[name] && err == nil {
					err = fmt.Errorf("to: $%s is not bound by the call pattern", name)
				}
				t.toHoles[name] = true
			}
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok {
				if _, hole := holeName(id); !hole && err == nil {
					if err = t.set.Packages.checkTarget(id.Name); err != nil {
						err = fmt.Errorf("to: %w", err)
					}
				}
			}
			return !isIdent(n.X)
		}
		return true
	})
	return err
}

func isIdent(e ast.Expr) bool { _, ok := e.(*ast.Ident); return ok }

func (t *callTemplate) Apply(f File) error {
	info := f.Info()
	ast.Inspect(f.AST(), func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || !t.isCallee(info, call.Fun) {
			return true
		}
		binds, ok := t.bind(call)
		if !ok || f.Ignored(t, call.Pos()) {
			return true
		}
		t.replace(f, call, binds)
		f.Rewrote(t, call.Pos())
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

// replace schedules the replacement of call by the "to" template.
func (t *callTemplate) replace(f File, call *ast.CallExpr, binds map[string]binding) {
	quals := map[string]*dst.Ident{}
	for name := range t.set.Packages {
		if path := t.set.Packages.Path(name); path != "" && usesPkg(t.to, name) {
			quals[name] = f.Qualifier(path, call.Pos())
		}
	}
	switch {
	case t.varMethod != "":
		sel, _ := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		for _, id := range pkgIdents(sel.X) {
			f.Unuse(id)
		}
	case t.recvHole == "":
		for _, id := range pkgIdents(call.Fun) {
			f.Unuse(id)
		}
	}
	if t.toHoles[ctxHole] {
		binds[ctxHole] = binding{ctx: ContextArg(f, t, call)}
	}
	f.Replace(call, func(old dst.Node) dst.Node {
		return t.instantiate(f, old.(*dst.CallExpr), call, binds, quals)
	})
}

// instantiate builds the replacement from the template, moving the bound
// argument nodes (cloning any used twice) and keeping the call's comments.
func (t *callTemplate) instantiate(f File, old *dst.CallExpr, call *ast.CallExpr, binds map[string]binding, quals map[string]*dst.Ident) dst.Node {
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

func usesPkg(e ast.Expr, name string) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == name {
				found = true
			}
		}
		return !found
	})
	return found
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

// decorateExpr parses a template expression into a decorated node.
func decorateExpr(s string) (dst.Expr, error) {
	src := "package p\n\nvar _ = " + holeRE.ReplaceAllString(s, holePrefix+"$1") + "\n"
	f, err := decorator.Parse(src)
	if err != nil {
		return nil, err
	}
	return f.Decls[0].(*dst.GenDecl).Specs[0].(*dst.ValueSpec).Values[0], nil
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

// Indirect reports whether the template's callee is a method on a typed
// receiver, which other packages' values can reach.
func (t *callTemplate) Indirect() bool { return t.recvHole != "" }
