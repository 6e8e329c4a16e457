package gocmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// WriteOverlay writes a go build -overlay file, in a new temporary
// directory, that maps each path to its content (nil: the go command reads
// it as deleted), and returns its path and a function that removes it.
func WriteOverlay(files map[string][]byte) (string, func(), error) {
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

// unOverlay names the user's files in the go command's output: the
// replacement files of the overlay that flags give (-overlay=FILE), which
// the compiler and vet name ("../migrate-overlay-1/4-queue.go:242:14"),
// become the files they stand for, relative to dir where they are in it.
// Messages then point where the user looks, and a failure before and after
// a rewrite reads the same.
func unOverlay(out []byte, flags []string, dir string) []byte {
	var file string
	for _, f := range flags {
		if v, ok := strings.CutPrefix(f, "-overlay="); ok {
			file = v
		}
	}
	data, err := os.ReadFile(file)
	if file == "" || err != nil {
		return out
	}
	var o struct{ Replace map[string]string }
	if json.Unmarshal(data, &o) != nil {
		return out
	}
	var pairs []string
	for orig, tmp := range o.Replace {
		if tmp == "" {
			continue
		}
		name := orig
		if rel, err := filepath.Rel(dir, orig); err == nil && !strings.HasPrefix(rel, "..") {
			name = rel
		}
		pairs = append(pairs, tmp, name)
		if rel, err := filepath.Rel(dir, tmp); err == nil {
			pairs = append(pairs, rel, name)
		}
		// go test prints a test's file by its base name.
		pairs = append(pairs, filepath.Base(tmp), filepath.Base(orig))
	}
	return []byte(strings.NewReplacer(pairs...).Replace(string(out)))
}
