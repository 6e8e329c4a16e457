package steps

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
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
	overlay, cleanup, err := writeOverlay(old)
	if err != nil {
		return nil, nil, err
	}
	flags := []string{"-overlay=" + overlay}
	if s.modBefore != nil {
		flags = append(flags, "-mod=readonly")
	}
	return flags, cleanup, nil
}

// writeOverlay writes a go build -overlay file that maps each path to its
// content; a nil content maps it to no file.
func writeOverlay(files map[string][]byte) (string, func(), error) {
	dir, err := os.MkdirTemp("", "migrate-overlay-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	replace := map[string]string{}
	i := 0
	for path, data := range files {
		if data == nil {
			replace[path] = "" // the go command reads it as deleted
			continue
		}
		i++
		name := filepath.Join(dir, strconv.Itoa(i)+"-"+filepath.Base(path))
		if err := os.WriteFile(name, data, 0o600); err != nil {
			cleanup()
			return "", nil, err
		}
		replace[path] = name
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
