package steps

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/migrate-tool/migrate/internal/gocmd"
)

// prepared is a step computed in full before anything is written: its
// go.mod change, and an -overlay file that shows the go command the
// step's new contents (and, in a dry run, those of the earlier steps).
type prepared struct {
	modules *modPlan
	// files are the overlay's contents: the step's new files, go.mod and
	// go.sum if they change, and in a dry run the earlier steps' files.
	files map[string][]byte
	// overlay is the -overlay file of files, written when a go command
	// first needs it (afterFlags): a dry run that checks nothing writes
	// none.
	overlay        string
	overlayErr     error
	overlayCleanup func()
	pkgs           []string
	cleanup        func()
}

// prepare computes a step: go.mod and go.sum with the step's new code in
// view (go mod tidy through -overlay), the module notes, and the overlay
// the checks build with.
func (a *applier) prepareStep(ctx context.Context, s *StepReport) (*prepared, error) {
	p := &prepared{cleanup: func() {}}
	code := maps.Clone(a.o.Around.After)
	if code == nil {
		code = map[string][]byte{}
	}
	maps.Copy(code, a.pending)
	for _, f := range s.changes {
		code[f.Path] = f.New
	}
	mods, cleanupMods := (*modPlan)(nil), func() {}
	if a.changesModules() {
		codeFile, done, err := gocmd.WriteOverlay(code)
		if err != nil {
			return nil, err
		}
		whole := len(a.o.Around.After) == 0 && len(a.o.Around.Before) == 0 && len(a.pending) == 0 && len(s.changes) == len(a.o.Result.Files)
		mods, cleanupMods, err = a.planModules(ctx, a.gocmd.With("-overlay="+codeFile), whole)
		done()
		if err != nil {
			return nil, err
		}
	}
	p.modules, p.files = mods, code
	maps.Copy(p.files, mods.overlay(a.root))
	p.cleanup = func() {
		if p.overlayCleanup != nil {
			p.overlayCleanup()
		}
		cleanupMods()
	}
	if mods != nil {
		flags, err := a.afterFlags(p)
		if err == nil {
			err = a.noteModules(ctx, a.gocmd.With(flags[len(flags)-1]), mods)
		}
		if err != nil {
			p.cleanup()
			return nil, err
		}
	}
	return p, nil
}

// limit says why a step cannot be checked through an overlay ("": it
// can); readsFiles tells that the reason is tests that may read the files.
type limit struct {
	why        string
	readsFiles bool
}

// checkFirst reports whether the step is checked before it is written:
// with the default checks, unless a package cannot be checked through an
// overlay, which the limit then says (a dry run checks on the overlay
// anyway, and says so).
func (a *applier) checkFirst(ctx context.Context, s *StepReport, p *prepared) (bool, limit, error) {
	if a.o.Verify.Skip || a.o.Verify.Command != "" {
		return false, limit{}, nil
	}
	pkgs, err := a.changedPackages(ctx, s)
	if err != nil {
		return false, limit{}, err
	}
	p.pkgs = pkgs
	if err := a.loadGraph(ctx); err != nil {
		return false, limit{}, err
	}
	return true, overlayLimit(a.graph, s, p), nil
}

// sourceRE finds, in a test file, what suggests that the test reads Go
// source files, which it would read from disk: a check through -overlay
// builds the new code but runs the tests in the real tree.
var sourceRE = regexp.MustCompile(`\.go["` + "`" + `]|parser\.ParseDir|packages\.Load`)

// overlayLimit says why the go command cannot check the step through an
// overlay: a new file is in a new directory (go vet and go test chdir into
// a package's directory, which an overlay cannot create), vendor/ changes (the go command reads vendor/modules.txt from
// disk), a changed package has cgo files, a rewritten file is embedded
// (go commands that embed it from disk, not from the overlay, are in use:
// golang/go#59406),
// or a changed package's tests seem to read Go files (tests run in the
// real tree).
func overlayLimit(g *gocmd.Graph, s *StepReport, p *prepared) limit {
	if p.modules != nil && p.modules.vendorChanged {
		return limit{why: "vendor/ changes, and the go command reads vendor/modules.txt from disk"}
	}
	for _, path := range p.pkgs {
		if pkg := g.Package(path); pkg != nil && pkg.Cgo {
			return limit{why: pkg.ImportPath + " has cgo files"}
		}
	}
	rewritten := map[string]bool{}
	for _, f := range s.changes {
		rewritten[f.Path] = true
		if dir := filepath.Dir(f.Path); f.Old == nil && !isDir(dir) {
			return limit{why: fmt.Sprintf("%s is a new directory, in which go vet and go test run", rel(s, dir))}
		}
	}
	for _, pkg := range g.Packages() {
		for _, e := range pkg.Embeds {
			if rewritten[e] {
				return limit{why: fmt.Sprintf("%s embeds %s (//go:embed)", pkg.ImportPath, rel(s, e))}
			}
		}
	}
	for _, path := range p.pkgs {
		pkg := g.Package(path)
		if pkg == nil {
			continue
		}
		for _, t := range pkg.TestFiles {
			if data, err := os.ReadFile(t); err == nil && sourceRE.Match(data) {
				return limit{why: fmt.Sprintf("the tests of %s may read Go files (%s), and tests run in the real tree", pkg.ImportPath, filepath.Base(t)), readsFiles: true}
			}
		}
	}
	return limit{}
}

