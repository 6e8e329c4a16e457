// Package localmods finds the modules of a repository that one run
// migrates together: the module a run starts in, the local modules it
// uses through replace directives, and the workspace modules its patterns
// name, in the order they depend on each other.
package localmods

import (
	"cmp"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"
)

// Module is one module of a run.
type Module struct {
	// Dir is the absolute directory holding its go.mod.
	Dir string
	// Path is its module path.
	Path string
	// Patterns are the package patterns to migrate, relative to Dir.
	Patterns []string
	// Why says how the run reached it: "here" (the module the run starts
	// in), "replace" (a replace target of another module of the run),
	// "workspace" (a module of go.work that a pattern names).
	Why      string
	requires []string // module paths it requires, and imports from
}

// uses tells whether m requires the module path, or imports a package of
// it.
func (m *Module) uses(path string) bool {
	return slices.ContainsFunc(m.requires, func(r string) bool {
		return r == path || strings.HasPrefix(r, path+"/")
	})
}

// imports tells whether m's files import path.
func (m *Module) imports(path string) bool { return slices.Contains(m.requires, path) }

// addImports adds the import paths of m's Go files to its requires.
func (m *Module) addImports() error {
	fset := token.NewFileSet()
	seen := map[string]bool{}
	return filepath.WalkDir(m.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != m.Dir && (name == "vendor" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || exists(filepath.Join(path, "go.mod"))) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return nil // the run reports it
		}
		for _, imp := range f.Imports {
			if p, err := strconv.Unquote(imp.Path.Value); err == nil && !seen[p] {
				seen[p] = true
				m.requires = append(m.requires, p)
			}
		}
		return nil
	})
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Options say where a run starts.
type Options struct {
	// Dir is the directory the run starts in.
	Dir string
	// Patterns are the run's package patterns, relative to Dir (default
	// ./...).
	Patterns []string
	// Old are the import paths the run migrates away from: a module
	// reached only through a replace directive or a workspace, whose
	// files import none of them, is left out (the old or new library
	// itself, stubbed in the repository; a module with nothing to do).
	Old []string
	// GoWork is the GOWORK setting of the user's environment: "" (look
	// for go.work in Dir and its parents), "off", or a file.
	GoWork string
}

// Run is what a run covers.
type Run struct {
	// Root is the directory of the repository: the git work tree holding
	// the run's directory, or without one the directory of the go.work,
	// or the parent of the module's directory.
	Root string
	// Modules are the modules of the run, each after the ones it uses.
	Modules []*Module
}

// Find returns the modules of a run, each after the ones it uses (requires
// in go.mod, or imports, as workspace modules may without a require). The
// local modules are those inside the repository (Run.Root): a replace
// target outside it is another project's, and stays as it is.
func Find(o Options) (*Run, error) {
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	patterns := o.Patterns
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	work, err := workspace(dir, o.GoWork)
	if err != nil {
		return nil, err
	}
	f := &finder{byDir: map[string]*Module{}, work: work}
	home, homeErr := moduleOf(dir)
	f.repo = repoRoot(dir, home, work)
	for _, p := range patterns {
		if err := f.addPattern(dir, p, home); err != nil {
			return nil, err
		}
	}
	if len(f.mods) == 0 {
		if homeErr != nil {
			return nil, homeErr
		}
		return nil, fmt.Errorf("%s: the patterns %s name no module", dir, strings.Join(patterns, " "))
	}
	for i := 0; i < len(f.mods); i++ {
		if err := f.addReplaced(f.mods[i]); err != nil {
			return nil, err
		}
	}
	mods, err := f.usingOld(o.Old)
	if err != nil {
		return nil, err
	}
	return &Run{Root: f.repo, Modules: order(mods)}, nil
}

// usingOld returns the modules that import one of the old paths, and the
// ones the run names itself (its own, one below it that a pattern names);
// each then knows what it imports.
func (f *finder) usingOld(old []string) ([]*Module, error) {
	if len(f.mods) == 1 {
		return f.mods, nil
	}
	var out []*Module
	for _, m := range f.mods {
		if err := m.addImports(); err != nil {
			return nil, err
		}
		if m.Why == "here" || m.Why == "pattern" || slices.ContainsFunc(old, m.imports) {
			out = append(out, m)
		}
	}
	return out, nil
}

type finder struct {
	mods  []*Module
	byDir map[string]*Module
	work  *workFile
	repo  string
}

// addPattern gives a pattern to the module whose directory holds it; with
// "/..." in a workspace, also to each workspace module below it.
func (f *finder) addPattern(dir, pattern, home string) error {
	if !strings.HasPrefix(pattern, ".") && !filepath.IsAbs(pattern) {
		// An import path: the go command finds it from the home module.
		if home == "" {
			return fmt.Errorf("%s: no go.mod here or in a parent to resolve %s from: run migrate inside a Go module, or pass -C DIR", dir, pattern)
		}
		return f.add(home, pattern, "here")
	}
	rest, recursive := strings.CutSuffix(filepath.ToSlash(pattern), "/...")
	if pattern == "..." {
		rest, recursive = ".", true
	}
	target := filepath.Join(dir, filepath.FromSlash(rest))
	if !filepath.IsAbs(pattern) {
		target = filepath.Clean(target)
	}
	mod, _ := moduleOf(target)
	if mod != "" && (f.work == nil || f.work.uses(mod) || mod == home) {
		if err := f.add(mod, relPattern(mod, target, recursive), f.whyOf(mod, home)); err != nil {
			return err
		}
	}
	if recursive && f.work != nil {
		for _, u := range f.work.use {
			if u != mod && within(u, target) {
				if err := f.add(u, "./...", "workspace"); err != nil {
					return err
				}
			}
		}
	}
	if mod == "" && (f.work == nil || !f.work.covers(target)) {
		return fmt.Errorf("%s: no go.mod here or in a parent: run migrate inside a Go module, or pass -C DIR", target)
	}
	return nil
}

