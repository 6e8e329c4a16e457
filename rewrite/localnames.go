package rewrite

import (
	"regexp"
	"slices"

	"github.com/migrate-tool/migrate/rules"
)

// localNames returns, for the packages of set that the file imports under
// a name of its own (goredis "github.com/go-redis/redis/v8"), the
// package's name mapped to that name: a message that says redis.Z means
// goredis.Z in this file. A name imported under two local names is left
// out: which one a message means is not known.
func localNames(tf *typedFile, set *rules.Set) map[string]string {
	paths := set.Paths()
	for _, p := range set.Packages {
		paths = append(paths, p...)
	}
	out := map[string]string{}
	ambiguous := map[string]bool{}
	for _, spec := range tf.syntax.Imports {
		pn := tf.unit.Info.PkgNameOf(spec)
		if pn == nil || spec.Name == nil || !rules.MatchPath(pn.Imported().Path(), paths) && !slices.Contains(paths, pn.Imported().Path()) {
			continue
		}
		name, local := pn.Imported().Name(), spec.Name.Name
		if local == name || local == "_" || local == "." {
			continue
		}
		if prev, ok := out[name]; ok && prev != local {
			ambiguous[name] = true
		}
		out[name] = local
	}
	for name := range ambiguous {
		delete(out, name)
	}
	return out
}

// qualifiedRE matches a qualified identifier: a name, a dot, a name; not
// within an import path (after '/', '.' or '-').
var qualifiedRE = regexp.MustCompile(`(^|[^A-Za-z0-9_./-])([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_])`)

// localize writes the qualified identifiers of message with the file's
// names of the packages (aliases).
func (f *fileCtx) localize(message string) string {
	if len(f.aliases) == 0 {
		return message
	}
	return qualifiedRE.ReplaceAllStringFunc(message, func(m string) string {
		sub := qualifiedRE.FindStringSubmatch(m)
		if local, ok := f.aliases[sub[2]]; ok {
			return sub[1] + local + "." + sub[3]
		}
		return m
	})
}
