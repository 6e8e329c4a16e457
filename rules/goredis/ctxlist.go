package goredis

import (
	_ "embed"
	"go/types"
	"strings"

	"github.com/migrate-tool/migrate/rules"
)

//go:embed ctxmethods.txt
var ctxMethodsText string

// commands matches the v6 and v7 functions and methods whose v8
// counterparts take a context.Context first: those of ctxmethods.txt, under
// their v6 and v7 names, but for notInserted.
var commands = contextCommands(ctxMethodsText)

// v8Names maps the v6 and v7 names that v8 changed to the v8 names, under
// which the list knows them (the rule renames does the renaming).
var v8Names = map[string]string{
	"FlushDb":             "FlushDB",
	"DbSize":              "DBSize",
	"GeoRadiusRO":         "GeoRadius",
	"GeoRadiusByMemberRO": "GeoRadiusByMember",
	"ForEachNode":         "ForEachShard",
}

// notInserted are the listed methods whose calls get no context here:
// v9's Conn takes none again, WithContext goes away (rule with-context),
// ChannelWithSubscriptions takes options (rule channel-size), and
// NewScanCmd's process argument changed type (rule removed reports it).
var notInserted = map[string]bool{"Conn": true, "WithContext": true, "ChannelWithSubscriptions": true, "NewScanCmd": true}

// contextCommands reads ctxmethods.txt ("func NAME", "method NAME
// TYPE...") into a Matcher of the v6 and v7 symbols.
func contextCommands(text string) *rules.Matcher {
	oldNames := map[string][]string{}
	for old, v8 := range v8Names {
		oldNames[v8] = append(oldNames[v8], old)
	}
	var out []*rules.Matcher
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "func" && f[0] != "method" || notInserted[f[1]] {
			continue
		}
		for _, name := range append([]string{f[1]}, oldNames[f[1]]...) {
			if f[0] == "func" {
				out = append(out, rules.Funcs(v67, name))
			} else {
				out = append(out, rules.Members(v67, f[2:], name))
			}
		}
	}
	return rules.Or(out...)
}

// gains reports whether a call of fn needs a context argument in v9: a v6
// or v7 command that does not take one already (DoContext, hooks).
func gains(fn *types.Func) bool {
	_, ok := commands.Match(fn)
	return ok && !takesContext(fn)
}

func takesContext(fn *types.Func) bool {
	sig := fn.Type().(*types.Signature)
	return sig.Params().Len() > 0 && rules.IsContext(sig.Params().At(0).Type())
}
