// Package bench reads the output of go test -bench and compares two sets
// of runs of the same benchmarks, before and after a change, with the
// statistics of golang.org/x/perf/benchmath (those of benchstat): the
// median of each side, the Mann-Whitney U test, and a regression when the
// difference is significant and larger than a threshold. It runs nothing
// and prints nothing.
package bench

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
)

// Units compared, as benchfmt tidies them: time per op (ns/op read as
// seconds), bytes and allocations per op (-benchmem). Each is better lower.
// Other units (MB/s, b.ReportMetric's) are read and left out.
var Units = []string{"sec/op", "B/op", "allocs/op"}

// MinRuns is the fewest runs a side for which the U test can find a
// difference significant at p < 0.05: with 3 runs a side its smallest
// p-value is 0.1.
const MinRuns = 4

// MinBytes is the smallest increase of B/op that can be a regression: the
// smallest allocation. Less is what the runtime and the testing package
// allocate during a run, spread over its iterations (a benchmark that
// sleeps shows 0 to 6 B/op); one more allocation per op is also counted
// by allocs/op.
const MinBytes = 8

// MinAllocIters is the fewest iterations a run must make for its B/op
// and allocs/op to be judged: they are what was allocated during the run
// divided by its iterations, and what the runtime allocates meanwhile
// (threads, timers), spread over a few iterations of a slow op, outweighs
// the op's own (a 50ms op that allocates nothing shows 50 B/op, and 1
// allocs/op).
const MinAllocIters = 100

// Key names one measured quantity: a benchmark of a package, in a unit.
type Key struct {
	Package string `json:"package"`
	// Name is the benchmark's name as go test prints it, with its
	// sub-benchmarks and GOMAXPROCS suffix: BenchmarkGet/small-2.
	Name string `json:"name"`
	Unit string `json:"unit"`
}

// Samples are the values measured, one a run, by key.
type Samples map[Key]*Series

// Series are one key's values, one a run, and the fewest iterations
// (b.N) a run made.
type Series struct {
	Values   []float64
	MinIters int
}

func (s Samples) add(k Key, v float64, iters int) {
	ser := s[k]
	if ser == nil {
		ser = &Series{MinIters: iters}
		s[k] = ser
	}
	ser.Values = append(ser.Values, v)
	ser.MinIters = min(ser.MinIters, iters)
}

// Parse reads go test -bench output (text, several runs concatenated
// allowed) and adds its results to s. A result before any "pkg:" line is
// taken to be of pkg. It returns the number of result lines read.
func (s Samples) Parse(r io.Reader, pkg string) (int, error) {
	var rd benchfmt.Reader
	rd.Reset(r, pkg, "pkg", pkg)
	n := 0
	for rd.Scan() {
		res, ok := rd.Result().(*benchfmt.Result)
		if !ok {
			continue // unit metadata, and lines benchfmt cannot read
		}
		n++
		name := "Benchmark" + res.Name.String()
		for _, v := range res.Values {
			if slices.Contains(Units, v.Unit) {
				s.add(Key{Package: res.GetConfig("pkg"), Name: name, Unit: v.Unit}, v.Value, res.Iters)
			}
		}
	}
	if err := rd.Err(); err != nil {
		return n, fmt.Errorf("read benchmark output of %s: %w", pkg, err)
	}
	return n, nil
}

// Drop removes a package's samples.
func (s Samples) Drop(pkg string) {
	maps.DeleteFunc(s, func(k Key, _ *Series) bool { return k.Package == pkg })
}

// Benchmarks returns the number of distinct benchmarks in s.
func (s Samples) Benchmarks() int {
	seen := map[[2]string]bool{}
	for k := range s {
		seen[[2]string{k.Package, k.Name}] = true
	}
	return len(seen)
}

// Options set what counts as a regression.
type Options struct {
	// Threshold is the smallest slowdown that fails, as a fraction of the
	// old value (0.10: 10%).
	Threshold float64
	// Alpha is the significance level (0: 0.05, benchstat's).
	Alpha float64
}

