package goredis

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/types/typeutil"

	"github.com/migrate-tool/migrate/rules"
)

// OldStrings reports string literals that name old go-redis code, such as
// "github.com/go-redis/redis/v8/internal/pool.(*ConnPool).reaper" given to
// goleak.IgnoreTopFunction: the import moved, but what such a string
// should say in v9 is not a rename (v9 has no reaper; each client runs
// another goroutine until Close), so it is left to a person.
var OldStrings = rule("old-strings", "string literals that name old go-redis code are reported", v678, runOldStrings)

func runOldStrings(f *rules.Pass) error {
	ast.Inspect(f.AST(), func(n ast.Node) bool {
		if _, ok := n.(*ast.ImportSpec); ok {
			return false
		}
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return true
		}
		if v := namedVersion(s); v != 0 {
			f.Report(lit.Pos(), oldStringMessage(f, lit, s, v), true)
		}
		return true
	})
	return nil
}

// namedVersion returns the version of the old go-redis whose import path s
// contains, or 0.
func namedVersion(s string) int {
	i := strings.Index(s, pathV6)
	if i < 0 {
		return 0
	}
	switch rest := s[i+len(pathV6):]; {
	case strings.HasPrefix(rest, "/v7"):
		return 7
	case strings.HasPrefix(rest, "/v8"):
		return 8
	}
	return 6
}

func oldStringMessage(f rules.View, lit *ast.BasicLit, s string, v int) string {
	if strings.Contains(s, "reaper") || inGoleakCall(f, lit) {
		return fmt.Sprintf("this string names a go-redis v%d goroutine (%s), as goleak filters do: v9 has no reaper, and each v9 client runs a goroutine until Close (%s/maintnotifications.(*CircuitBreakerManager).cleanupLoop, while RESP3 and MaintNotificationsConfig are on); close the clients the test creates, or filter that function", v, s, pathV9)
	}
	return fmt.Sprintf("this string names go-redis v%d code (%s): v9 lives at %s; update it if it refers to the client (stack or log matchers, messages)", v, s, pathV9)
}

// inGoleakCall reports whether lit is an argument of a goleak function.
func inGoleakCall(f rules.View, lit *ast.BasicLit) bool {
	for _, p := range f.Parents(lit) {
		call, ok := p.(*ast.CallExpr)
		if !ok {
			continue
		}
		if fn, ok := typeutil.Callee(f.Info(), call).(*types.Func); ok && fn.Pkg() != nil && strings.HasSuffix(fn.Pkg().Path(), "goleak") {
			return true
		}
	}
	return false
}
