// Package redigorule holds the rules of the redigo-compat rule set written
// in Go: the switch put into each redis.Pool's dial function, and the
// package, rediscompat (the template in the directory of that name), that
// the switch hands connections out of.
package redigorule

import (
	"bytes"
	"embed"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/migrate-tool/migrate/rules"
)

const (
	gomodule = "github.com/gomodule/redigo/redis"
	garyburd = "github.com/garyburd/redigo/redis"
)

// paths are redigo's import paths, the current one and the older one with
// the same API.
var paths = []string{gomodule, garyburd}

// The package added to the module: every non-test file of rediscompat/.
//
//go:embed rediscompat/doc.go rediscompat/dial.go rediscompat/conn.go rediscompat/reply.go rediscompat/pubsub.go
var template embed.FS

var templateFiles = []string{"doc.go", "dial.go", "conn.go", "reply.go", "pubsub.go"}

// config is what a rule file's "value:" sets: the directory of the added
// package (relative to the module root; its last element names the
// package) and the environment variable of the switch.
type config struct {
	dir, env string
}

var (
	identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	dirRE   = regexp.MustCompile(`^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$`)
)

// parseConfig reads "dir=internal/rediscompat env=REDIS_CLIENT" (both
// optional).
func parseConfig(value string) (config, error) {
	c := config{dir: "internal/rediscompat", env: "REDIS_CLIENT"}
	for _, f := range strings.Fields(value) {
		k, v, ok := strings.Cut(f, "=")
		switch {
		case !ok:
			return c, fmt.Errorf("value: %q is not key=value (keys: dir, env)", f)
		case k == "dir":
			c.dir = v
		case k == "env":
			c.env = v
		default:
			return c, fmt.Errorf("value: unknown key %q (keys: dir, env)", k)
		}
	}
	if !dirRE.MatchString(c.dir) || path.Clean(c.dir) != c.dir || strings.HasPrefix(c.dir, "..") || !identRE.MatchString(path.Base(c.dir)) {
		return c, fmt.Errorf("value: dir=%s is not a directory inside the module whose last element is a Go package name (default internal/rediscompat)", c.dir)
	}
	if !identRE.MatchString(c.env) {
		return c, fmt.Errorf("value: env=%s is not an environment variable name (default REDIS_CLIENT)", c.env)
	}
	return c, nil
}

// files returns the package to add for code importing redigo at oldPath.
func (c config) files(oldPath string) []rules.NewFile {
	name := path.Base(c.dir)
	var out []rules.NewFile
	for _, f := range templateFiles {
		src, err := template.ReadFile("rediscompat/" + f)
		if err != nil {
			panic(err) // embedded: cannot fail
		}
		src = bytes.ReplaceAll(src, []byte(`"`+gomodule+`"`), []byte(`"`+oldPath+`"`))
		src = bytes.ReplaceAll(src, []byte("package rediscompat"), []byte("package "+name))
		src = bytes.ReplaceAll(src, []byte("Package rediscompat "), []byte("Package "+name+" "))
		src = bytes.ReplaceAll(src, []byte("REDIS_CLIENT"), []byte(c.env))
		out = append(out, rules.NewFile{Path: c.dir + "/" + f, Data: src})
	}
	return out
}

// importPath is the import path of the added package in module mod.
func (c config) importPath(mod string) string { return mod + "/" + c.dir }
