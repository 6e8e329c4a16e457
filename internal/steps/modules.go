package steps

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/semver"

	"github.com/migrate-tool/migrate/internal/gocmd"
)

// moduleEdits returns the modules the rule sets add that the rewritten
// code imports (path -> minimum version; see rewrite.Result.AddModules),
// and whether any rule set retires one.
func (a *applier) moduleEdits() (add map[string]string, retire bool) {
	add = map[string]string{}
	maps.Copy(add, a.o.Result.AddModules)
	for _, set := range a.o.Sets {
		retire = retire || len(set.Modules.Retire) > 0
	}
	return add, retire
}

// changesModules reports whether the rule sets may change go.mod, go.sum
// and vendor/.
func (a *applier) changesModules() bool {
	add, retire := a.moduleEdits()
	return len(add) > 0 || retire
}

// modPlan is a step's go.mod, go.sum and vendor/ change, computed before
// anything is written.
type modPlan struct {
	oldMod, oldSum []byte
	ch             *gocmd.ModChange
	// vendorDir is the vendor directory the new go.mod implies (a
	// temporary one), "" when the module does not vendor; vendorChanged
	// tells whether it differs from the module's vendor/.
	vendorDir     string
	vendorChanged bool
	report        *ModuleReport
}

// planModules requires the modules the rule sets add and tidies go.mod,
// on -modfile copies, with goc, which sees the step's new code through
// -overlay (go mod tidy reads the code); where the module vendors, it
// writes the vendor directory the result implies in a temporary
// directory. Rule sets that add no module leave go.mod alone: it returns
// nil. The cleanup removes the temporary directory. A whole step (every
// changed file, nothing else overlaid) starts from the go.mod the rewrite
// tidied (rewrite.Result.Tidied), if it did.
func (a *applier) planModules(ctx context.Context, goc *gocmd.Runner, whole bool) (*modPlan, func(), error) {
	add, retire := a.moduleEdits()
	if len(add) == 0 && !retire {
		return nil, func() {}, nil
	}
	oldMod, oldSum, err := a.modFiles()
	if err != nil {
		return nil, nil, err
	}
	p := &modPlan{oldMod: oldMod, oldSum: oldSum}
	cleanup := func() {}
	if vendored(a.root) && a.o.DryRun && a.o.Verify.Skip {
		// A dry run that checks nothing writes no vendor tree: only
		// a run or a check builds from one, and go mod vendor copies
		// every vendored package (13 s of cortex's 16 s). The run will
		// sync vendor/, so the plan says it changes, and the go
		// commands of the notes read the module cache (-mod=readonly).
		p.vendorChanged = true
	} else if vendored(a.root) {
		tmp, err := os.MkdirTemp("", "migrate-vendor-")
		if err != nil {
			return nil, nil, err
		}
		cleanup = func() { os.RemoveAll(tmp) }
		p.vendorDir = filepath.Join(tmp, "vendor")
	}
	if t := a.o.Result.Tidied; whole && t.From(oldMod, oldSum) {
		p.ch, err = goc.UpdateModulesTidied(ctx, oldMod, oldSum, t, p.vendorDir)
	} else {
		p.ch, err = goc.UpdateModules(ctx, oldMod, oldSum, add, p.vendorDir, a.o.Result.Required)
	}
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	if p.vendorDir != "" {
		if p.vendorChanged, err = treesDiffer(filepath.Join(a.root, "vendor"), p.vendorDir); err != nil {
			cleanup()
			return nil, nil, err
		}
	}
	slices.Sort(p.ch.Added)
	slices.Sort(p.ch.Removed)
	p.report = &ModuleReport{Added: p.ch.Added, Removed: p.ch.Removed, Vendored: p.vendorChanged}
	return p, cleanup, nil
}

// overlay returns the files the plan changes, for an -overlay: go.mod and
// go.sum if they change.
func (p *modPlan) overlay(root string) map[string][]byte {
	files := map[string][]byte{}
	if p == nil {
		return files
	}
	if !bytes.Equal(p.ch.Mod, p.oldMod) {
		files[filepath.Join(root, "go.mod")] = p.ch.Mod
	}
	if !bytes.Equal(p.ch.Sum, p.oldSum) && (p.ch.SumExisted || len(p.ch.Sum) > 0) {
		files[filepath.Join(root, "go.sum")] = p.ch.Sum
	}
	return files
}

