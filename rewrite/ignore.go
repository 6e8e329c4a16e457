package rewrite

import (
	"go/ast"
	"go/token"
	"strings"
)

// ignoreDirective is a "//migrate:ignore SET reason" comment: the sites of
// rule set SET (or of every set, for "all") on its line and the next are
// left alone and listed as ignored.
type ignoreDirective struct {
	set, reason string
}

const ignorePrefix = "//migrate:ignore"

// ignoreDirectives finds the file's opt-out comments, by line.
func ignoreDirectives(fset *token.FileSet, f *ast.File) map[int]ignoreDirective {
	m := map[int]ignoreDirective{}
	for _, g := range f.Comments {
		for _, c := range g.List {
			rest, ok := strings.CutPrefix(c.Text, ignorePrefix)
			if !ok || rest != "" && rest[0] != ' ' {
				continue
			}
			set, reason, _ := strings.Cut(strings.TrimSpace(rest), " ")
			if reason = strings.TrimSpace(reason); reason == "" {
				reason = "no reason given"
			}
			m[fset.Position(c.Pos()).Line] = ignoreDirective{set: set, reason: reason}
		}
	}
	return m
}
