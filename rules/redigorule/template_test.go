package redigorule

import (
	"go/format"
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct{ value, dir, env, err string }{
		{"", "internal/rediscompat", "REDIS_CLIENT", ""},
		{"dir=pkg/redisx env=MY_REDIS", "pkg/redisx", "MY_REDIS", ""},
		{"env=X", "internal/rediscompat", "X", ""},
		{"dir=../out", "", "", "not a directory inside the module"},
		{"dir=pkg/redis-x", "", "", "Go package name"},
		{"env=1X", "", "", "not an environment variable name"},
		{"path=x", "", "", "unknown key"},
		{"dir", "", "", "not key=value"},
	} {
		c, err := parseConfig(tc.value)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseConfig(%q) error = %v, want %q", tc.value, err, tc.err)
			}
		case err != nil || c.dir != tc.dir || c.env != tc.env:
			t.Errorf("parseConfig(%q) = %+v, %v; want dir %s env %s", tc.value, c, err, tc.dir, tc.env)
		}
	}
}

// TestFiles checks the substitutions of the template: import path,
// package name and variable, and that the files stay gofmt-clean.
func TestFiles(t *testing.T) {
	c := config{dir: "pkg/redisx", env: "MY_REDIS"}
	files := c.files(garyburd)
	if len(files) != len(templateFiles) {
		t.Fatalf("%d files, want %d", len(files), len(templateFiles))
	}
	for _, f := range files {
		src := string(f.Data)
		if !strings.HasPrefix(f.Path, "pkg/redisx/") || !strings.Contains(src, "package redisx\n") ||
			strings.Contains(src, gomodule) || strings.Contains(src, "REDIS_CLIENT") || strings.Contains(src, "rediscompat ") {
			t.Errorf("%s: substitutions missing:\n%s", f.Path, src)
		}
		if out, err := format.Source(f.Data); err != nil || string(out) != src {
			t.Errorf("%s: not gofmt-clean (%v)", f.Path, err)
		}
	}
}
