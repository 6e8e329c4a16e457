// Package status turns a dry run into a progress report of a migration:
// which files still use the old API and where, which are done, what is
// left for a person, and the next command to run.
package status

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/migrate-tool/migrate/rewrite"
	"github.com/migrate-tool/migrate/rules"
)

// Report is the state of a migration.
type Report struct {
	Sets     []string      `json:"rule_sets"`
	Module   string        `json:"module"`
	Files    []*FileStatus `json:"files"`
	Done     int           `json:"files_done"`
	ToDo     int           `json:"files_to_do"`
	Percent  int           `json:"percent_done"`
	OldUses  int           `json:"old_uses"`
	Manual   int           `json:"manual_sites"`
	Ignored  int           `json:"ignored_sites"`
	Skipped  int           `json:"files_not_handled"`
	NextStep string        `json:"next_step"`
	// Phases are the steps of the migration in phases that the set takes
	// part in, if it does (see SetPhases).
	Phases []Step `json:"phases,omitempty"`
}

// FileStatus is one file of the report.
type FileStatus struct {
	Path string `json:"path"`
	// Done is set for a file that uses the new API and no old one.
	Done bool `json:"done"`
	// Uses are the sites a rule would rewrite.
	Uses []rewrite.Finding `json:"uses,omitempty"`
	// Manual are the sites a person must change; Ignored those opted out;
	// Other are findings about the whole file (generated, not handled).
	Manual  []rewrite.Finding `json:"manual,omitempty"`
	Ignored []rewrite.Finding `json:"ignored,omitempty"`
	Other   []rewrite.Finding `json:"other,omitempty"`
}

// Remaining reports whether the file still uses the old API.
func (f *FileStatus) Remaining() bool {
	return len(f.Uses)+len(f.Manual)+len(f.Other) > 0
}

// Build makes the report of a dry run of sets. command is the "migrate
// run" invocation that would continue the migration; names are the package
// names of the target import paths (see PackageNames).
func Build(res *rewrite.Result, sets []*rules.Set, command string, names map[string]string) *Report {
	r := &Report{Module: res.Module.Path, NextStep: command}
	files := map[string]*FileStatus{}
	get := func(path string) *FileStatus {
		if files[path] == nil {
			files[path] = &FileStatus{Path: path}
		}
		return files[path]
	}
	for _, s := range sets {
		r.Sets = append(r.Sets, s.Name)
	}
	for _, u := range res.Uses {
		get(u.Pos.Filename).Uses = append(get(u.Pos.Filename).Uses, u)
	}
	for _, f := range res.Findings {
		fs := get(f.Pos.Filename)
		switch f.Kind {
		case rewrite.Manual:
			fs.Manual = append(fs.Manual, f)
		case rewrite.Ignored:
			fs.Ignored = append(fs.Ignored, f)
		case rewrite.Generated, rewrite.Unhandled:
			fs.Other = append(fs.Other, f)
			r.Skipped++
		}
	}
	for _, path := range doneFiles(res, sets, names) {
		if fs := get(path); !fs.Remaining() {
			fs.Done = true
		}
	}
	r.tally(files)
	return r
}

func (r *Report) tally(files map[string]*FileStatus) {
	for _, fs := range files {
		r.Files = append(r.Files, fs)
		r.OldUses += len(fs.Uses)
		r.Manual += len(fs.Manual)
		r.Ignored += len(fs.Ignored)
		switch {
		case fs.Remaining():
			r.ToDo++
		case fs.Done:
			r.Done++
		}
	}
	slices.SortFunc(r.Files, func(a, b *FileStatus) int { return strings.Compare(a.Path, b.Path) })
	if n := r.Done + r.ToDo; n > 0 {
		r.Percent = r.Done * 100 / n
	} else {
		r.Percent = 100
	}
}

// doneFiles returns the files (relative to the module root) that use one
// of the sets' targets: the new API.
func doneFiles(res *rewrite.Result, sets []*rules.Set, names map[string]string) []string {
	var targets []rules.Target
	for _, s := range sets {
		targets = append(targets, s.Targets()...)
	}
	var out []string
	for _, path := range res.Scanned {
		if usesTarget(path, targets, names) {
			out = append(out, relTo(res.Module.Root, path))
		}
	}
	return out
}

func relTo(root, path string) string {
	return strings.TrimPrefix(strings.TrimPrefix(path, root), string(os.PathSeparator))
}

// usesTarget parses the file (syntax only) and looks for a selector
// pkg.Name through an import of a target path. A target path whose package
// name is unknown (its module is not required yet) counts when imported.
func usesTarget(path string, targets []rules.Target, pkgNames map[string]string) bool {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return false
	}
	names := map[string]string{} // local name -> path, for imports of a target path
	for _, spec := range f.Imports {
		p := rules.Unquote(spec.Path)
		if !slices.ContainsFunc(targets, func(t rules.Target) bool { return t.Path == p }) {
			continue
		}
		name, known := pkgNames[p]
		if spec.Name != nil {
			name, known = spec.Name.Name, true
		}
		if !known {
			return true
		}
		names[name] = p
	}
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || found {
			return !found
		}
		if id, ok := sel.X.(*ast.Ident); ok && names[id.Name] != "" {
			found = slices.ContainsFunc(targets, func(t rules.Target) bool {
				return t.Path == names[id.Name] && (t.Name == "" || t.Name == sel.Sel.Name)
			})
		}
		return !found
	})
	return found
}

// PackageNames resolves the real package names of the sets' target paths
// from the module root; paths that do not resolve are left out.
func PackageNames(ctx context.Context, root string, sets []*rules.Set) map[string]string {
	var paths []string
	for _, s := range sets {
		for _, t := range s.Targets() {
			if !slices.Contains(paths, t.Path) {
				paths = append(paths, t.Path)
			}
		}
	}
	names := map[string]string{}
	if len(paths) == 0 {
		return names
	}
	pkgs, err := packages.Load(&packages.Config{Context: ctx, Mode: packages.NeedName, Dir: root}, paths...)
	if err != nil {
		return names
	}
	for _, p := range pkgs {
		if p.Name != "" && len(p.Errors) == 0 {
			names[p.PkgPath] = p.Name
		}
	}
	return names
}
