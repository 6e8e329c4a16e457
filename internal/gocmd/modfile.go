package gocmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

// ModChange is what UpdateModules computed: the new go.mod and go.sum
// contents, and what they differ in.
type ModChange struct {
	Mod, Sum []byte
	// SumExisted tells whether go.sum was there before.
	SumExisted bool
	// Added are the "path@version" requirements added or raised.
	Added []string
	// Removed are the module paths no longer required.
	Removed []string
}

// Required is go.mod and go.sum once the modules a run adds are required
// (go get on a -modfile copy), before go mod tidy: what the rewritten code
// builds against before it is written (tidy reads the code on disk, so it
// runs only after the write). Base and BaseSum are the go.mod and go.sum
// it started from (BaseSum nil: no go.sum).
type Required struct {
	Base, BaseSum []byte
	Mod, Sum      []byte
}

// Require requires each module of add at least at its version in copies of
// oldMod and oldSum (go get -modfile; the module's own files are never
// touched) and returns the copies. It returns nil when oldMod already
// requires every module of add at its version or later.
func (r *Runner) Require(ctx context.Context, oldMod, oldSum []byte, add map[string]string) (*Required, error) {
	gets, err := needed(oldMod, add)
	if err != nil || len(gets) == 0 {
		return nil, err
	}
	modPath, done, err := modCopy(oldMod, oldSum)
	if err != nil {
		return nil, err
	}
	defer done()
	if res := r.run(ctx, ModFile, append([]string{"get", "-modfile=" + modPath}, gets...)...); res.Err != nil {
		return nil, r.modFileError(res)
	}
	mod, sum, err := readModFiles(modPath)
	if err != nil {
		return nil, err
	}
	return &Required{Base: oldMod, BaseSum: oldSum, Mod: mod, Sum: sum}, nil
}

// write writes the copies as go.mod and go.sum (if any) in dir, and
// returns the go.mod path, for -modfile.
func (q *Required) write(dir string) (string, error) {
	modPath := filepath.Join(dir, "go.mod")
	if err := os.WriteFile(modPath, q.Mod, 0o644); err != nil {
		return "", err
	}
	if q.Sum != nil {
		if err := os.WriteFile(filepath.Join(dir, "go.sum"), q.Sum, 0o644); err != nil {
			return "", err
		}
	}
	return modPath, nil
}

// from reports whether q was computed from these go.mod and go.sum.
func (q *Required) from(mod, sum []byte) bool {
	return q != nil && bytes.Equal(q.Base, mod) && bytes.Equal(q.BaseSum, sum) && (q.BaseSum == nil) == (sum == nil)
}

// UpdateModules requires each module of add at least at its version, then
// tidies, and returns the resulting go.mod and go.sum. oldMod and oldSum
// are the module's go.mod and go.sum as the run read them (oldSum nil: no
// go.sum): the go command works on copies of those bytes through
// -modfile, so the module's own files are never touched, and the caller
// writes the result (backed up, refused if the files changed since). If
// req was computed by Require from the same oldMod and oldSum (by the
// check before the write), its go get is not run again. If vendorDir is
// set, it also writes the vendor directory the result implies there (go
// mod vendor -o vendorDir).
func (r *Runner) UpdateModules(ctx context.Context, oldMod, oldSum []byte, add map[string]string, vendorDir string, req *Required) (*ModChange, error) {
	start, startSum := oldMod, oldSum
	if req.from(oldMod, oldSum) {
		start, startSum = req.Mod, req.Sum
	}
	modPath, done, err := modCopy(start, startSum)
	if err != nil {
		return nil, err
	}
	defer done()
	gets, err := needed(start, add)
	if err != nil {
		return nil, err
	}
	var cmds [][]string
	if len(gets) > 0 {
		cmds = append(cmds, append([]string{"get", "-modfile=" + modPath}, gets...))
	}
	cmds = append(cmds, []string{"mod", "tidy", "-modfile=" + modPath})
	if vendorDir != "" {
		cmds = append(cmds, []string{"mod", "vendor", "-modfile=" + modPath, "-o", vendorDir})
	}
	for _, args := range cmds {
		// The module's own go.mod is updated, outside any workspace: the
		// go command rejects -modfile in workspace mode.
		if res := r.run(ctx, ModFile, args...); res.Err != nil {
			return nil, r.modFileError(res)
		}
	}
	return readChange(modPath, oldMod, oldSum != nil)
}

// Tidied is go.mod and go.sum once the modules a run adds are required
// and tidied with the whole rewrite in view: what UpdateModules computes
// for a step of every changed file. Base and BaseSum are the go.mod and
// go.sum it started from.
type Tidied struct {
	Base, BaseSum []byte
	Mod, Sum      []byte
}

// From reports whether t was computed from these go.mod and go.sum.
func (t *Tidied) From(mod, sum []byte) bool {
	return t != nil && bytes.Equal(t.Base, mod) && bytes.Equal(t.BaseSum, sum) && (t.BaseSum == nil) == (sum == nil)
}

