package rewrite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

// Module is the Go module a run works in.
type Module struct {
	// Root is the absolute directory holding go.mod.
	Root string
	// Path is the module path.
	Path string
	// GoVersion is the go directive ("1.21"), or "" when absent.
	GoVersion string
	gomod     []byte // go.mod as FindModule read it
	// together are the other modules the same run migrates
	// (Options.Together).
	together []string
}

// FindModule returns the module that contains dir.
func FindModule(dir string) (*Module, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("directory %s does not exist", dir)
	}
	for d := abs; ; d = filepath.Dir(d) {
		gomod := filepath.Join(d, "go.mod")
		if data, err := os.ReadFile(gomod); err == nil {
			return parseModule(d, gomod, data)
		}
		if filepath.Dir(d) == d {
			return nil, fmt.Errorf("no go.mod in %s or any parent: run migrate inside a Go module, or pass -C DIR", abs)
		}
	}
}

func parseModule(root, gomod string, data []byte) (*Module, error) {
	f, err := modfile.ParseLax(gomod, data, nil)
	if err != nil {
		return nil, fmt.Errorf("parse %s", err)
	}
	if f.Module == nil {
		return nil, fmt.Errorf("%s: no module directive", gomod)
	}
	m := &Module{Root: root, Path: f.Module.Mod.Path, gomod: data}
	if f.Go != nil {
		m.GoVersion = f.Go.Version
	}
	return m, nil
}

// goAtLeast reports whether the module's go directive is at least v.
// A module without a go directive is treated as go 1.16, the version the
// go command assumes for such modules in module mode.
func (m *Module) goAtLeast(v string) bool {
	have := m.GoVersion
	if have == "" {
		have = "1.16"
	}
	return semver.Compare("v"+have, "v"+v) >= 0
}

// rel returns path relative to the module root, with forward slashes; or
// path itself when the module has no root.
func (m *Module) rel(path string) string {
	if m.Root == "" {
		// RewritePackage: positions keep the caller's file names.
		return path
	}
	r, err := filepath.Rel(m.Root, path)
	if err != nil {
		return path
	}
	return filepath.ToSlash(r)
}

// readIfExists returns the file's content, or nil if it does not exist.
func readIfExists(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read %w", err)
	case data == nil:
		data = []byte{}
	}
	return data, nil
}
