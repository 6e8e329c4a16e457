package redigorule

import (
	"go/ast"
	"go/constant"
	"go/types"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// Script drops the key count of redis.NewScript: go-redis takes the keys
// apart at each Run.
var Script = &rules.GoRule{
	Name: "redigo-script",
	Doc: "redis.NewScript(n, src) becomes redis.NewScript(src) when n is a constant ≥ 0 (the conn rule splits the " +
		"first n arguments of each script.Do into Run's keys); a count known only at run time is left to the leftover rule",
	Paths:    paths,
	Requires: []*rules.Fact{compatPackage},
	Run:      runScript,
}

var newScriptM = rules.Funcs(paths, "NewScript")

func runScript(p *rules.Pass) error {
	if inCompat(p) {
		return nil
	}
	for _, u := range p.UsesOf(newScriptM) {
		call := calledBy(p, u.Ident)
		if call == nil || len(call.Args) != 2 || keyCount(p.Info(), call) < 0 {
			continue
		}
		p.Rewrite(call.Pos(), rules.Replace(call, func(old dst.Node) dst.Node {
			c := old.(*dst.CallExpr)
			src := c.Args[1]
			src.Decorations().Before = c.Args[0].Decorations().Before
			c.Args = []dst.Expr{src}
			return c
		}))
	}
	return nil
}

// calledBy returns the call whose function is the use id (pkg.F or F),
// or nil.
func calledBy(p *rules.Pass, id *ast.Ident) *ast.CallExpr {
	parents := p.Parents(id)
	var fun ast.Expr = id
	if sel, ok := parents[0].(*ast.SelectorExpr); ok && sel.Sel == id {
		fun, parents = sel, parents[1:]
	}
	if call, ok := parents[0].(*ast.CallExpr); ok && call.Fun == fun {
		return call
	}
	return nil
}

// keyCount returns the constant key count of a NewScript call, or -1.
func keyCount(info *types.Info, call *ast.CallExpr) int {
	tv, ok := info.Types[call.Args[0]]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.Int {
		return -1
	}
	n, ok := constant.Int64Val(tv.Value)
	if !ok || n < 0 {
		return -1
	}
	return int(n)
}

// scriptKeys is a fact: the key count of each variable or field that a
// constant NewScript call is assigned to in the package (-1 where two
// assignments disagree), so that script.Do(c, ...) can split its keys.
var scriptKeys = &rules.Fact{
	Name:    "redigo-script-keys",
	Doc:     "the key count of each variable or field of the package assigned redis.NewScript(n, src) with a constant n",
	Compute: computeScriptKeys,
}

func computeScriptKeys(pkg *rules.Package) (any, error) {
	m := map[types.Object]int{}
	record := func(lhs, rhs ast.Expr) {
		call, ok := rhs.(*ast.CallExpr)
		if !ok || len(call.Args) != 2 || !isNewScript(pkg.Info, call) {
			return
		}
		obj := assignedObject(pkg.Info, lhs)
		if obj == nil {
			return
		}
		n := keyCount(pkg.Info, call)
		if prev, seen := m[obj]; seen && prev != n {
			n = -1
		}
		m[obj] = n
	}
	for _, f := range pkg.Syntax {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				if len(n.Names) == len(n.Values) {
					for i := range n.Names {
						record(n.Names[i], n.Values[i])
					}
				}
			case *ast.AssignStmt:
				if len(n.Lhs) == len(n.Rhs) {
					for i := range n.Lhs {
						record(n.Lhs[i], n.Rhs[i])
					}
				}
			case *ast.KeyValueExpr:
				record(n.Key, n.Value)
			}
			return true
		})
	}
	return m, nil
}

// isNewScript reports whether call calls redigo's NewScript.
func isNewScript(info *types.Info, call *ast.CallExpr) bool {
	var id *ast.Ident
	switch f := call.Fun.(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	}
	fn, ok := info.Uses[id].(*types.Func)
	return ok && fn.Name() == "NewScript" && fn.Pkg() != nil && rules.MatchPath(fn.Pkg().Path(), paths)
}

