package rewrite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/migrate-tool/migrate/internal/gocmd"
	"github.com/migrate-tool/migrate/rules"
)

// Options configure a run.
type Options struct {
	// Dir is the directory the run starts in; the module is the one that
	// contains it, and patterns are relative to it.
	Dir string
	// Patterns are go package patterns; default "./...".
	Patterns []string
	// Files, when set, limits the rewrite to these .go files (relative to
	// Dir or absolute); their packages are loaded for type information.
	Files []string
	// Sets are the rule sets to apply, in order.
	Sets []*rules.Set
	// IncludeGenerated rewrites generated files too.
	IncludeGenerated bool
	// Workers bounds the files processed in parallel; default GOMAXPROCS.
	Workers int
	// Env is the user's environment, from which gocmd.NewEnv makes the go
	// command's; default os.Environ().
	Env []string
	// Scratch tells that Dir is in a scratch copy of a module (a golden
	// case), whose go.mod need not be tidy: loading may update its go.mod
	// and go.sum (-mod=mod). A run on the user's module must not set it:
	// loading then never writes.
	Scratch bool
	// AllowErrors goes on with packages that do not type-check, with what
	// type information there is, and reports them as warnings: for
	// reports on a half-migrated tree (status, check). A run that writes
	// must not set it.
	AllowErrors bool
	// Together are the paths of the other modules of the repository that
	// the same run migrates: their packages are not dependencies the run
	// leaves on the old library.
	Together []string
	// Overlay holds the new contents of files outside the module that
	// the same run changes (absolute paths): the other modules of a
	// repository migrated together. The check of the rewrite reads them;
	// the load before it reads the files as they are.
	Overlay map[string][]byte
	// Tidy has the check also compute Result.Tidied, when the rule sets
	// change go.mod (alongside the check, or from Cache): for a caller
	// that writes the whole result in one step.
	Tidy bool

	// checkWithGoList makes the check load the rewritten packages with go
	// list even where it could type-check them in process (tests compare
	// the two).
	checkWithGoList bool
	// loadWithGoPackages makes the first load use go/packages even where
	// loadFromSource could do it (tests compare the two).
	loadWithGoPackages bool
	// wholeBodies makes the first load type-check every function body,
	// where it would leave out those no rule looks at (verifyBodies).
	wholeBodies bool

	// Progress, if set, is told about each stage.
	Progress func(stage string, done, total int)
	// Types, if set, keeps the export data of dependencies between runs:
	// the first load type-checks a dependency it does not hold from
	// source (declarations only) and stores it, instead of having go list
	// compile it. Unset, go list -export compiles the dependencies.
	Types TypesCache
	// Cache, if set, holds the results of packages of earlier runs, under
	// a key of everything a package's result depends on (its files, those
	// of the module's packages it imports, go.mod, go.sum, the go
	// command's configuration), and the packages that reach the old API
	// through others. A package found there is neither loaded nor
	// rewritten: it adds its Uses and Findings to the result, nothing to
	// Files, Sites or AddModules. Only a run that reports (AllowErrors)
	// on one module's files as they are (no Files, Overlay, Together or
	// Scratch) takes package results from it. A run that writes takes
	// only the list of packages that reach the old API through others (a
	// go list of every package's dependencies, the longest step of a
	// large module), which is a function of what its key names; every
	// package it then rewrites is loaded, checked and verified.
	Cache ResultCache
}

// Run computes the rewrite. It returns an error, and no result, when the
// module cannot be found, a rule set does not fit the module, or a package
// to rewrite does not parse or type-check.
func Run(ctx context.Context, opts Options) (*Result, error) {
	r, err := newRunner(opts)
	if err != nil {
		return nil, err
	}
	res, err := r.run(ctx)
	if errors.Is(err, errWholeBodies) {
		// A package checked without some bodies has an error in one:
		// start again as a whole load would (verifyBodies).
		opts.wholeBodies = true
		if r, err = newRunner(opts); err != nil {
			return nil, err
		}
		return r.run(ctx)
	}
	return res, err
}

