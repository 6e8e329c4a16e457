package rewrite

import (
	"fmt"
	"go/token"
	"strings"

	"golang.org/x/tools/go/packages"
)

// brokenPackage is a package (or a test variant) that did not type-check
// as it was, so none of its files is rewritten.
type brokenPackage struct {
	name  string // import path, and which build when not the plain one
	first string // its first error, "file:line:col: message"
	// cands are the candidates it holds.
	cands []*candidate
	// files are all its files in the module (absolute paths): an error
	// in one after the rewrite is in a package already listed.
	files []string
}

// newBrokenPackage lists p, which does not type-check, with the
// candidates it holds and first, its first error.
func newBrokenPackage(p *packages.Package, mod *Module, cfg config, first string, files []*typedFile) *brokenPackage {
	b := &brokenPackage{name: p.PkgPath, first: first}
	if strings.Contains(p.ID, " [") && !strings.HasSuffix(p.PkgPath, "_test") {
		b.name += " (test build)"
	}
	if !cfg.isDefault() {
		b.name += " in the " + cfg.String() + " build"
	}
	for _, tf := range files {
		b.cands = append(b.cands, tf.candidate)
	}
	test := strings.Contains(p.ID, " [")
	for _, f := range p.CompiledGoFiles {
		// A test variant's other files are those of the plain package,
		// which may have been rewritten: the check still covers them.
		if inScope(mod, f) && (!test || strings.HasSuffix(f, "_test.go")) {
			b.files = append(b.files, f)
		}
	}
	return b
}

// reportBroken lists the files of a package that does not type-check as
// not migrated: each one that imports an old path, or the package once
// when it reaches the old API only through other packages. Type errors in
// its files after the rewrite are then at a reported site.
func (r *runner) reportBroken(b *brokenPackage) {
	msg := fmt.Sprintf("package %s does not type-check (%s)", b.name, b.first)
	var at token.Position
	for _, c := range b.cands {
		if !c.indirect {
			r.fileFinding(c.path, Broken, "not migrated: "+msg+": fix it, then run migrate again")
			at = token.Position{Filename: r.mod.rel(c.path)}
		}
	}
	if at.Filename == "" {
		r.fileFinding(b.cands[0].path, Broken, msg+", so migrate could not tell whether it uses the old API through other packages: fix it, then run migrate again")
		at = token.Position{Filename: r.mod.rel(b.cands[0].path)}
	}
	for _, f := range b.files {
		r.brokenFiles[r.mod.rel(f)] = at
	}
}
