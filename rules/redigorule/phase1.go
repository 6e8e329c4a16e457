package redigorule

import (
	"strings"

	"github.com/migrate-tool/migrate/rules"
)

// compatPackage is a fact: whether the package is the one redigo-compat
// (phase 1) added, which implements redigo's Conn and stays on redigo
// until it is deleted after phase 2: the phase 2 rules leave it alone.
var compatPackage = &rules.Fact{
	Name:    "redigo-compat-package",
	Doc:     "whether the package is the compatibility layer that the redigo-compat rule set added (its package doc says so)",
	Compute: computeCompatPackage,
}

// compatMark is what the added package's doc says (rediscompat/doc.go).
const compatMark = "added by migrate's redigo-compat rule set"

func computeCompatPackage(pkg *rules.Package) (any, error) {
	for _, f := range pkg.Syntax {
		if f.Doc != nil && strings.Contains(f.Doc.Text(), compatMark) {
			return true, nil
		}
	}
	return false, nil
}

// inCompat reports whether the pass's file belongs to the phase 1 package.
func inCompat(p *rules.Pass) bool { return p.Fact(compatPackage).(bool) }

// Import moves both redigo paths to go-redis v9, outside the phase 1
// package.
var Import = &rules.GoRule{
	Name: "redigo-import",
	Doc: "both redigo import paths move to github.com/redis/go-redis/v9, also package redis, except in the package " +
		"redigo-compat added (phase 1), which stays on redigo until it is deleted",
	Paths:         paths,
	ImportersOnly: true,
	Requires:      []*rules.Fact{compatPackage},
	Run:           runImport,
}

func runImport(p *rules.Pass) error {
	if inCompat(p) {
		return nil
	}
	for _, spec := range p.AST().Imports {
		if rules.MatchPath(spec.Path.Value[1:len(spec.Path.Value)-1], paths) {
			p.Rewrite(spec.Pos(), rules.SetImportPath(spec, goredisPath, ""))
		}
	}
	return nil
}

// ErrNil renames redis.ErrNil to redis.Nil.
var ErrNil = &rules.GoRule{
	Name: "redigo-err-nil",
	Doc: "redis.ErrNil becomes redis.Nil: ==, != and errors.Is keep their meaning, as go-redis returns the constant " +
		"redis.Nil from the command where redigo's helpers returned ErrNil",
	Paths:         paths,
	ImportersOnly: true,
	Requires:      []*rules.Fact{compatPackage},
	Run:           runErrNil,
}

var errNilM = rules.Funcs(paths, "ErrNil")

func runErrNil(p *rules.Pass) error {
	if inCompat(p) {
		return nil
	}
	for _, u := range p.UsesOf(errNilM) {
		p.Rewrite(u.Ident.Pos(), rules.Rename(u.Ident, "Nil"))
	}
	return nil
}
