package redigorule

import (
	"fmt"
	"go/ast"
	"go/constant"
	"strings"

	"github.com/migrate-tool/migrate/rules"
)

// CompatRaw reports the commands the switched pools cannot serve: the
// ones whose replies arrive without being asked for.
var CompatRaw = &rules.GoRule{
	Name: "redigo-compat-raw",
	Doc: "a Do or Send of MONITOR, CLIENT REPLY OFF|SKIP or CLIENT TRACKING is reported: go-redis cannot read a reply " +
		"nobody asked for, so with the switch on (REDIS_CLIENT unset) such a connection cannot work as before",
	Paths: paths,
	Run:   runRaw,
}

var doSend = rules.Members(paths, []string{"Conn"}, "Do", "Send")

// rawCommands are the commands after which the server sends replies that
// no command asked for.
var rawCommands = map[string]bool{"MONITOR": true, "CLIENT REPLY": true, "CLIENT TRACKING": true}

func runRaw(p *rules.Pass) error {
	cfg, err := parseConfig(p.Spec().Value)
	if err != nil {
		return err
	}
	for _, u := range p.UsesOf(doSend) {
		parents := p.Parents(u.Ident)
		if len(parents) < 2 {
			continue
		}
		call, ok := parents[1].(*ast.CallExpr)
		if !ok || call.Fun != parents[0] || len(call.Args) == 0 {
			continue
		}
		name := strings.ToUpper(constString(p, call.Args[0]))
		if len(call.Args) > 1 && name == "CLIENT" {
			name += " " + strings.ToUpper(constString(p, call.Args[1]))
		}
		if rawCommands[name] {
			p.Report(call.Pos(), fmt.Sprintf("%s is not supported on a %s conn (%s unset or go-redis): go-redis cannot read replies nobody asked for; "+
				"dial this connection with redis.Dial outside the pool, or keep %s=redigo", name, pkgName(cfg), cfg.env, cfg.env), true)
		}
	}
	return nil
}

// constString returns the value of a constant string expression, or "".
func constString(p *rules.Pass, e ast.Expr) string {
	if tv, ok := p.Info().Types[e]; ok && tv.Value != nil && tv.Value.Kind() == constant.String {
		return constant.StringVal(tv.Value)
	}
	return ""
}
