package gocmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
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
