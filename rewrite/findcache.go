package rewrite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/migrate-tool/migrate/internal/gocmd"
)

// The module's files come from go list -find (listFiles): 0.45 s of a
// warm cortex run. Its answer is a function of what a walk of the
// patterns reads: the directories, the names in each, the Go files'
// contents (build constraints, package clauses, imports of "C"), go.mod,
// go.sum, vendor/modules.txt, go.work and the go configuration. A run
// that keeps keys walks its patterns and scans the Go files first (the
// scan reads them anyway), keys the listing by what it read, and takes
// the listing from Options.Cache. A listing is kept only if it names no
// file the walk did not read, and a second walk and scan after it give
// the same key.

// listAndScan returns the files of the packages matching the patterns
// (listFiles) and their scan (readImports).
func (r *runner) listAndScan(ctx context.Context, goc *gocmd.Runner) (map[string]listed, *fileImports, error) {
	if r.keysUsable() && r.files == nil {
		if w, ok := walkTree(r.opts.Dir, r.mod.Root, r.opts.Patterns); ok {
			r.progress("scanning imports", 0, len(w.files))
			if fi, ok := scanWalked(w.files, r.paths, r.opts.Workers); ok {
				return r.listScanned(ctx, goc, w, fi)
			}
		}
	}
	r.progress("listing packages", 0, 0)
	files, err := listFiles(ctx, r.mod, goc, r.opts.Patterns)
	if err != nil {
		return nil, nil, err
	}
	if r.files != nil {
		for f := range files {
			if !r.files[f] {
				delete(files, f)
			}
		}
	}
	r.progress("scanning imports", 0, len(files))
	fi, err := readImports(files, r.paths, r.opts.Workers)
	return files, fi, err
}

// listScanned lists the packages of the walk w whose Go files fi
// scanned: from the cache, or with go list, which is then kept.
func (r *runner) listScanned(ctx context.Context, goc *gocmd.Runner, w *walk, fi *fileImports) (map[string]listed, *fileImports, error) {
	key := r.findKey(w, fi)
	var pkgs []*listPackage
	if data, ok := r.opts.Cache.Get(key); ok && json.Unmarshal(data, &pkgs) == nil {
		if files, err := filesOf(r.mod, goc.Dir, pkgs); err == nil {
			if sub, ok := fi.only(files); ok {
				return files, sub, nil
			}
		}
	}
	r.progress("listing packages", 0, 0)
	pkgs, err := goListFind(ctx, goc, r.opts.Patterns)
	if err != nil {
		return nil, nil, err
	}
	files, err := filesOf(r.mod, goc.Dir, pkgs)
	if err != nil {
		return nil, nil, err
	}
	sub, ok := fi.only(files)
	if !ok {
		// The listing names a file the walk did not read (a symbolic
		// link): scan the listing's files, keep nothing.
		r.progress("scanning imports", 0, len(files))
		fi, err := readImports(files, r.paths, r.opts.Workers)
		return files, fi, err
	}
	r.bg.Go(func() { r.keepFind(key, pkgs) })
	return files, sub, nil
}

// keepFind stores the listing pkgs under key if the files are still as
// the key was computed from: a second walk and scan give the same key.
func (r *runner) keepFind(key string, pkgs []*listPackage) {
	w, ok := walkTree(r.opts.Dir, r.mod.Root, r.opts.Patterns)
	if !ok {
		return
	}
	fi, ok := scanWalked(w.files, r.paths, r.opts.Workers)
	if !ok || r.findKey(w, fi) != key {
		return
	}
	if data, err := json.Marshal(pkgs); err == nil {
		r.opts.Cache.Put(key, data)
	}
}

// findKey is the key of go list -find of the run's patterns, from the
// walk w and the scan fi of its Go files.
func (r *runner) findKey(w *walk, fi *fileImports) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s: find\n%s\n%q\n", cacheVersion, r.opts.Dir, r.opts.Patterns)
	hashBytes(h, "go.mod", r.mod.gomod)
	hashBytes(h, "go.sum", r.res.GoSum)
	hashFile(h, filepath.Join(r.mod.Root, "vendor", "modules.txt"))
	if work := r.goenv.Workspace(); work != "" {
		hashFile(h, work)
	}
	hashEnv(h, r.goenv)
	for _, d := range slices.Sorted(maps.Keys(w.dirs)) {
		names := slices.Compact(slices.Sorted(slices.Values(w.dirs[d])))
		fmt.Fprintf(h, "dir %s %q\n", d, names)
	}
	for i, name := range fi.names {
		fmt.Fprintf(h, "file %s %x\n", name, fi.results[i].sum)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// scanWalked scans the Go files a walk found (scanNames); ok is false
// if one cannot be read or parsed: listFiles and readImports then say so
// as they always have.
func scanWalked(names []string, paths []string, workers int) (*fileImports, bool) {
	fi, err := scanNames(names, paths, workers)
	return fi, err == nil
}

// only returns the scan of files alone, or ok false if fi did not scan
// one of them.
func (fi *fileImports) only(files map[string]listed) (*fileImports, bool) {
	out := &fileImports{files: files}
	for i, name := range fi.names {
		if _, ok := files[name]; ok {
			out.names = append(out.names, name)
			out.results = append(out.results, fi.results[i])
		}
	}
	return out, len(out.names) == len(files)
}
