// Package rules is the model of a migration: rule sets, the rules in them,
// the YAML rule-file loader and validator, and the built-in catalog.
//
// A rule set is data: a YAML file that names the packages it touches and a
// list of rules, each one declarative operation (move an import path, rename
// a symbol, a method or a field, replace a call by a template, mark a symbol
// for manual follow-up, report the types implementing an old interface, the
// strings naming an old path, or a behaviour change once per file) or the
// name of a rule written in Go. Built-in rule
// sets are embedded files in the same format and go through the same loader.
//
// # Rules written in Go
//
// What the format cannot say is a [GoRule]: a value, like a go/analysis
// Analyzer, with a Name that rule files use ("go: NAME"), a Doc, the old
// import Paths whose users it looks at, the NewPaths its edits may import,
// the [Fact]s it Requires, and a Run function. The built-in rules are
// registered in one table (rules/builtin) and given to the loader by
// [Table]; [Validate] checks the table.
//
// Run receives a [Pass] for one file: the original syntax tree and type
// information (read-only, never to be modified), lookups (Parents, Uses,
// UsesOf with a [Matcher]), the facts it requires, computed once per
// package and shared by every rule and file, and Qualifier for the
// packages its replacement nodes name. It records sites: Rewrite(pos,
// edits...) for a site it changes, Report(pos, message, todo) for a site
// left for a person; a site may also name files the module needs
// (Site.Files), which the engine creates. It does not touch the tree,
// does not look for //migrate:ignore and does not count: the engine
// drops the sites that an ignore comment covers (listing them as
// ignored), counts each rewritten site once, lists each message as a
// finding, and adds the TODO comments.
//
// An [Edit] is data: the original node to replace and a New function that
// builds the replacement from the node's decorated (dst) form, or a new
// import path. Once every rule of every set ran on the file, the engine
// applies the edits innermost first: New receives its node with the edits
// inside it already made, and two edits of one node are composed in rule
// order. An edit that replaces a node without keeping another edit made
// inside it overlaps it: the run stops with an error naming both rules, a
// bug of the rule set, and nothing is written; so do two moves of one
// import to different paths. The engine then adds and removes imports
// (an import whose uses the edits all Unuse goes; a qualifier's package is
// imported under a name free where it is used) and prints the file.
//
// A complete rule, which turns bytes.Compare(a, b) == 0 into
// bytes.Equal(a, b) and bytes.Compare(a, b) != 0 into !bytes.Equal(a, b):
//
//	var BytesEqual = &rules.GoRule{
//		Name:          "bytes-equal",
//		Doc:           "bytes.Compare(a, b) == 0 becomes bytes.Equal(a, b), and != 0 !bytes.Equal(a, b)",
//		Paths:         []string{"bytes"},
//		ImportersOnly: true, // package bytes has no types that reach a non-importer
//		Run:           runBytesEqual,
//	}
//
//	var compare = rules.NewMatcher(rules.Ref{Paths: []string{"bytes"}, Pkg: "bytes", Name: "Compare"})
//
//	func runBytesEqual(p *rules.Pass) error {
//		for _, u := range p.UsesOf(compare) {
//			parents := p.Parents(u.Ident) // bytes.Compare, its call, what encloses the call
//			if len(parents) < 3 {
//				continue
//			}
//			call, _ := parents[1].(*ast.CallExpr)
//			cmp, _ := parents[2].(*ast.BinaryExpr)
//			if call == nil || call.Fun != parents[0] || cmp == nil || cmp.X != call ||
//				!isZero(cmp.Y) || cmp.Op != token.EQL && cmp.Op != token.NEQ {
//				continue
//			}
//			// Two edits, one inside the other: the outer keeps the inner's
//			// result (the call, with Compare renamed) as its X.
//			p.Rewrite(cmp.Pos(), rules.Rename(u.Ident, "Equal"), rules.Edit{Node: cmp, New: func(old dst.Node) dst.Node {
//				x := old.(*dst.BinaryExpr).X
//				if cmp.Op == token.NEQ {
//					return &dst.UnaryExpr{Op: token.NOT, X: x}
//				}
//				return x
//			}})
//		}
//		return nil
//	}
//
//	func isZero(e ast.Expr) bool {
//		lit, ok := e.(*ast.BasicLit)
//		return ok && lit.Value == "0"
//	}
//
// Registered in the table, it is used by a rule file entry:
//
//	rules:
//	  - id: bytes-equal
//	    go: bytes-equal
//
// The declarative operations of rule files compute their sites on a Pass
// in the same way, and the engine applies them through the same path.
// Rules of the older API implement [Rule] themselves and edit the
// decorated tree that a [File] exposes, asking File.Ignored and calling
// File.Rewrote at each site; the go-redis rules still do. Their
// File.Replace calls join the same list of edits and go through the same
// checks. The rewrite package implements File and is the engine.
package rules
