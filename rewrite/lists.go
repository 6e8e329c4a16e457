package rewrite

import (
	"errors"
	"fmt"
	"go/ast"
	"slices"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// scheduleList schedules an edit that deletes e.Node from its list, or
// inserts a node after it: a replacement of the list's owner (a block, a
// clause, a composite literal) that finds the element when it runs, after
// the edits inside the owner, and leaves the owner itself in place.
func (f *fileCtx) scheduleList(rule string, e rules.Edit) error {
	if e.New != nil || e.Import != nil || e.Delete == (e.After != nil) {
		return errors.New("an edit sets one of New, Import, Delete and After")
	}
	owner, stmts, err := f.listOwner(e.Node)
	if err != nil {
		return err
	}
	target := f.Dst(e.Node)
	f.scheduleAt(rule, owner, e.Node, func(old dst.Node) dst.Node {
		ok := false
		if stmts {
			ok = editList(rules.StmtsOf(old), target, e, true)
		} else {
			ok = editList(&old.(*dst.CompositeLit).Elts, target, e, false)
		}
		if !ok {
			return nil
		}
		return old
	})
	if e.Delete {
		f.replacedAST[e.Node] = true
		// The uses of imports inside it go with it.
		ast.Inspect(e.Node, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				f.unused[id] = true
			}
			return true
		})
	}
	return nil
}

// listOwner returns the node whose list holds n, and whether the list is
// one of statements.
func (f *fileCtx) listOwner(n ast.Node) (ast.Node, bool, error) {
	parents := f.Parents(n)
	if len(parents) > 0 && f.Dst(n) != nil {
		switch p := parents[0].(type) {
		case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
			if _, ok := n.(ast.Stmt); ok {
				return p, true, nil
			}
		case *ast.CompositeLit:
			if slices.Contains(p.Elts, n.(ast.Expr)) {
				return p, false, nil
			}
		}
	}
	return nil, false, fmt.Errorf("a %T that is not a statement of a block or an element of a composite literal cannot be deleted or followed", n)
}

// editList deletes target from list, or inserts e.After's node after it,
// and reports whether it found target and the new node fits the list.
func editList[T dst.Node](list *[]T, target dst.Node, e rules.Edit, stmts bool) bool {
	i := slices.IndexFunc(*list, func(n T) bool { return dst.Node(n) == target })
	if i < 0 {
		return false
	}
	if e.Delete {
		deleteAt(list, i, stmts)
		return true
	}
	n, ok := e.After().(T)
	if !ok {
		return false
	}
	d, cur := n.Decorations(), (*list)[i].Decorations()
	if stmts {
		d.Before = dst.NewLine
	} else {
		d.Before = cur.Before
		if i+1 == len(*list) {
			d.After, cur.After = cur.After, dst.None
		}
	}
	*list = slices.Insert(*list, i+1, n)
	return true
}

// deleteAt removes the i'th element of list. Its comments go to the
// element that follows, or, for the last one, to the element before.
func deleteAt[T dst.Node](list *[]T, i int, stmts bool) {
	d := (*list)[i].Decorations()
	switch {
	case i+1 < len(*list):
		next := (*list)[i+1].Decorations()
		next.Start = append(d.Start, next.Start...)
		if stmts && d.Before == dst.EmptyLine || !stmts && i == 0 {
			next.Before = d.Before
		}
	case i > 0 && stmts:
		prev := (*list)[i-1].Decorations()
		prev.End.Append("\n")
		for _, c := range append(d.Start.All(), d.End.All()...) {
			if c != "\n" {
				prev.End.Append(c)
			}
		}
	case i > 0:
		(*list)[i-1].Decorations().After = d.After
	}
	*list = slices.Delete(*list, i, i+1)
}
