package rewrite

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"slices"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"

	"github.com/migrate-tool/migrate/rules"
)

// edit is one scheduled replacement, data until the file is rendered.
type edit struct {
	rule string // SET/ID of the rule that made it
	node ast.Node
	with func(dst.Node) dst.Node
	out  dst.Node // the replacement, once made
}

// schedule adds a replacement of n, whose decorated node exists, for rule.
func (f *fileCtx) schedule(rule string, n ast.Node, with func(dst.Node) dst.Node) {
	f.scheduleAt(rule, n, n, with)
	f.replacedAST[n] = true
}

// scheduleAt adds a replacement of n for an edit of rule at site, a node
// inside n or n itself.
func (f *fileCtx) scheduleAt(rule string, n, site ast.Node, with func(dst.Node) dst.Node) {
	d := f.Dst(n)
	if len(f.edits[d]) == 0 {
		f.editNodes = append(f.editNodes, n)
	}
	f.edits[d] = append(f.edits[d], &edit{rule: rule, node: site, with: with})
	f.editSpans = append(f.editSpans, f.span(rule, site.Pos(), site.Pos(), site.End()))
}

// setImportPath schedules the move of an import; two rules that move one
// import to different paths are a bug of the rule set.
func (f *fileCtx) setImportPath(rule string, spec *ast.ImportSpec, to rules.ImportChange) error {
	if prev, ok := f.newPaths[spec]; ok && (prev.path != to.Path || prev.name != to.Name || prev.requalified != to.Requalified) {
		return fmt.Errorf("rules %s and %s move the import at %s to different paths (%s, %s): this is a bug in the rule set (nothing was written)",
			prev.rule, rule, f.position(spec.Pos()), prev.path, to.Path)
	}
	f.newPaths[spec] = pathChange{path: to.Path, name: to.Name, rule: rule, requalified: to.Requalified}
	f.editSpans = append(f.editSpans, f.span(rule, spec.Pos(), spec.Pos(), spec.End()))
	return nil
}

// Record is the engine's side of a rule that computes sites (a GoRule or
// a declarative rule): it filters the sites the rule found, counts them,
// and schedules their edits.
func (f *fileCtx) Record(r rules.Rule, sites []rules.Site) error {
	ignored := map[token.Pos]bool{}
	edited := map[token.Pos]bool{} // a message there is a note on a rewrite
	for _, s := range sites {
		edited[s.Pos] = edited[s.Pos] || len(s.Edits) > 0
	}
	for _, s := range sites {
		if len(s.Edits) == 0 && s.Message == "" && len(s.Files) == 0 {
			return fmt.Errorf("a site at %s has neither edits, a message nor files", f.position(s.Pos))
		}
		ign, seen := ignored[s.Pos]
		if !seen {
			ign = f.ignored(r, s.Pos) // lists the site as ignored, once
			ignored[s.Pos] = ign
		}
		if ign {
			continue
		}
		for _, e := range s.Edits {
			if err := f.scheduleEdit(r, e); err != nil {
				return fmt.Errorf("edit at %s: %w", f.position(s.Pos), err)
			}
		}
		if len(s.Edits) > 0 {
			f.rewrote(r, s.Pos)
		}
		for _, nf := range s.Files {
			f.newFiles = append(f.newFiles, newFile{NewFile: nf, rule: f.ruleName(r)})
		}
		if s.Message != "" {
			f.report(r, s.Pos, s.Message, s.TODO, !edited[s.Pos])
		}
	}
	return nil
}