func (f *finder) whyOf(mod, home string) string {
	switch {
	case mod == home:
		return "here"
	case f.work != nil:
		return "workspace"
	}
	return "pattern"
}

// relPattern is target's pattern relative to the module directory mod.
func relPattern(mod, target string, recursive bool) string {
	rel, _ := filepath.Rel(mod, target)
	p := "."
	if rel != "." {
		p = "./" + filepath.ToSlash(rel)
	}
	if recursive {
		return strings.TrimSuffix(p, "/.") + "/..."
	}
	return p
}

// add records pattern for the module in dir.
func (f *finder) add(dir, pattern, why string) error {
	m := f.byDir[dir]
	if m == nil {
		path, reqs, err := readModule(dir)
		if err != nil {
			return err
		}
		m = &Module{Dir: dir, Path: path, Why: why, requires: reqs}
		f.byDir[dir] = m
		f.mods = append(f.mods, m)
	}
	if !slices.Contains(m.Patterns, pattern) {
		m.Patterns = append(m.Patterns, pattern)
	}
	return nil
}

// addReplaced adds the replace targets of m that are local modules of
// the repository, with all their packages.
func (f *finder) addReplaced(m *Module) error {
	data, err := os.ReadFile(filepath.Join(m.Dir, "go.mod"))
	if err != nil {
		return err
	}
	mf, err := modfile.Parse(filepath.Join(m.Dir, "go.mod"), data, nil)
	if err != nil {
		return err
	}
	for _, r := range mf.Replace {
		if r.New.Version != "" || !modfile.IsDirectoryPath(r.New.Path) || r.Old.Version != "" {
			// A replace of one version ("m v1.2.0 => ./fork") pins a
			// third-party module to a copy: not a module of the
			// repository's own.
			continue
		}
		target := r.New.Path
		if !filepath.IsAbs(target) {
			target = filepath.Join(m.Dir, target)
		}
		target = filepath.Clean(target)
		if _, err := os.Stat(filepath.Join(target, "go.mod")); err != nil || !within(target, f.repo) || f.byDir[target] != nil {
			continue
		}
		if err := f.add(target, "./...", "replace"); err != nil {
			return err
		}
	}
	return nil
}

// readModule returns the module path of the go.mod in dir and the module
// paths it requires.
func readModule(dir string) (string, []string, error) {
	name := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(name)
	if err != nil {
		return "", nil, err
	}
	mf, err := modfile.ParseLax(name, data, nil)
	if err != nil {
		return "", nil, fmt.Errorf("parse %s", err)
	}
	if mf.Module == nil {
		return "", nil, fmt.Errorf("%s: no module directive", name)
	}
	var reqs []string
	for _, r := range mf.Require {
		reqs = append(reqs, r.Mod.Path)
	}
	return mf.Module.Mod.Path, reqs, nil
}

// order sorts the modules so that each comes after the modules of the run
// it requires, keeping the order found otherwise (a cycle, which the go
// command allows between modules, keeps it too).
func order(mods []*Module) []*Module {
	var out []*Module
	state := map[*Module]int{} // 1 visiting, 2 done
	var visit func(m *Module)
	visit = func(m *Module) {
		if state[m] != 0 {
			return
		}
		state[m] = 1
		for _, d := range mods {
			if d != m && m.uses(d.Path) {
				visit(d)
			}
		}
		state[m] = 2
		out = append(out, m)
	}
	for _, m := range mods {
		visit(m)
	}
	return out
}

// moduleOf returns the directory of the go.mod that holds dir.
func moduleOf(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod in %s or any parent: run migrate inside a Go module, or pass -C DIR", dir)
		}
	}
}

// repoRoot is the directory the local modules must be in.
func repoRoot(dir, home string, work *workFile) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	switch {
	case work != nil:
		return filepath.Dir(work.file)
	case home != "":
		return filepath.Dir(home)
	}
	return dir
}

// within tells whether path is dir or below it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// workFile is a go.work: its file and the absolute directories it uses.
type workFile struct {
	file string
	use  []string
}

func (w *workFile) uses(dir string) bool { return slices.Contains(w.use, dir) }

// covers tells whether a workspace module is at or below dir.
func (w *workFile) covers(dir string) bool {
	return slices.ContainsFunc(w.use, func(u string) bool { return within(u, dir) })
}

// workspace returns the go.work the go command would use in dir, or nil.
func workspace(dir, gowork string) (*workFile, error) {
	switch gowork {
	case "off":
		return nil, nil
	case "":
		for d := dir; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
				gowork = filepath.Join(d, "go.work")
				break
			}
			if filepath.Dir(d) == d {
				return nil, nil
			}
		}
	}
	data, err := os.ReadFile(gowork)
	if err != nil {
		return nil, fmt.Errorf("GOWORK names %s: %w", gowork, err)
	}
	wf, err := modfile.ParseWork(gowork, data, nil)
	if err != nil {
		return nil, fmt.Errorf("parse %w", err)
	}
	w := &workFile{file: gowork}
	for _, u := range wf.Use {
		d := u.Path
		if !filepath.IsAbs(d) {
			d = filepath.Join(filepath.Dir(gowork), d)
		}
		w.use = append(w.use, filepath.Clean(d))
	}
	slices.SortFunc(w.use, cmp.Compare)
	return w, nil
}