// Stat summarizes one side: the median of N runs and its 95% confidence
// interval.
type Stat struct {
	Median float64 `json:"median"`
	Lo     float64 `json:"lo"`
	Hi     float64 `json:"hi"`
	N      int     `json:"n"`
	// Range is the interval as benchstat prints it: "± 3%".
	Range string `json:"-"`
}

// Row is the comparison of one benchmark in one unit.
type Row struct {
	Key
	Old Stat `json:"old"`
	New Stat `json:"new"`
	// Delta is (new-old)/old of the medians; nil when old is 0.
	Delta *float64 `json:"delta"`
	// P is the Mann-Whitney U test's p-value: below Alpha, the two sides
	// differ.
	P float64 `json:"p"`
	// Significant tells that P < Alpha.
	Significant bool `json:"significant"`
	// Regression tells that new is significantly higher than old, by more
	// than the threshold (any increase from 0); for B/op by at least
	// MinBytes, and for B/op and allocs/op in runs of at least
	// MinAllocIters iterations.
	Regression bool `json:"regression"`
	// Missing says the benchmark ran on one side only ("old" or "new"):
	// nothing is compared.
	Missing string `json:"missing,omitempty"`
	// FewIters tells that B/op or allocs/op was not judged: a run made
	// fewer than MinAllocIters iterations.
	FewIters bool `json:"few_iterations,omitempty"`
	cmp      benchmath.Comparison
}

// Compare compares each benchmark and unit measured in old or new, sorted
// by package, unit (in the order of Units) and name, as benchstat shows
// them.
func Compare(old, new Samples, o Options) []Row {
	th := benchmath.DefaultThresholds
	if o.Alpha > 0 {
		th.CompareAlpha = o.Alpha
	}
	keys := slices.Collect(maps.Keys(old))
	for k := range new {
		if _, ok := old[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b Key) int {
		return cmp.Or(cmp.Compare(a.Package, b.Package),
			cmp.Compare(slices.Index(Units, a.Unit), slices.Index(Units, b.Unit)), cmp.Compare(a.Name, b.Name))
	})
	rows := make([]Row, 0, len(keys))
	for _, k := range keys {
		rows = append(rows, compare(k, old[k], new[k], &th, o.Threshold))
	}
	return rows
}

func compare(k Key, old, new *Series, th *benchmath.Thresholds, threshold float64) Row {
	r := Row{Key: k}
	switch {
	case old == nil:
		r.Missing = "old"
	case new == nil:
		r.Missing = "new"
	}
	so, sn := sample(old, th), sample(new, th)
	r.Old, r.New = summary(so), summary(sn)
	if r.Missing != "" {
		return r
	}
	r.cmp = benchmath.AssumeNothing.Compare(so, sn)
	r.P, r.Significant = r.cmp.P, r.cmp.P < r.cmp.Alpha
	if r.Old.Median != 0 {
		d := r.New.Median/r.Old.Median - 1
		r.Delta = &d
	}
	up := r.New.Median > r.Old.Median
	r.Regression = r.Significant && up && (r.Delta == nil || *r.Delta > threshold)
	if k.Unit != "sec/op" && min(old.MinIters, new.MinIters) < MinAllocIters {
		r.FewIters, r.Regression = true, false
	}
	if k.Unit == "B/op" && r.New.Median-r.Old.Median < MinBytes {
		r.Regression = false
	}
	return r
}

// sample returns the values of ser (nil: none) as a benchmath sample.
func sample(ser *Series, th *benchmath.Thresholds) *benchmath.Sample {
	var values []float64
	if ser != nil {
		values = slices.Clone(ser.Values) // NewSample sorts them
	}
	return benchmath.NewSample(values, th)
}

func summary(s *benchmath.Sample) Stat {
	if len(s.Values) == 0 {
		return Stat{}
	}
	sum := benchmath.AssumeNothing.Summary(s, 0.95)
	return Stat{Median: sum.Center, Lo: sum.Lo, Hi: sum.Hi, N: len(s.Values), Range: sum.PctRangeString()}
}

// Regressions returns the rows that regressed.
func Regressions(rows []Row) []Row {
	return slices.DeleteFunc(slices.Clone(rows), func(r Row) bool { return !r.Regression })
}