// UpdateModulesTidied is UpdateModules whose go get and go mod tidy t
// already ran (t.From(oldMod, oldSum)): it only writes the vendor
// directory, if vendorDir is set.
func (r *Runner) UpdateModulesTidied(ctx context.Context, oldMod, oldSum []byte, t *Tidied, vendorDir string) (*ModChange, error) {
	modPath, done, err := modCopy(t.Mod, t.Sum)
	if err != nil {
		return nil, err
	}
	defer done()
	if vendorDir != "" {
		if res := r.run(ctx, ModFile, "mod", "vendor", "-modfile="+modPath, "-o", vendorDir); res.Err != nil {
			return nil, r.modFileError(res)
		}
	}
	return readChange(modPath, oldMod, oldSum != nil)
}

// modCopy writes mod and sum (nil: none) in a new temporary directory and
// returns the go.mod path and a function that removes the directory.
func modCopy(mod, sum []byte) (string, func(), error) {
	tmp, err := os.MkdirTemp("", "migrate-modfile-")
	if err != nil {
		return "", nil, err
	}
	done := func() { os.RemoveAll(tmp) }
	q := &Required{Mod: mod, Sum: sum}
	modPath, err := q.write(tmp)
	if err != nil {
		done()
		return "", nil, err
	}
	return modPath, done, nil
}

// readModFiles reads go.mod at modPath and the go.sum beside it (nil if
// there is none).
func readModFiles(modPath string) (mod, sum []byte, err error) {
	if mod, err = os.ReadFile(modPath); err != nil {
		return nil, nil, err
	}
	sum, err = os.ReadFile(filepath.Join(filepath.Dir(modPath), "go.sum"))
	if errors.Is(err, fs.ErrNotExist) {
		return mod, nil, nil
	}
	return mod, sum, err
}

// modFileError says that a go.mod update failed, on one line; in a
// workspace, that the module must resolve its requirements on its own.
func (r *Runner) modFileError(res *Result) error {
	err := res.failure()
	if r.Env.Workspace() != "" {
		err = fmt.Errorf("%w (run with GOWORK=off: in workspace %s, the module's go.mod must still resolve its own requirements, with replace directives where needed)", err, r.Env.Workspace())
	}
	return err
}

// needed returns the "path@version" arguments of go get for the modules
// not yet required at their version or later.
func needed(gomod []byte, add map[string]string) ([]string, error) {
	have, err := requires(gomod)
	if err != nil {
		return nil, err
	}
	var out []string
	for path, v := range add {
		if cur, ok := have[path]; !ok || semver.Compare(cur, v) < 0 {
			out = append(out, path+"@"+v)
		}
	}
	return out, nil
}

func readChange(modPath string, oldMod []byte, sumExisted bool) (*ModChange, error) {
	mod, sum, err := readModFiles(modPath)
	if err != nil {
		return nil, err
	}
	c := &ModChange{Mod: mod, Sum: sum, SumExisted: sumExisted}
	before, err := requires(oldMod)
	if err != nil {
		return nil, err
	}
	after, err := requires(mod)
	if err != nil {
		return nil, err
	}
	for p, v := range after {
		if before[p] != v {
			c.Added = append(c.Added, p+"@"+v)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			c.Removed = append(c.Removed, p)
		}
	}
	return c, nil
}

// Requires returns the modules go.mod requires, path to version.
func Requires(gomod []byte) (map[string]string, error) { return requires(gomod) }

func requires(gomod []byte) (map[string]string, error) {
	f, err := modfile.ParseLax("go.mod", gomod, nil)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, r := range f.Require {
		m[r.Mod.Path] = r.Mod.Version
	}
	return m, nil
}

// WhyModule returns the shortest import chain from the main module to a
// package of module, as go mod why -m prints it: the main module's package
// first, module's package last. It is nil if nothing imports module.
func (r *Runner) WhyModule(ctx context.Context, module string) ([]string, error) {
	res := r.run(ctx, ModGraph, "mod", "why", "-m", module)
	if res.Err != nil {
		return nil, fmt.Errorf("%w\n%s", res.Err, res.Tail(10))
	}
	var chain []string
	for _, line := range strings.Split(string(res.Output), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "(") {
			chain = append(chain, line)
		}
	}
	return chain, nil
}

// ModuleOf returns the module of req (path to version) that provides
// package pkg: the longest module path that is pkg or a prefix of it.
func ModuleOf(pkg string, req map[string]string) string {
	best := ""
	for m := range req {
		if (pkg == m || strings.HasPrefix(pkg, m+"/")) && len(m) > len(best) {
			best = m
		}
	}
	return best
}

// GoVersions returns the go directive of each module of paths that the
// module requires, as go list -m reports it (from the module's go.mod); a
// module without one is left out.
func (r *Runner) GoVersions(ctx context.Context, paths []string) (map[string]string, error) {
	res := r.run(ctx, ModGraph, append([]string{"list", "-m", "-f", "{{.Path}} {{.GoVersion}}"}, paths...)...)
	if res.Err != nil {
		return nil, fmt.Errorf("%w\n%s", res.Err, res.Tail(10))
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(res.Output), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			out[f[0]] = f[1]
		}
	}
	return out, nil
}

// GoVersion returns the go directive of gomod, or "" if it has none.
func GoVersion(gomod []byte) string {
	f, err := modfile.ParseLax("go.mod", gomod, nil)
	if err != nil || f.Go == nil {
		return ""
	}
	return f.Go.Version
}
