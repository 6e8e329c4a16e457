package steps

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/migrate-tool/migrate/internal/bench"
	"github.com/migrate-tool/migrate/internal/gocmd"
	"github.com/migrate-tool/migrate/internal/proc"
)

// Bench says whether and how each step's benchmarks are compared, before
// and after the step.
type Bench struct {
	// Regexp selects the benchmarks, as go test -bench does; "" runs none.
	Regexp string
	// Count is the number of runs of each side (0: DefaultBenchCount).
	Count int
	// Time is each run's -benchtime: a duration or Nx (""
	// DefaultBenchTime).
	Time string
	// Threshold is the smallest significant slowdown that fails the step,
	// as a fraction of the old value (0.10: 10%).
	Threshold float64
}

// Defaults of Bench.
const (
	DefaultBenchCount = 6
	DefaultBenchTime  = "100ms"
)

func (b Bench) count() int {
	if b.Count > 0 {
		return b.Count
	}
	return DefaultBenchCount
}

func (b Bench) time() string {
	if b.Time != "" {
		return b.Time
	}
	return DefaultBenchTime
}

// BenchReport is what a step's benchmarks showed.
type BenchReport struct {
	OK        bool    `json:"ok"`
	Regexp    string  `json:"regexp"`
	Count     int     `json:"count"`
	Time      string  `json:"benchtime"`
	Threshold float64 `json:"threshold"`
	// Searched is the number of packages whose benchmarks were looked
	// for: the step's packages and the module's packages that import them.
	Searched int `json:"searched"`
	// Packages are those of them where a benchmark matching Regexp ran.
	Packages []string `json:"packages"`
	// Compared is the number of benchmarks compared.
	Compared int         `json:"compared"`
	Rows     []bench.Row `json:"rows"`
	// Regressions name each regression on one line, with its old and new
	// values.
	Regressions []string `json:"regressions,omitempty"`
	// Table is Rows as benchstat prints them.
	Table string `json:"table,omitempty"`
	// Failed says what failed other than a regression (a benchmark that
	// fails or does not build with the new code), Output its tail.
	Failed string `json:"failed,omitempty"`
	Output string `json:"output,omitempty"`
	// Notes are packages left out: their benchmarks fail or do not build
	// before the step too.
	Notes    []string      `json:"notes,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// Summary says in one line what the benchmarks showed: "benchmarks: no
// regression, 12 compared".
func (b *BenchReport) Summary() string {
	switch {
	case b.Failed != "":
		return "benchmarks failed: " + b.Failed
	case len(b.Regressions) == 1:
		return "benchmark regressed: " + b.Regressions[0]
	case len(b.Regressions) > 1:
		return fmt.Sprintf("benchmarks regressed: %s, and %d more (table below)", b.Regressions[0], len(b.Regressions)-1)
	case b.Compared == 0:
		return fmt.Sprintf("benchmarks: none matches %q in the %s changed or importing them", b.Regexp, count(b.Searched))
	}
	return fmt.Sprintf("benchmarks: no regression, %d compared in %s (%d runs a side, -benchtime=%s, threshold %s)",
		b.Compared, count(len(b.Packages)), b.Count, b.Time, Percent(b.Threshold))
}

// Percent writes a fraction as a percentage: 0.1 is "10%".
func Percent(f float64) string {
	return strconv.FormatFloat(f*100, 'f', -1, 64) + "%"
}

// benchFuncRE finds a benchmark in a test file.
var benchFuncRE = regexp.MustCompile(`(?m)^func Benchmark`)

// benchBinary is one package's test binary, built before and after the
// step.
type benchBinary struct {
	pkg      *gocmd.Package
	old, new string // paths of the binaries
}

// benchStep runs the benchmarks of the step's packages and their importers
// before the step (the files as they are, or in a dry run with the
// earlier steps overlaid) and after it (through the overlay the checks
// use), each side o.Bench.Count times, interleaved, and compares them.
func (a *applier) benchStep(ctx context.Context, s *StepReport, p *prepared) *BenchReport {
	start := time.Now()
	o := a.o.Bench
	r := &BenchReport{OK: true, Regexp: o.Regexp, Count: o.count(), Time: o.time(), Threshold: o.Threshold, Packages: []string{}}
	defer func() { r.Duration = time.Since(start) }()
	pkgs, err := a.benchPackages(ctx, s, p)
	if err != nil {
		r.OK, r.Failed, r.Output = false, "go list", err.Error()
		return r
	}
	r.Searched = len(pkgs)
	cands := withBenchmarks(a.graph, pkgs, p.files)
	if len(cands) == 0 {
		return r
	}
	dir, err := os.MkdirTemp("", "migrate-bench-")
	if err != nil {
		r.OK, r.Failed, r.Output = false, "make a directory for the test binaries", err.Error()
		return r
	}
	defer os.RemoveAll(dir)
	bins := a.buildBenchmarks(ctx, r, p, dir, cands)
	if !r.OK || len(bins) == 0 {
		return r
	}
	old, new := a.runBenchmarks(ctx, r, bins)
	switch {
	case ctx.Err() != nil:
		r.OK, r.Failed = false, "interrupted"
	case r.OK:
		a.compare(r, old, new)
	}
	return r
}

// benchPackages returns the step's packages and those of the module that
// import them.
func (a *applier) benchPackages(ctx context.Context, s *StepReport, p *prepared) ([]string, error) {
	pkgs := p.pkgs
	if pkgs == nil {
		var err error
		if pkgs, err = a.changedPackages(ctx, s); err != nil {
			return nil, err
		}
	}
	if err := a.loadGraph(ctx); err != nil {
		return nil, err
	}
	all, _ := a.graph.Importers(pkgs)
	return all, nil
}

// withBenchmarks returns the packages whose test files declare a
// benchmark, reading a test file from files (the new contents) when it
// is there: only their test binaries are built.
func withBenchmarks(g *gocmd.Graph, pkgs []string, files map[string][]byte) []*gocmd.Package {
	var out []*gocmd.Package
	for _, path := range pkgs {
		pkg := g.Package(path)
		if pkg == nil {
			continue
		}
		for _, t := range pkg.TestFiles {
			data, ok := files[t]
			if !ok {
				data, _ = os.ReadFile(t)
			}
			if benchFuncRE.Match(data) {
				out = append(out, pkg)
				break
			}
		}
	}
	return out
}

// buildBenchmarks builds each package's test binary before and after the
// step (go test -c). A package whose old binary does not build is left
// out with a note; one whose new binary does not build fails r.
func (a *applier) buildBenchmarks(ctx context.Context, r *BenchReport, p *prepared, dir string, pkgs []*gocmd.Package) []benchBinary {
	oldFlags, cleanup, err := a.beforeFlags(p)
	if err != nil {
		r.OK, r.Failed, r.Output = false, "write the overlay of the old files", err.Error()
		return nil
	}
	defer cleanup()
	newFlags, err := a.afterFlags(p)
	if err != nil {
		r.OK, r.Failed, r.Output = false, "write the overlay of the new files", err.Error()
		return nil
	}
	var bins []benchBinary
	for i, pkg := range pkgs {
		b := benchBinary{pkg: pkg, old: filepath.Join(dir, fmt.Sprintf("%d-old.test", i)), new: filepath.Join(dir, fmt.Sprintf("%d-new.test", i))}
		if res := a.gocmd.Run(ctx, testBuild(b.old, oldFlags, pkg.ImportPath)...); res.Err != nil {
			r.Notes = append(r.Notes, fmt.Sprintf("the test of %s does not build before the step: its benchmarks are not compared", pkg.ImportPath))
			continue
		}
		if res := a.gocmd.Run(ctx, testBuild(b.new, newFlags, pkg.ImportPath)...); res.Err != nil {
			r.OK, r.Failed, r.Output = false, "the test of "+pkg.ImportPath+" does not build after the step", res.Tail(tailLines)
			return nil
		}
		if _, err := os.Stat(b.old); err != nil {
			continue // no test files after all
		}
		bins = append(bins, b)
	}
	return bins
}

func testBuild(out string, flags []string, pkg string) []string {
	return slices.Concat([]string{"test", "-c", "-vet=off", "-o", out}, flags, []string{pkg})
}

// runBenchmarks runs each binary's benchmarks count times a side,
// alternating which side goes first (old, new, then new, old) so that a
// drift of the machine's speed weighs on both alike. A package where no
// benchmark matched is dropped after the first round.
func (a *applier) runBenchmarks(ctx context.Context, r *BenchReport, bins []benchBinary) (old, new bench.Samples) {
	old, new = bench.Samples{}, bench.Samples{}
	for round := range r.Count {
		var keep []benchBinary
		for _, b := range bins {
			ran := a.benchRound(ctx, r, b, round%2 == 1, old, new)
			if !r.OK || ctx.Err() != nil {
				return nil, nil
			}
			if ran {
				keep = append(keep, b)
			}
		}
		bins = keep
	}
	return old, new
}

// benchRound runs one package's benchmarks once a side, the new binary
// first when swap, and adds what they measured. It reports whether a
// benchmark ran; benchmarks that fail before the step leave the package
// out, with a note, and those that fail after it only fail r.
func (a *applier) benchRound(ctx context.Context, r *BenchReport, b benchBinary, swap bool, old, new bench.Samples) bool {
	var oldOut, newOut []byte
	var oldErr, newErr error
	if swap {
		newOut, newErr = a.runBinary(ctx, b.pkg.Dir, b.new, r)
		oldOut, oldErr = a.runBinary(ctx, b.pkg.Dir, b.old, r)
	} else {
		oldOut, oldErr = a.runBinary(ctx, b.pkg.Dir, b.old, r)
		newOut, newErr = a.runBinary(ctx, b.pkg.Dir, b.new, r)
	}
	switch {
	case ctx.Err() != nil:
		return false
	case oldErr != nil:
		r.Notes = append(r.Notes, fmt.Sprintf("the benchmarks of %s fail before the step too: not compared", b.pkg.ImportPath))
		old.Drop(b.pkg.ImportPath)
		new.Drop(b.pkg.ImportPath)
		return false
	case newErr != nil:
		r.OK, r.Failed = false, "the benchmarks of "+b.pkg.ImportPath+" fail after the step"
		r.Output = (&gocmd.Result{Output: newOut}).Tail(tailLines)
		return false
	}
	n1, err1 := old.Parse(bytes.NewReader(oldOut), b.pkg.ImportPath)
	n2, err2 := new.Parse(bytes.NewReader(newOut), b.pkg.ImportPath)
	if err := errors.Join(err1, err2); err != nil {
		r.OK, r.Failed, r.Output = false, "read the benchmarks' output", err.Error()
		return false
	}
	return n1+n2 > 0
}

// runBinary runs a test binary's benchmarks once, in its package's
// directory as go test would, with go test's flags: no test, the
// benchmarks matching the regexp, -benchmem, -count 1, -benchtime.
func (a *applier) runBinary(ctx context.Context, dir, bin string, r *BenchReport) ([]byte, error) {
	cmd := exec.CommandContext(ctx, bin, "-test.run=^$", "-test.bench="+r.Regexp, "-test.benchmem",
		"-test.count=1", "-test.benchtime="+r.Time, "-test.timeout=10m")
	cmd.Dir = dir
	cmd.Env = a.o.Env // nil: the process's, as go test passes it on
	proc.Isolate(cmd)
	return cmd.CombinedOutput()
}

// compare fills r with the comparison of the two sides.
func (a *applier) compare(r *BenchReport, old, new bench.Samples) {
	r.Rows = bench.Compare(old, new, bench.Options{Threshold: r.Threshold})
	for _, row := range r.Rows {
		if !slices.Contains(r.Packages, row.Package) {
			r.Packages = append(r.Packages, row.Package)
		}
	}
	seen := map[[2]string]bool{}
	for _, row := range r.Rows {
		seen[[2]string{row.Package, row.Name}] = true
	}
	r.Compared = len(seen)
	if len(r.Rows) > 0 {
		r.Table = bench.Table(r.Rows)
	}
	for _, row := range bench.Regressions(r.Rows) {
		r.Regressions = append(r.Regressions, row.Line())
	}
	r.OK = len(r.Regressions) == 0
}
