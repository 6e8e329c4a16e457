package rewrite

import (
	"go/build"
	"go/build/constraint"
	"math/bits"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// config is a build configuration: GOOS, GOARCH and extra build tags. The
// zero config is the current one.
type config struct {
	goos, goarch string
	tags         []string
	adhoc        bool // files loaded one by one, as "go run FILE" does
}

func (c config) String() string {
	if c.adhoc {
		return "single files"
	}
	if c.goos == "" && len(c.tags) == 0 {
		return "default"
	}
	s := c.goos + "/" + c.goarch
	if len(c.tags) > 0 {
		s += " -tags=" + strings.Join(c.tags, ",")
	}
	return s
}

func (c config) key() string { return c.String() }

// isDefault reports whether c is the current build configuration.
func (c config) isDefault() bool { return c.goos == "" && len(c.tags) == 0 && !c.adhoc }

func (c config) env(base []string) []string {
	env := slices.Clone(base)
	if env == nil {
		env = os.Environ()
	}
	if c.goos != "" {
		env = append(env, "GOOS="+c.goos, "GOARCH="+c.goarch, "CGO_ENABLED=0")
	}
	return env
}

func (c config) buildFlags() []string {
	if len(c.tags) == 0 {
		return nil
	}
	return []string{"-tags=" + strings.Join(c.tags, ",")}
}

// Operating systems and architectures tried, most common first.
var (
	knownOS   = []string{"linux", "darwin", "windows", "freebsd", "openbsd", "netbsd", "dragonfly", "solaris", "illumos", "aix", "plan9", "js", "wasip1", "android", "ios"}
	knownArch = []string{"amd64", "arm64", "386", "arm", "wasm", "ppc64le", "s390x", "riscv64", "mips64", "loong64"}
)

const maxTags = 6 // custom tags considered per file; 2^6 combinations

// configFor finds a build configuration that includes the file: the
// current GOOS/GOARCH first, then others, each with the smallest set of
// the file's own tags that satisfies its constraint. It returns false when
// none does (for example "//go:build ignore" with a contradictory
// expression).
func configFor(path string, adhoc bool) (config, bool) {
	if adhoc {
		// Loaded on its own, the file is included whatever its constraints.
		return config{adhoc: true}, true
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return config{}, false
	}
	tags := customTags(src)
	if len(tags) > maxTags {
		tags = tags[:maxTags]
	}
	for _, goos := range prefer(runtime.GOOS, knownOS) {
		for _, goarch := range prefer(runtime.GOARCH, knownArch) {
			for _, set := range subsets(tags) {
				if matches(path, goos, goarch, set) {
					c := config{tags: set}
					if goos != runtime.GOOS || goarch != runtime.GOARCH {
						c.goos, c.goarch = goos, goarch
					}
					return c, true
				}
			}
		}
	}
	return config{}, false
}

// matches asks go/build whether the file belongs to the configuration.
func matches(path, goos, goarch string, tags []string) bool {
	ctx := build.Default
	ctx.GOOS, ctx.GOARCH, ctx.BuildTags = goos, goarch, tags
	ctx.CgoEnabled = false
	ok, err := ctx.MatchFile(filepath.Dir(path), filepath.Base(path))
	return err == nil && ok
}

// customTags returns the tags of the file's //go:build line that are not
// operating systems, architectures or release tags.
func customTags(src []byte) []string {
	var tags []string
	for _, line := range strings.Split(string(src), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "package ") {
			break
		}
		if !constraint.IsGoBuild(line) && !constraint.IsPlusBuild(line) {
			continue
		}
		expr, err := constraint.Parse(line)
		if err != nil {
			continue
		}
		for _, tag := range exprTags(expr) {
			if !isKnownTag(tag) && !slices.Contains(tags, tag) {
				tags = append(tags, tag)
			}
		}
	}
	return tags
}

// exprTags lists the tags of a constraint expression, in order.
func exprTags(e constraint.Expr) []string {
	switch e := e.(type) {
	case *constraint.TagExpr:
		return []string{e.Tag}
	case *constraint.NotExpr:
		return exprTags(e.X)
	case *constraint.AndExpr:
		return append(exprTags(e.X), exprTags(e.Y)...)
	case *constraint.OrExpr:
		return append(exprTags(e.X), exprTags(e.Y)...)
	}
	return nil
}

func isKnownTag(tag string) bool {
	return slices.Contains(knownOS, tag) || slices.Contains(knownArch, tag) ||
		strings.HasPrefix(tag, "go1.") || tag == "unix" || tag == "gc" || tag == "gccgo" || tag == "cgo"
}

func prefer(first string, all []string) []string {
	out := []string{first}
	for _, s := range all {
		if s != first {
			out = append(out, s)
		}
	}
	return out
}

// subsets lists the subsets of tags, smallest first.
func subsets(tags []string) [][]string {
	var out [][]string
	for size := 0; size <= len(tags); size++ {
		for mask := 0; mask < 1<<len(tags); mask++ {
			if bits.OnesCount(uint(mask)) != size {
				continue
			}
			var set []string
			for i, t := range tags {
				if mask&(1<<i) != 0 {
					set = append(set, t)
				}
			}
			out = append(out, set)
		}
	}
	return out
}
