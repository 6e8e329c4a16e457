package steps

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/migrate-tool/migrate/internal/gocmd"
	"github.com/migrate-tool/migrate/rules"
)

// baselineFlags returns the flags that make a go command see the module at
// root as it was before the step: an -overlay of each rewritten file's
// old content, and, if the step changed go.mod, of the old go.mod and
// go.sum too, with -mod=readonly (the old modules are in the module cache,
// where loading the packages put them). An overlay, unlike -modfile, works
// in workspace mode too. The cleanup removes the copies.
func baselineFlags(root string, s *StepReport) ([]string, func(), error) {
	old := map[string][]byte{}
	for _, f := range s.changes {
		old[f.Path] = f.Old
	}
	if s.modBefore != nil {
		old[filepath.Join(root, "go.mod")] = s.modBefore
		old[filepath.Join(root, "go.sum")] = s.sumBefore // nil: no go.sum
	}
	overlay, cleanup, err := gocmd.WriteOverlay(old)
	if err != nil {
		return nil, nil, err
	}
	flags := []string{"-overlay=" + overlay}
	if s.modBefore != nil {
		flags = append(flags, "-mod=readonly")
	}
	return flags, cleanup, nil
}

var (
	posRE      = regexp.MustCompile(`^(\S+\.go):\d+(:\d+)?: `)
	durationRE = regexp.MustCompile(`\s*\(?\d+(\.\d+)?s\)?$`)
	// overlayCopyRE is the prefix gocmd.WriteOverlay gives its copies.
	overlayCopyRE = regexp.MustCompile(`^\d+-`)
)

// failureKeys reduces a failing command's output to what identifies its
// failures: compiler and vet messages without line numbers (a rewrite moves
// lines) and with the import paths the rule sets move made one (a message
// naming a moved type names its new path after the rewrite), failing tests
// and packages without timings.
func failureKeys(out []byte, paths *strings.Replacer) map[string]bool {
	keys := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		line = paths.Replace(strings.TrimSpace(line))
		switch {
		case posRE.MatchString(line):
			// The file by its base name: a message about a rewritten file
			// names, in the baseline, the copy of its old content in the
			// overlay ("N-name.go").
			file := posRE.FindStringSubmatch(line)[1]
			base := overlayCopyRE.ReplaceAllString(filepath.Base(file), "")
			if !strings.Contains(file, "migrate-overlay-") {
				base = filepath.Base(file)
			}
			keys[base+": "+posRE.ReplaceAllString(line, "")] = true
		case strings.HasPrefix(line, "--- FAIL:"), strings.HasPrefix(line, "FAIL\t"), strings.HasPrefix(line, "panic: "):
			keys[durationRE.ReplaceAllString(line, "")] = true
		}
	}
	if len(keys) == 0 {
		// No message with a position, no failing test: an error of the
		// go command itself ("import cycle not allowed in test"), which
		// is then identified by all its lines.
		for _, line := range strings.Split(string(out), "\n") {
			if line = paths.Replace(strings.TrimSpace(line)); line != "" && !strings.HasPrefix(line, "# ") {
				keys[line] = true
			}
		}
	}
	return keys
}

// movedPaths returns the replacer that writes every import path the sets
// move from, and every module they move to, the same way, longest first.
func movedPaths(sets []*rules.Set) *strings.Replacer {
	var paths []string
	for _, s := range sets {
		paths = append(paths, s.Paths()...)
		for m := range s.Modules.Add {
			paths = append(paths, m)
		}
	}
	slices.SortFunc(paths, func(a, b string) int { return len(b) - len(a) })
	var pairs []string
	for _, p := range slices.Compact(paths) {
		pairs = append(pairs, p, "<moved>")
	}
	return strings.NewReplacer(pairs...)
}

// preexisting reports whether every failure after the rewrite was there
// before it.
func preexisting(after, before map[string]bool) bool {
	if len(after) == 0 {
		return false
	}
	for k := range after {
		if !before[k] {
			return false
		}
	}
	return true
}