// note adds the notes on the modules left for a person, read with goc,
// which sees the new go.mod and code through -overlay.
func (a *applier) noteModules(ctx context.Context, goc *gocmd.Runner, p *modPlan) error {
	notes, err := a.moduleNotes(ctx, goc, p.ch.Mod)
	if err != nil {
		return err
	}
	if p.vendorDir != "" {
		add, _ := a.moduleEdits()
		if n := a.vendorGoNote(ctx, goc, p.ch.Mod, add); n != "" {
			notes = append(notes, n)
		}
	}
	if n := a.alsoDropped(p.ch); n != "" {
		notes = append(notes, n)
	}
	p.report.Notes = notes
	return nil
}

// alsoDropped notes the requirements go mod tidy removed besides the
// modules the rule sets retire or move: nothing the module builds imports
// them now, which tidy reads as unneeded, although a tool run with go run
// or go generate (with no tools.go to hold it) may need them.
func (a *applier) alsoDropped(ch *gocmd.ModChange) string {
	expected := map[string]bool{}
	for _, s := range a.o.Sets {
		for _, m := range s.Modules.Retire {
			expected[m] = true
		}
		for m := range s.Modules.Companions {
			expected[m] = true
		}
	}
	var other []string
	for _, m := range ch.Removed {
		if !expected[m] {
			other = append(other, m)
		}
	}
	if len(other) == 0 {
		return ""
	}
	slices.Sort(other)
	it := plural(len(other), "it", "them")
	return fmt.Sprintf("go mod tidy also dropped %s: no package of the module imports %s now (the old library may have needed %s); if a tool run by go run or go generate needs %s, require %s again with go get",
		strings.Join(other, ", "), it, it, it, it)
}

// writeModules writes the planned go.mod, go.sum and vendor/ through the
// backup run, and returns the paths written.
func (a *applier) writeModules(run treeWriter, s *StepReport, p *modPlan) ([]string, error) {
	if p == nil {
		return nil, nil
	}
	modPath, sumPath := filepath.Join(a.root, "go.mod"), filepath.Join(a.root, "go.sum")
	ch := p.ch
	// go.mod and go.sum go through WriteFile even when unchanged: it
	// refuses them if they changed since the run read them.
	if err := run.WriteFile(modPath, p.oldMod, ch.Mod); err != nil {
		return nil, err
	}
	var written []string
	if !bytes.Equal(ch.Mod, p.oldMod) {
		written = append(written, modPath)
		s.modBefore, s.sumBefore = p.oldMod, p.oldSum
	}
	var err error
	switch {
	case !ch.SumExisted && len(ch.Sum) > 0:
		err = run.CreateFile(sumPath, ch.Sum, 0o644)
		written = append(written, sumPath)
	case ch.SumExisted:
		err = run.WriteFile(sumPath, p.oldSum, ch.Sum)
		if !bytes.Equal(ch.Sum, p.oldSum) {
			written = append(written, sumPath)
		}
	}
	if err != nil {
		return nil, err
	}
	a.setModAfter(s, p)
	if p.vendorDir != "" {
		dst := filepath.Join(a.root, "vendor")
		changed, err := syncTree(run, dst, p.vendorDir)
		if err != nil {
			return nil, fmt.Errorf("sync vendor/: %w", err)
		}
		if changed {
			written = append(written, dst)
		}
	}
	return written, nil
}

// setModAfter records go.mod and go.sum as the step leaves them.
func (a *applier) setModAfter(s *StepReport, p *modPlan) {
	s.modAfter, s.sumAfter = p.ch.Mod, p.ch.Sum
	if !p.ch.SumExisted && len(p.ch.Sum) == 0 {
		s.sumAfter = nil
	}
}