type runner struct {
	opts  Options
	mod   *Module
	paths []string
	files map[string]bool // per-file mode: the files to rewrite
	res   *Result
	goenv *gocmd.Env // the go command's environment
	facts *factCache // the rules' facts, by package
	// spans are where each rule edited or reported, by file (relative to
	// the module root), for the check.
	spans map[string]*fileSpans
	// brokenFiles are the files of packages that did not type-check
	// before the rewrite (relative to the module root), each with the
	// position of the finding that lists its package.
	brokenFiles map[string]token.Position
	// loads are the first loads, by build configuration (config.key).
	loads map[string]*firstLoad
	// cache is the use of Options.Cache, or nil.
	cache *cacheRun
	// keys key what the run keeps in Options.Cache, or are nil.
	keys *keyer
	// bg are the run's goroutines that end with it (keepFind).
	bg sync.WaitGroup
	// pending are the cache entries kept when the run ends, if the files
	// are unchanged (keepIfUnchanged).
	pending []pendingPut
	// bodiesVerified tells that verifyBodies ran.
	bodiesVerified bool
	// spec is the first load's go list, started before the scan.
	spec *speculation
}

func newRunner(opts Options) (*runner, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if len(opts.Patterns) == 0 && len(opts.Files) == 0 {
		opts.Patterns = []string{"./..."}
	}
	mod, err := FindModule(opts.Dir)
	if err != nil {
		return nil, err
	}
	mod.together = opts.Together
	for _, s := range opts.Sets {
		if s.GoVersion != "" && !mod.goAtLeast(s.GoVersion) {
			return nil, fmt.Errorf("rule set %s needs go %s or later, but %s/go.mod says go %s: run 'go mod edit -go=%s' first", s.Name, s.GoVersion, mod.Root, mod.GoVersion, s.GoVersion)
		}
	}
	// go.mod and go.sum are read first, before any go command runs: the
	// run's writes expect them as read here.
	sum, err := readIfExists(filepath.Join(mod.Root, "go.sum"))
	if err != nil {
		return nil, err
	}
	r := &runner{opts: opts, mod: mod, facts: newFactCache(), spans: map[string]*fileSpans{}, brokenFiles: map[string]token.Position{}, res: &Result{Module: mod, Sites: map[string]int{}, GoMod: mod.gomod, GoSum: sum}}
	for _, s := range opts.Sets {
		r.paths = append(r.paths, s.Paths()...)
	}
	if len(opts.Files) > 0 {
		if err := r.setFiles(); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// setFiles validates the per-file arguments and turns them into package
// patterns.
func (r *runner) setFiles() error {
	r.files = map[string]bool{}
	for _, f := range r.opts.Files {
		abs := f
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(r.opts.Dir, f)
		}
		st, err := os.Stat(abs)
		if err != nil || st.IsDir() || !strings.HasSuffix(abs, ".go") {
			return fmt.Errorf("%s: not a Go file", f)
		}
		if !inScope(r.mod, abs) {
			return fmt.Errorf("%s: outside module %s, or under vendor/ or testdata/", f, r.mod.Root)
		}
		r.files[abs] = true
		r.opts.Patterns = append(r.opts.Patterns, "./"+filepath.ToSlash(mustRel(r.opts.Dir, filepath.Dir(abs))))
	}
	slices.Sort(r.opts.Patterns)
	r.opts.Patterns = slices.Compact(r.opts.Patterns)
	return nil
}

func mustRel(base, path string) string {
	rel, err := filepath.Rel(base, path)
	if err != nil {
		return path
	}
	return rel
}

func (r *runner) progress(stage string, done, total int) {
	if r.opts.Progress != nil {
		r.opts.Progress(stage, done, total)
	}
}

func (r *runner) run(ctx context.Context) (*Result, error) {
	var err error
	if r.goenv, err = gocmd.NewEnv(ctx, r.mod.Root, r.opts.Env); err != nil {
		return nil, err
	}
	if r.opts.Scratch {
		r.goenv = r.goenv.Scratch()
	}
	goc := &gocmd.Runner{Dir: r.opts.Dir, Env: r.goenv}
	r.spec = r.speculate(ctx)
	defer r.spec.stop()
	defer r.bg.Wait()
	defer r.flushPending(ctx)
	files, fi, err := r.listAndScan(ctx, goc)
	if err != nil {
		return nil, err
	}
	r.res.Stats.FilesScanned = len(files)
	for f := range files {
		r.res.Scanned = append(r.res.Scanned, f)
	}
	slices.Sort(r.res.Scanned)
	keys := r.newKeyer(files, fi)
	r.keys = keys
	indirectly := reachesIndirectly(r.opts.Sets)
	var indirect map[string]bool
	if indirectly {
		if indirect, err = r.dependents(ctx, goc, keys); err != nil {
			return nil, err
		}
	}
	sc := fi.classify(indirect, r.opts.IncludeGenerated)
	r.res.Stats.FilesMatched = len(sc.candidates)
	r.reportSkipped(sc)
	if len(sc.candidates) == 0 {
		return r.res, nil
	}
	cands := r.fromCache(keys, sc)
	if len(cands) == 0 {
		r.sortResult()
		return r.res, nil
	}
	typed, err := r.loadAll(ctx, cands, keys)
	if err != nil {
		return nil, err
	}
	names, err := packageNames(ctx, r.mod, r.opts.Sets, typed, r.goenv.For(gocmd.Packages))
	if err != nil {
		return nil, err
	}
	if err := r.rewriteAll(typed, names); err != nil {
		return nil, err
	}
	r.storeResults()
	if r.res.AddModules, err = r.addModules(sc.imports); err != nil {
		return nil, err
	}
	if !r.opts.AllowErrors {
		if err := r.check(ctx, typed); err != nil {
			return nil, err
		}
		if len(r.res.Files) == 0 {
			// No check ran to find an error in a body the load left out.
			if err := r.verifyBodies(ctx); err != nil {
				return nil, err
			}
		}
	}
	r.sortResult()
	return r.res, nil
}

func (r *runner) reportSkipped(sc *scanned) {
	for _, g := range sc.generated {
		pos := g.importPos
		pos.Filename = r.mod.rel(g.path)
		r.res.Findings = append(r.res.Findings, Finding{Pos: pos, Kind: Generated, Rule: "generated",
			Message: "generated file imports " + g.importPath + ", left alone: regenerate it after the run, or pass --include-generated to rewrite it now; until then the packages that use it may not build"})
	}
	for _, f := range sc.lineDirect {
		r.fileFinding(f, Unhandled, "file has //line directives, which reprinting would break: migrate it by hand")
	}
}

func (r *runner) fileFinding(path string, kind Kind, msg string) {
	r.res.Findings = append(r.res.Findings, Finding{Pos: token.Position{Filename: r.mod.rel(path)}, Kind: kind, Message: msg})
}

// loadAll type-checks the candidates in the default configuration, then
// each file left out by its build constraints in a configuration that
// includes it. Files no configuration covers are reported.
func (r *runner) loadAll(ctx context.Context, cands []*candidate, keys *keyer) ([]*typedFile, error) {
	var out []*typedFile
	pending := slices.Clone(cands)
	tried := map[string]bool{}
	for cfg := (config{}); len(pending) > 0; {
		stage := func() { r.progress("type-checking ("+cfg.String()+" build)", len(out), len(cands)) }
		stage()
		l, err := loadTyped(ctx, r.mod, pending, cfg, r.goenv.For(gocmd.Packages), r.errorPolicy(), r.loadHow(cfg, keys, stage))
		if err != nil {
			return nil, err
		}
		for _, w := range l.warnings {
			r.res.Findings = append(r.res.Findings, Finding{Pos: token.Position{Filename: "-"}, Kind: Warning,
				Message: w})
		}
		for _, b := range l.broken {
			r.reportBroken(b)
		}
		tried[cfg.key()] = true
		if r.loads == nil {
			r.loads = map[string]*firstLoad{}
		}
		r.loads[cfg.key()] = &firstLoad{roots: l.roots, stripped: l.stripped}
		r.res.Stats.Configs++
		r.res.Stats.PackagesTyped += l.typed
		out = append(out, l.files...)
		pending = remaining(pending, l)
		var next *config
		pending, next = r.nextConfig(pending, tried)
		if next == nil {
			break
		}
		cfg = *next
	}
	return out, nil
}

// loadHow says how loadTyped loads in cfg; stage reports its stage again
// after the graph's go list.
func (r *runner) loadHow(cfg config, keys *keyer, stage func()) loadHow {
	how := loadHow{goPackages: r.opts.loadWithGoPackages, types: newTypesCache(r.opts.Types, r.goenv.Fingerprint()), someBodies: r.someBodies()}
	how.listing = func(done bool) {
		if done {
			stage()
		} else {
			r.progress("listing the import graph", 0, 0)
		}
	}
	if cfg.isDefault() {
		how.prelisted = r.spec
		if keys != nil {
			how.graph = &graphCache{store: r.opts.Cache, keys: keys, marker: r.graphMarker(), unchanged: func(pkgs []string) bool { return r.unchanged(keys, pkgs) }}
			how.sums = keys.treeSums
		}
	}
	return how
}

// nextConfig picks a configuration for the first pending file that has an
// untried one, and reports (and drops) the files that have none.
func (r *runner) nextConfig(pending []*candidate, tried map[string]bool) ([]*candidate, *config) {
	var keep []*candidate
	var next *config
	for _, c := range pending {
		if c.indirect {
			// It does not import an old path; loading other build
			// configurations only for it is not worth a report.
			continue
		}
		if c.cgo {
			r.fileFinding(c.path, Unhandled, "file uses cgo (import \"C\"), which migrate cannot reprint: migrate it by hand")
			continue
		}
		cfg, ok := configFor(c.path, c.adhoc())
		if !ok || tried[cfg.key()] {
			r.fileFinding(c.path, Unhandled, "file is excluded by its build constraints in every configuration tried: migrate it by hand")
			continue
		}
		keep = append(keep, c)
		if next == nil {
			next = &cfg
		}
	}
	return keep, next
}

// remaining returns the candidates that l neither typed nor listed as
// broken.
func remaining(cands []*candidate, l *loaded) []*candidate {
	done := map[string]bool{}
	for _, t := range l.files {
		done[t.path] = true
	}
	for _, b := range l.broken {
		for _, c := range b.cands {
			done[c.path] = true
		}
	}
	return slices.DeleteFunc(slices.Clone(cands), func(c *candidate) bool { return done[c.path] })
}

// rewriteAll applies the rule sets to each file in parallel.
func (r *runner) rewriteAll(typed []*typedFile, names map[string]string) error {
	results := make([]*fileResult, len(typed))
	errs := make([]error, len(typed))
	var done atomic.Int64
	var add []newFile
	parallel(len(typed), r.opts.Workers, func(i int) {
		results[i], errs[i] = rewriteFile(typed[i], r.mod, r.opts.Sets, names, r.facts)
		if errs[i] == nil && results[i].change != nil {
			errs[i] = setMode(results[i].change)
		}
		r.progress("rewriting", int(done.Add(1)), len(typed))
	})
	for i, fr := range results {
		if errs[i] != nil {
			return fmt.Errorf("rewrite %s: %w", r.mod.rel(typed[i].path), errs[i])
		}
		r.res.Findings = append(r.res.Findings, fr.findings...)
		r.res.Uses = append(r.res.Uses, fr.uses...)
		r.cache.record(typed[i], fr)
		if fr.spans != nil {
			r.spans[r.mod.rel(typed[i].path)] = fr.spans
		}
		for k, n := range fr.sites {
			r.res.Sites[k] += n
		}
		if fr.change != nil {
			r.res.Files = append(r.res.Files, fr.change)
		}
		add = append(add, fr.newFiles...)
	}
	return r.addFiles(add)
}

type fileResult struct {
	change   *FileChange
	uses     []Finding
	findings []Finding
	sites    map[string]int
	spans    *fileSpans
	newFiles []newFile
}

// applyRule runs one rule on a file, turning a panic (a bug in the rule)
// into an error that names the file, so that the run stops before
// anything is written.
func applyRule(f *fileCtx, rule rules.Rule) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("crashed on %s: %v; this is a bug in migrate, please report it with that file (nothing was written)", f.mod.rel(f.tf.path), p)
		}
	}()
	return rule.Apply(f)
}

