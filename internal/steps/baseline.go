package steps

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// baselineFlags returns the flags that make a go command see the module as
// it was before the step: an -overlay of each rewritten file's old
// content, and, if the step changed go.mod, a -modfile copy of the old
// go.mod and go.sum (read-only: the old modules are in the module cache,
// where loading the packages put them). The cleanup removes the copies.
func baselineFlags(s *StepReport) ([]string, func(), error) {
	overlay, cleanup, err := writeOverlay(s)
	if err != nil {
		return nil, nil, err
	}
	flags := []string{"-overlay=" + overlay}
	if s.modBefore == nil {
		return flags, cleanup, nil
	}
	mod := filepath.Join(filepath.Dir(overlay), "before.mod")
	err = os.WriteFile(mod, s.modBefore, 0o600)
	if err == nil && s.sumBefore != nil {
		err = os.WriteFile(strings.TrimSuffix(mod, ".mod")+".sum", s.sumBefore, 0o600)
	}
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return append(flags, "-modfile="+mod, "-mod=readonly"), cleanup, nil
}

// writeOverlay writes a go build -overlay file that maps each file of the
// step to its content before the rewrite.
func writeOverlay(s *StepReport) (string, func(), error) {
	dir, err := os.MkdirTemp("", "migrate-overlay-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	replace := map[string]string{}
	for i, f := range s.changes {
		old := filepath.Join(dir, strconv.Itoa(i)+"-"+filepath.Base(f.Path))
		if err := os.WriteFile(old, f.Old, 0o600); err != nil {
			cleanup()
			return "", nil, err
		}
		replace[f.Path] = old
	}
	data, err := json.Marshal(map[string]any{"Replace": replace})
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "overlay.json"), data, 0o600)
	}
	if err != nil {
		cleanup()
		return "", nil, err
	}
	return filepath.Join(dir, "overlay.json"), cleanup, nil
}

var (
	posRE      = regexp.MustCompile(`^(\S+\.go):\d+(:\d+)?: `)
	durationRE = regexp.MustCompile(`\s*\(?\d+(\.\d+)?s\)?$`)
)

// failureKeys reduces a failing command's output to what identifies its
// failures: compiler and vet messages without line numbers (a rewrite moves
// lines), failing tests and packages without timings.
func failureKeys(out []byte) map[string]bool {
	keys := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case posRE.MatchString(line):
			keys[posRE.ReplaceAllString(line, "$1: ")] = true
		case strings.HasPrefix(line, "--- FAIL:"), strings.HasPrefix(line, "FAIL\t"), strings.HasPrefix(line, "panic: "):
			keys[durationRE.ReplaceAllString(line, "")] = true
		}
	}
	return keys
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