// modFiles returns go.mod and go.sum as the run last knew them: as read
// with the code (rewrite.Result), or as the last committed step wrote them;
// for a Result that does not carry them, as they are now.
func (a *applier) modFiles() (mod, sum []byte, err error) {
	if a.mod != nil {
		return a.mod, a.sum, nil
	}
	if mod, err = os.ReadFile(filepath.Join(a.root, "go.mod")); err != nil {
		return nil, nil, err
	}
	sum, err = os.ReadFile(filepath.Join(a.root, "go.sum"))
	if errors.Is(err, fs.ErrNotExist) {
		return mod, nil, nil
	}
	return mod, sum, err
}

// moduleNotes lists retired modules that go.mod still requires, with
// what still imports them, and companion modules of the old client it
// requires.
func (a *applier) moduleNotes(ctx context.Context, goc *gocmd.Runner, gomod []byte) ([]string, error) {
	req, err := gocmd.Requires(gomod)
	if err != nil {
		return nil, err
	}
	var notes []string
	for _, s := range a.o.Sets {
		for _, m := range s.Modules.Retire {
			if v, ok := req[m]; ok {
				notes = append(notes, a.stillRequired(ctx, goc, m, v, req, len(s.Modules.Add) > 0))
			}
		}
		for _, m := range slices.Sorted(maps.Keys(s.Modules.Companions)) {
			if v, ok := req[m]; ok {
				notes = append(notes, fmt.Sprintf("go.mod requires %s %s, which moves together with the old client: %s", m, v, s.Modules.Companions[m]))
			}
		}
	}
	return notes, nil
}

// stillRequired says why go.mod still requires the retired module m at
// version v: code of the module that still imports it, or a dependency
// built on it, which only a newer version of that dependency can fix
// when the migration moves to another module (newClient): its values no
// longer fit the dependency. A move to the standard library leaves
// nothing to fix: the dependency keeps the module for itself.
func (a *applier) stillRequired(ctx context.Context, goc *gocmd.Runner, m, v string, req map[string]string, newClient bool) string {
	generic := fmt.Sprintf("go.mod still requires %s %s: some code still uses it (see the sites left for follow-up)", m, v)
	chain, err := goc.WhyModule(ctx, m)
	if err != nil || len(chain) < 2 {
		return generic
	}
	importer := chain[len(chain)-2]
	dep := gocmd.ModuleOf(importer, req)
	if dep == "" {
		return fmt.Sprintf("go.mod still requires %s %s: %s still imports it (see the sites left for follow-up)", m, v, importer)
	}
	if !newClient {
		return fmt.Sprintf("go.mod still requires %s %s (indirect): the dependency %s %s still uses it (%s imports %s); your code no longer does, so nothing is left to do",
			m, v, dep, req[dep], importer, chain[len(chain)-1])
	}
	return fmt.Sprintf("go.mod still requires %s %s: the dependency %s %s is built on it (%s imports %s); move %s to a version built on the new client, or the build breaks where your code hands it a migrated value (see the sites left for follow-up)",
		m, v, dep, req[dep], importer, chain[len(chain)-1], dep)
}

// vendorGoNote warns when vendored modules build with too old a language
// version: before go 1.17, vendor/modules.txt records no go version per
// module, so every vendored package builds as the main module's go line,
// and a new module that needs a newer one (generics, for go-redis v9)
// fails there, while the module cache would build it.
func (a *applier) vendorGoNote(ctx context.Context, goc *gocmd.Runner, gomod []byte, add map[string]string) string {
	have := gocmd.GoVersion(gomod)
	if have == "" || semver.Compare("v"+have, "v1.17") >= 0 {
		return ""
	}
	want, wantPath := "1.17", ""
	if vs, err := goc.GoVersions(ctx, slices.Sorted(maps.Keys(add))); err == nil {
		for p, v := range vs {
			if semver.Compare("v"+v, "v"+want) > 0 {
				want, wantPath = v, p
			}
		}
	}
	why := ""
	if wantPath != "" {
		why = fmt.Sprintf(", and %s needs go %s", wantPath, want)
	}
	return fmt.Sprintf("go.mod says go %s and the module vendors: before go 1.17 vendor/modules.txt records no go version per module, so vendored packages build as go %s%s; if the build fails there, run 'go mod edit -go=%s' and migrate again", have, have, why, want)
}