// scheduleEdit checks one edit of a rule's site and schedules it.
func (f *fileCtx) scheduleEdit(r rules.Rule, e rules.Edit) error {
	switch {
	case e.Node == nil:
		return errors.New("the edit has no Node")
	case e.Import != nil:
		spec, ok := e.Node.(*ast.ImportSpec)
		if !ok || e.New != nil {
			return fmt.Errorf("an import edit needs an *ast.ImportSpec and no New (got %T)", e.Node)
		}
		if err := f.setImportPath(f.ruleName(r), spec, *e.Import); err != nil {
			return err
		}
	case e.Delete || e.After != nil:
		if err := f.scheduleList(f.ruleName(r), e); err != nil {
			return err
		}
	case e.New == nil:
		return fmt.Errorf("the edit of a %T has no New", e.Node)
	case f.Dst(e.Node) == nil:
		return fmt.Errorf("the edit's %T is not a node of this file", e.Node)
	default:
		f.schedule(f.ruleName(r), e.Node, e.New)
	}
	for _, id := range e.Unuse {
		f.unused[id] = true
	}
	return nil
}

// applyEdits makes the scheduled replacements, innermost first; the
// replacements of one node are composed in rule order. It then checks that
// no edit was lost: each one's result must be in the final tree.
func (f *fileCtx) applyEdits() error {
	var err error
	dstutil.Apply(f.dfile, nil, func(c *dstutil.Cursor) bool {
		list := f.edits[c.Node()]
		if len(list) == 0 {
			return true
		}
		n := c.Node()
		for _, e := range list {
			if n = e.with(n); n == nil {
				err = fmt.Errorf("rule %s: its edit at %s returned no node: this is a bug in the rule (nothing was written)", e.rule, f.position(e.node.Pos()))
				return false
			}
			e.out = n
		}
		c.Replace(n)
		return true
	})
	if err != nil {
		return err
	}
	f.final = nodesOf(f.dfile)
	return f.checkKept()
}

// checkKept verifies that the replacement of each node is in the final
// tree. An edit whose result is not was replaced by the edit of a node
// around it that did not keep it: the two overlap, which is a bug of the
// rule set (or of one rule).
func (f *fileCtx) checkKept() error {
	nodes := slices.Clone(f.editNodes)
	slices.SortStableFunc(nodes, func(a, b ast.Node) int { return int(a.Pos() - b.Pos()) })
	for _, n := range nodes {
		inner := last(f.edits[f.Dst(n)])
		if inner.out != nil && f.final[inner.out] {
			continue
		}
		for _, p := range f.Parents(n) {
			outer := f.edits[f.Dst(p)]
			if len(outer) == 0 || last(outer).out == nil {
				continue
			}
			if inner.out == nil || !contains(last(outer).out, inner.out) {
				return f.overlapError(around(outer, n), inner)
			}
		}
		// No edit around it kept a result: should not happen, but never
		// write a file that lost an edit.
		return fmt.Errorf("rule %s: its edit at %s was lost: another rule removed the code it changes; this is a bug in the rule set (nothing was written)",
			inner.rule, f.position(n.Pos()))
	}
	return nil
}

func (f *fileCtx) overlapError(outer, inner *edit) error {
	return fmt.Errorf("edits overlap: the edit of rule %s at %s replaces code that rule %s changes at %s, without keeping that change; this is a bug in the rule set: change the rules so that one leaves this code alone (nothing was written)",
		outer.rule, f.position(outer.node.Pos()), inner.rule, f.position(inner.node.Pos()))
}

func last(list []*edit) *edit { return list[len(list)-1] }

// around returns the last edit of list whose site holds n (a list edit's
// site is the element it deletes or follows), or the last edit.
func around(list []*edit, n ast.Node) *edit {
	for i := len(list) - 1; i >= 0; i-- {
		if e := list[i]; e.node.Pos() <= n.Pos() && n.End() <= e.node.End() {
			return e
		}
	}
	return last(list)
}

// nodesOf returns the set of nodes of a decorated tree.
func nodesOf(root dst.Node) map[dst.Node]bool {
	m := map[dst.Node]bool{}
	dst.Inspect(root, func(n dst.Node) bool {
		if n != nil {
			m[n] = true
		}
		return true
	})
	return m
}

// contains reports whether target is root or a node inside it.
func contains(root, target dst.Node) bool {
	found := false
	dst.Inspect(root, func(n dst.Node) bool {
		found = found || n == target
		return !found
	})
	return found
}