// setMode records the permission bits of the changed file, which the
// write keeps.
func setMode(c *FileChange) error {
	st, err := os.Stat(c.Path)
	if err != nil {
		return err
	}
	c.Mode = st.Mode().Perm()
	return nil
}

// rewriteFile applies every rule set whose paths the file imports: the
// one code path of Run and RewritePackage.
func rewriteFile(tf *typedFile, mod *Module, sets []*rules.Set, names map[string]string, facts *factCache) (*fileResult, error) {
	old := tf.src
	f, err := newFileCtx(tf, mod, names, facts)
	if err != nil {
		return nil, err
	}
	for _, s := range sets {
		f.set = s.Name
		f.aliases = localNames(tf, s)
		f.describe = func(r rules.Rule) string { return describeRule(s, r) }
		for _, rule := range s.Rules {
			if tf.indirect || importsAnyOf(tf.imports, rule.Paths()) {
				if err := applyRule(f, rule); err != nil {
					return nil, fmt.Errorf("rule %s/%s: %w", s.Name, rule.ID(), err)
				}
			}
		}
	}
	res := &fileResult{findings: f.findings, uses: f.uses, sites: f.sites, spans: f.fileSpans(), newFiles: f.newFiles}
	if len(f.sites) == 0 && len(f.todos) == 0 {
		// Nothing to change: never reprint a file only to reformat it.
		return res, nil
	}
	newSrc, err := f.render(old)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(newSrc, old) {
		return res, nil
	}
	if !isGofmt(normalized(old)) {
		res.findings = append(res.findings, Finding{Pos: token.Position{Filename: mod.rel(tf.path)}, Kind: Warning,
			Message: "file was not gofmt-formatted: the rewritten file is, so the diff also shows formatting changes"})
	}
	n := 0
	for _, c := range f.sites {
		n += c
	}
	res.change = &FileChange{Path: tf.path, Rel: mod.rel(tf.path), Old: old, New: newSrc, Sites: n, SitesByRule: f.sites}
	return res, nil
}