// testsBefore runs the step's go test on the files as they are, before the
// step is written: the baseline of tests that read the files, which an
// overlay of the old contents would not show them.
func (a *applier) testsBefore(ctx context.Context, s *StepReport, p *prepared) (map[string]*gocmd.Result, error) {
	checks, err := a.goChecks(ctx, s, p.pkgs)
	if err != nil {
		return nil, err
	}
	known := map[string]*gocmd.Result{}
	for _, c := range checks {
		if c.test {
			known[c.name], _ = a.runCheck(ctx, c, nil)
		}
	}
	return known, nil
}

// rel returns path relative to the module root, as the step names files.
func rel(s *StepReport, path string) string {
	for _, f := range s.changes {
		if f.Path == path {
			return f.Rel
		}
	}
	return path
}

// verifyOverlay runs the default checks of a step before it is written:
// the go command sees the new contents through -overlay, and the baseline
// is the tree as it is (in a dry run, with the earlier steps overlaid).
func (a *applier) verifyOverlay(ctx context.Context, s *StepReport, p *prepared, caveat string) *VerifyReport {
	start := time.Now()
	v := &VerifyReport{OK: true, Overlay: true, Fallback: caveat}
	defer func() { v.Duration = time.Since(start) }()
	before := func() ([]string, func(), error) { return a.beforeFlags(p) }
	after, err := a.afterFlags(p)
	if err != nil {
		v.OK, v.Failed, v.Output = false, "write the overlay of the new files", err.Error()
		return v
	}
	a.defaultChecks(ctx, v, s, view{after: after, before: before, pkgs: p.pkgs})
	return v
}

// modFlags are the -mod flag the go commands that look at a step before
// it is written need: where vendor/ changes, a dry run cannot write it, so
// they build from the module cache, where go mod vendor found the
// modules.
func modFlags(p *prepared) []string {
	if p.modules != nil && p.modules.vendorChanged {
		return []string{"-mod=readonly"}
	}
	return nil
}

// afterFlags are the flags that show the go command the step written: an
// -overlay of its new files, go.mod and go.sum, written on first use.
func (a *applier) afterFlags(p *prepared) ([]string, error) {
	if p.overlay == "" && p.overlayErr == nil {
		p.overlay, p.overlayCleanup, p.overlayErr = gocmd.WriteOverlay(p.files)
	}
	if p.overlayErr != nil {
		return nil, p.overlayErr
	}
	return append(modFlags(p), "-overlay="+p.overlay), nil
}

// beforeFlags are the flags that show the go command the tree before the
// step: the files as they are, and in a dry run the earlier steps
// overlaid. The cleanup removes their overlay.
func (a *applier) beforeFlags(p *prepared) ([]string, func(), error) {
	before := maps.Clone(a.o.Around.Before)
	if before == nil {
		before = map[string][]byte{}
	}
	maps.Copy(before, a.pending)
	if len(before) == 0 {
		return modFlags(p), func() {}, nil
	}
	file, cleanup, err := gocmd.WriteOverlay(before)
	if err != nil {
		return nil, nil, err
	}
	return append(modFlags(p), "-overlay="+file), cleanup, nil
}

// changedPackages returns the import paths of the packages of the step's
// files.
func (a *applier) changedPackages(ctx context.Context, s *StepReport) ([]string, error) {
	var dirs []string
	for _, f := range s.Files {
		dirs = append(dirs, "./"+filepath.ToSlash(filepath.Dir(f)))
	}
	slices.Sort(dirs)
	return a.gocmd.PackagesOf(ctx, slices.Compact(dirs))
}

// loadGraph lists the module's import graph, once a run.
func (a *applier) loadGraph(ctx context.Context) error {
	if a.graph != nil {
		return nil
	}
	g, err := a.gocmd.Graph(ctx)
	if err != nil {
		return err
	}
	a.graph = g
	return nil
}

// assume records a checked step of a dry run as if it were written: the
// later steps see its files through their overlay.
func (a *applier) assume(s *StepReport, p *prepared) {
	for _, f := range s.changes {
		a.pending[f.Path] = f.New
	}
	if p.modules != nil {
		maps.Copy(a.pending, p.modules.overlay(a.root))
		a.setModAfter(s, p.modules)
		a.mod, a.sum = s.modAfter, s.sumAfter
	}
}

// fallbackNote says how a step that could not be checked on an overlay
// was checked.
func fallbackNote(dryRun bool, why string) string {
	if dryRun {
		return why + ": checked through -overlay anyway, which may not show it; a run checks this step after writing it"
	}
	return strings.TrimSpace(why) + ": checked after writing, and restored if a check fails"
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
