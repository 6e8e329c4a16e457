package redigorule

import (
	"go/ast"
	"go/types"
	"strings"

	"github.com/migrate-tool/migrate/rules"
)

var (
	redigomockPaths = []string{"github.com/rafaeljusto/redigomock", "github.com/rafaeljusto/redigomock/v2", "github.com/rafaeljusto/redigomock/v3"}
	miniredisPaths  = []string{"github.com/alicebob/miniredis", "github.com/alicebob/miniredis/v2"}
)

// TestHelpers reports the test doubles made for redigo.
var TestHelpers = &rules.GoRule{
	Name: "redigo-test-helpers",
	Doc: "redigomock fakes redigo's redis.Conn, which go-redis does not take: its import is reported with the " +
		"redismock (github.com/go-redis/redismock/v9) equivalents, and each statement using it with a TODO; a file of a " +
		"package that uses redigo and imports miniredis is told that miniredis serves go-redis unchanged",
	Paths:    append(append([]string{}, redigomockPaths...), miniredisPaths...),
	Requires: []*rules.Fact{compatPackage},
	Run:      runTestHelpers,
}

const redigomockAdvice = "redigomock fakes redigo's redis.Conn, which go-redis does not take: use github.com/go-redis/redismock/v9 " +
	"(db, mock := redismock.NewClientMock() gives a *redis.Client; conn.Command(\"GET\", \"k\").Expect(\"v\") becomes " +
	"mock.ExpectGet(\"k\").SetVal(\"v\"), ExpectError(e) SetErr(e), Expect(nil) RedisNil(), ExpectMap(m) " +
	"mock.ExpectHGetAll(k).SetVal(m), GenericCommand mock.Regexp() or mock.CustomMatch, Script mock.ExpectEvalSha; " +
	"ExpectationsWereMet stays), or miniredis or a real server where the test needs Handle, Stats or pub/sub"

func runTestHelpers(p *rules.Pass) error {
	if inCompat(p) {
		return nil // phase 1\'s package stays on redigo until it is deleted
	}
	for _, imp := range p.AST().Imports {
		path := strings.Trim(imp.Path.Value, "\"`")
		switch {
		case rules.MatchPath(path, redigomockPaths):
			p.Report(imp.Pos(), redigomockAdvice, true)
		case rules.MatchPath(path, miniredisPaths) && importsRedigo(p.Pkg()):
			p.Report(imp.Pos(), "miniredis serves go-redis unchanged: point the client at it with "+
				"redis.NewClient(&redis.Options{Addr: mr.Addr()}); a missing key is redis.Nil there too", false)
		}
	}
	reportRedigomockUses(p)
	return nil
}

// importsRedigo reports whether pkg imports redigo.
func importsRedigo(pkg *types.Package) bool {
	for _, imp := range pkg.Imports() {
		if rules.MatchPath(imp.Path(), paths) {
			return true
		}
	}
	return false
}

// reportRedigomockUses reports each statement (or declaration) that uses
// redigomock: a fake redigo connection does not build against go-redis.
func reportRedigomockUses(p *rules.Pass) {
	done := map[ast.Node]bool{}
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || !fromRedigomock(p.Info().Uses[id]) {
			return true
		}
		site := stmtOf(p, id)
		if site != nil && !done[site] {
			done[site] = true
			p.Report(id.Pos(), "redigomock is used here: rewrite this with redismock's expectations (see the import)", true)
		}
		return true
	})
}

// fromRedigomock reports whether obj is redigomock's, or a variable of one
// of its types.
func fromRedigomock(obj types.Object) bool {
	if obj == nil {
		return false
	}
	if _, isPkg := obj.(*types.PkgName); isPkg {
		return false // the import, reported on its own
	}
	if obj.Pkg() != nil && rules.MatchPath(obj.Pkg().Path(), redigomockPaths) {
		return true
	}
	if v, ok := obj.(*types.Var); ok {
		t := v.Type()
		if ptr, ok := t.(*types.Pointer); ok {
			t = ptr.Elem()
		}
		if n, ok := t.(*types.Named); ok && n.Obj().Pkg() != nil {
			return rules.MatchPath(n.Obj().Pkg().Path(), redigomockPaths)
		}
	}
	return false
}

// stmtOf returns the innermost statement in a list, or the declaration,
// around id.
func stmtOf(p *rules.Pass, id *ast.Ident) ast.Node {
	parents := p.Parents(id)
	for i, n := range parents {
		if _, ok := n.(ast.Stmt); ok && i+1 < len(parents) && rules.IsStmtList(parents[i+1]) {
			return n
		}
		if d, ok := n.(ast.Decl); ok {
			return d
		}
	}
	return nil
}
