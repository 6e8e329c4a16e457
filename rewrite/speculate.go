package rewrite

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/migrate-tool/migrate/internal/gocmd"
)

// A warm run spends two go commands before it type-checks anything: the
// listing of the module's files (go list -find), then, once the scan has
// found the candidates, the listing of their packages' import graph (go
// list -deps -test). The second need not wait for the first: a walk of
// the module finds the directories holding a file that imports an old
// path, and their graph is listed while the first go list runs. The walk
// only guesses (go list decides what a package is): loadFromSource uses
// the guess when its roots include every package the scan found, and
// lists them itself otherwise, so a wrong guess costs time, never a
// different answer.

// speculation is the first load's go list, started early.
type speculation struct {
	done   chan struct{}
	listed []*listedPackage
	cancel context.CancelFunc
}

// speculate starts listing the import graph of the directories the walk
// of the patterns finds and, for rules that reach packages not importing
// an old path, of the packages that last reached one (guessDependents),
// or returns nil where the guess could not match the first load's go
// list: per-file runs, a run without the types cache (whose go list asks
// for -compiled), patterns that are not directories, rules that reach
// other packages when no list of them was kept; and where the last run
// found its graph in the cache (graphCache), as this one likely will.
func (r *runner) speculate(ctx context.Context) *speculation {
	if r.files != nil || r.opts.Types == nil || r.opts.loadWithGoPackages || r.graphKept() {
		return nil
	}
	var guessed []string
	if reachesIndirectly(r.opts.Sets) {
		if guessed = r.guessDependents(); len(guessed) == 0 {
			return nil
		}
	}
	files, ok := walkPatterns(r.opts.Dir, r.mod.Root, r.opts.Patterns)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &speculation{done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(s.done)
		dirs := dirsImporting(files, r.paths, r.opts.Workers)
		if len(dirs)+len(guessed) == 0 {
			return
		}
		pcfg := &packages.Config{Context: ctx, Dir: r.mod.Root, Env: config{}.env(r.goenv.For(gocmd.Packages))}
		args := []string{"-compiled=false", "-test=true", "-deps=true", "--"}
		for _, d := range dirs {
			rel, err := filepath.Rel(r.mod.Root, d)
			if err != nil {
				return
			}
			args = append(args, "./"+filepath.ToSlash(rel))
		}
		args = append(args, guessed...)
		if listed, err := goList(pcfg, args); err == nil {
			s.listed = listed
		}
	}()
	return s
}

// covering waits for the speculative listing and returns it with the IDs
// of the roots of patterns, or ok false if it does not list them all.
func (s *speculation) covering(patterns []string) (listed []*listedPackage, roots []string, ok bool) {
	if s == nil {
		return nil, nil, false
	}
	<-s.done
	if s.listed == nil {
		return nil, nil, false
	}
	roots, ok = rootsOf(s.listed, patterns)
	return s.listed, roots, ok
}

// stop ends the speculation if it still runs.
func (s *speculation) stop() {
	if s != nil {
		s.cancel()
	}
}

// walkPatterns returns the Go files of the directories that patterns
// (relative to dir) name, walked as go list matches "./..." in module
// mode: no directory named testdata or vendor or starting with "." or
// "_", none holding another module. ok is false for a pattern that is not
// a directory (an import path) or lies outside the module at root.
func walkPatterns(dir, root string, patterns []string) (files []string, ok bool) {
	w, ok := walkTree(dir, root, patterns)
	if !ok {
		return nil, false
	}
	return w.files, true
}

// walk is what walkTree found: the Go files, and every directory walked
// with the names of its entries (what go list -find reads besides the
// files' contents).
type walk struct {
	files []string
	dirs  map[string][]string
}

// walkTree walks patterns as walkPatterns does.
func walkTree(dir, root string, patterns []string) (*walk, bool) {
	w := &walk{dirs: map[string][]string{}}
	for _, p := range patterns {
		base, recursive := strings.CutSuffix(p, "/...")
		if p == "..." || !filepath.IsAbs(base) && base != "." && base != ".." && !strings.HasPrefix(base, "./") && !strings.HasPrefix(base, "../") {
			return nil, false
		}
		if !filepath.IsAbs(base) {
			base = filepath.Join(dir, base)
		}
		if rel, err := filepath.Rel(root, base); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, false
		}
		// The trailing separator has a symbolic link to the directory
		// walked as the directory, as go list walks it.
		err := filepath.WalkDir(base+string(filepath.Separator), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if path = filepath.Clean(path); path == base {
				if w.dirs[path] == nil {
					w.dirs[path] = []string{}
				}
				return nil
			}
			parent := filepath.Dir(path)
			w.dirs[parent] = append(w.dirs[parent], name)
			if d.IsDir() {
				if !recursive || name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
					return filepath.SkipDir
				}
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir
				}
				w.dirs[path] = []string{}
				return nil
			}
			if d.Type().IsRegular() && strings.HasSuffix(name, ".go") && !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "_") {
				w.files = append(w.files, path)
			}
			return nil
		})
		if err != nil {
			return nil, false
		}
	}
	return w, true
}

// dirsImporting returns, sorted, the directories of the files that import
// one of paths.
func dirsImporting(files, paths []string, workers int) []string {
	hit := make([]bool, len(files))
	parallel(len(files), workers, func(i int) {
		if r, err := scanFile(files[i], paths); err == nil {
			hit[i] = r.hit
		}
	})
	var dirs []string
	for i, f := range files {
		if hit[i] {
			dirs = append(dirs, filepath.Dir(f))
		}
	}
	slices.Sort(dirs)
	return slices.Compact(dirs)
}

// rootsOf returns the IDs of the packages of listed that packages.Load of
// patterns (with tests) returns as roots: each pattern's package and its
// test variants, in go list's order (test mains left out), and ok false
// if one of patterns was not listed as a root.
func rootsOf(listed []*listedPackage, patterns []string) (ids []string, ok bool) {
	found := map[string]bool{}
	for _, lp := range listed {
		if lp.DepOnly || strings.HasSuffix(lp.ImportPath, ".test") {
			continue
		}
		base, _, _ := strings.Cut(lp.ImportPath, " ")
		switch {
		case lp.ForTest == "" && slices.Contains(patterns, base):
			found[base] = true
		case lp.ForTest != "" && slices.Contains(patterns, lp.ForTest) && (base == lp.ForTest || base == lp.ForTest+"_test"):
		default:
			continue
		}
		ids = append(ids, lp.ImportPath)
	}
	return ids, len(found) == len(patterns)
}
