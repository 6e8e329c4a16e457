package rules

import (
	"fmt"
	"go/ast"
	"go/parser"
	"regexp"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
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

func newCallTemplate(set *Set, spec *Spec) (*callTemplate, error) {
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

// decorateExpr parses a template expression into a decorated node.
func decorateExpr(s string) (dst.Expr, error) {
	src := "package p\n\nvar _ = " + holeRE.ReplaceAllString(s, holePrefix+"$1") + "\n"
	f, err := decorator.Parse(src)
	if err != nil {
		return nil, err
	}
	return f.Decls[0].(*dst.GenDecl).Specs[0].(*dst.ValueSpec).Values[0], nil
}

// Indirect reports whether the template's callee is a method on a typed
// receiver, which other packages' values can reach.
func (t *callTemplate) Indirect() bool { return t.recvHole != "" }
