package goredis

import (
	_ "embed"
	"strings"
)

//go:embed ctxmethods.txt
var ctxMethodsText string

// parseContextList reads ctxmethods.txt into a set of "Type.Method" and
// "Func" keys.
func parseContextList(text string) map[string]bool {
	set := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "func":
			set[f[1]] = true
		case len(f) > 2 && f[0] == "method":
			for _, owner := range f[2:] {
				set[owner+"."+f[1]] = true
			}
		}
	}
	return set
}