func importsAnyOf(imports, paths []string) bool {
	return slices.ContainsFunc(imports, func(p string) bool { return rules.MatchPath(p, paths) })
}

func (r *runner) sortResult() {
	slices.SortFunc(r.res.Files, func(a, b *FileChange) int { return strings.Compare(a.Rel, b.Rel) })
	SortFindings(r.res.Findings)
	SortFindings(r.res.Uses)
}

// SortFindings orders findings by file, line and column.
func SortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int { return comparePos(a.Pos, b.Pos) })
}

// describeRule returns the phrase that says what a rule of the set does.
func describeRule(s *rules.Set, r rules.Rule) string {
	for i, x := range s.Rules {
		if x == r && i < len(s.Specs) {
			return s.Specs[i].Describe()
		}
	}
	return r.ID()
}

// someBodies reports whether the first load may leave out the function
// bodies of the files no rule looks at: the run stops at a type error (no
// AllowErrors), and no rule requires a fact, which may look at every file
// of the package.
func (r *runner) someBodies() bool {
	if r.opts.AllowErrors || r.opts.wholeBodies {
		return false
	}
	for _, s := range r.opts.Sets {
		for _, rule := range s.Rules {
			if rules.RequiresFacts(rule) {
				return false
			}
		}
	}
	return true
}

// reachesIndirectly reports whether a rule of the sets can match code that
// does not import the old path: a method or field of an old type used
// through a value from another package. Rules say so by implementing
// rules.Indirect; rules written in Go that do not are assumed to.
func reachesIndirectly(sets []*rules.Set) bool {
	for _, s := range sets {
		for _, r := range s.Rules {
			if rules.ReachesIndirectly(r) {
				return true
			}
		}
	}
	return false
}