// assignedObject returns the variable or field that lhs names, or nil.
func assignedObject(info *types.Info, lhs ast.Expr) types.Object {
	switch e := lhs.(type) {
	case *ast.Ident:
		if obj := info.Defs[e]; obj != nil {
			return obj
		}
		return info.Uses[e]
	case *ast.SelectorExpr:
		return info.Uses[e.Sel]
	}
	return nil
}

// scriptCount returns the key count of the script x names (a variable, a
// field, or a NewScript call), or -1.
func scriptCount(p *rules.Pass, x ast.Expr) int {
	if call, ok := x.(*ast.CallExpr); ok && isNewScript(p.Info(), call) && len(call.Args) == 2 {
		return keyCount(p.Info(), call)
	}
	obj := assignedObject(p.Info(), x)
	if obj == nil {
		return -1
	}
	if n, ok := p.Fact(scriptKeys).(map[types.Object]int)[obj]; ok {
		return n
	}
	return -1
}

// scriptUse records script.Do(c, keys and args...), script.DoContext(ctx,
// c, ...) or script.Load(c) on the borrowed connection, the argument at of
// call, as script.Run(ctx, rdb, []string{keys...}, args...) or
// script.Load(ctx, rdb).Err(); it returns why not when it cannot.
func (b *borrow) scriptUse(p *rules.Pass, call *ast.CallExpr, parents []ast.Node, method string, at int) (ast.Node, string) {
	x := call.Fun.(*ast.SelectorExpr).X
	s := b.site(p, call, parents)
	if method == "Load" {
		s.accessor = "Err"
		s.build = func(_ *planCtx, c *dst.CallExpr, ctx, pool dst.Expr) dst.Expr {
			return &dst.CallExpr{Fun: &dst.SelectorExpr{X: c.Fun.(*dst.SelectorExpr).X, Sel: dst.NewIdent("Load")}, Args: []dst.Expr{ctx, pool}}
		}
		b.add(s, parents)
		return nil, ""
	}
	n := scriptCount(p, x)
	args := call.Args[at+1:]
	switch {
	case n < 0:
		return call, "runs a script whose key count migrate cannot tell (a NewScript count known at run time, or a script from elsewhere): use script.Run(ctx, rdb, keys, args...)"
	case call.Ellipsis.IsValid():
		return call, "runs a script with spread arguments, which migrate cannot split into keys and arguments: use script.Run(ctx, rdb, keys, args...)"
	case n > len(args):
		return call, "runs a script with fewer arguments than its key count"
	}
	convs := make([]conv, len(args))
	for i, a := range args {
		if i < n {
			c, ok := asString(p, a)
			if !ok {
				return call, "runs a script with a key that is not a string: go-redis takes the keys as []string"
			}
			convs[i] = c
			continue
		}
		c, note := valueArg(p, a)
		convs[i] = c
		if note != "" {
			s.notes = append(s.notes, note)
		}
	}
	if method == "DoContext" {
		s.ctxAt = 0
	}
	acc, notes, kept := cmdAccessor(s.helper, s.discarded(parents), "")
	if kept {
		s.outer, s.helper = call, ""
	}
	s.accessor, s.notes = acc, append(s.notes, notes...)
	s.kept = append(exprNodes(args), x)
	s.build = func(_ *planCtx, c *dst.CallExpr, ctx, pool dst.Expr) dst.Expr {
		da := c.Args[at+1:]
		keys := &dst.CompositeLit{Type: &dst.ArrayType{Elt: dst.NewIdent("string")}}
		out := []dst.Expr{ctx, pool, keys}
		for i, a := range da {
			a = convs[i](a)
			if i < n {
				a.Decorations().Before, a.Decorations().After = dst.None, dst.None
				keys.Elts = append(keys.Elts, a)
			} else {
				out = append(out, a)
			}
		}
		return &dst.CallExpr{Fun: &dst.SelectorExpr{X: c.Fun.(*dst.SelectorExpr).X, Sel: dst.NewIdent("Run")}, Args: out}
	}
	b.add(s, parents)
	return nil, ""
}
