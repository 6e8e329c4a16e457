package cli

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/migrate-tool/migrate/internal/bench"
	"github.com/migrate-tool/migrate/internal/steps"
)

// benchOptions are run's --bench flags.
type benchOptions struct {
	regexp    string
	count     int
	time      string
	threshold percent
}

// percent is a flag holding a fraction, written as a percentage: "10%" or
// "10" is 0.10.
type percent float64

func (p *percent) String() string { return steps.Percent(float64(*p)) }
func (p *percent) Type() string   { return "percent" }

func (p *percent) Set(s string) error {
	f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if err != nil || f < 0 {
		return fmt.Errorf("want a percentage such as 10%% or 2.5, got %q", s)
	}
	*p = percent(f / 100)
	return nil
}

func addBenchFlags(f *pflag.FlagSet, o *benchOptions) {
	o.threshold = 0.10
	f.StringVar(&o.regexp, "bench", "", "also compare the benchmarks matching `REGEXP` (as go test -bench; . for all) of the changed packages and their importers, before and after each step; a significant slowdown fails the step")
	f.IntVar(&o.count, "bench-count", steps.DefaultBenchCount, "with --bench, runs of each side (at least 4)")
	f.StringVar(&o.time, "bench-time", steps.DefaultBenchTime, "with --bench, go test -benchtime of each run: a `DURATION` or Nx")
	f.Var(&o.threshold, "bench-threshold", "with --bench, the smallest significant (p < 0.05) slowdown, in time or allocations, that fails a step")
}

var benchTimeRE = regexp.MustCompile(`^[1-9][0-9]*x$`)

// check refuses --bench flags that cannot work. f tells which flags were
// given.
func (o *benchOptions) check(f *pflag.FlagSet, run *runOptions) error {
	if o.regexp == "" {
		for _, name := range []string{"bench-count", "bench-time", "bench-threshold"} {
			if f.Changed(name) {
				return usagef("run: --%s goes with --bench", name)
			}
		}
		return nil
	}
	if _, err := regexp.Compile(o.regexp); err != nil {
		return usagef("run: --bench %q: %v", o.regexp, err)
	}
	if d, err := time.ParseDuration(o.time); (err != nil || d <= 0) && !benchTimeRE.MatchString(o.time) {
		return usagef("run: --bench-time %q: want a duration such as 100ms, or a number of iterations such as 50x", o.time)
	}
	switch {
	case o.count < bench.MinRuns:
		return usagef("run: --bench-count %d: with fewer than %d runs a side no difference can be significant at p < 0.05", o.count, bench.MinRuns)
	case run.noTest:
		return usagef("run: --bench is a check, and --no-test skips the checks; drop one of them")
	case run.dryRun && !run.verify:
		return usagef("run: --bench in a dry run goes with --verify (--dry-run --verify --bench REGEXP)")
	}
	return nil
}

func (o *benchOptions) steps() steps.Bench {
	return steps.Bench{Regexp: o.regexp, Count: o.count, Time: o.time, Threshold: float64(o.threshold)}
}

// printBench writes what the benchmarks of the steps showed: for each step
// that compared some, its summary and table; when no step found a
// benchmark, one line that says so. A failed step's summary is its
// reason, printed with the other failures.
func printBench(w io.Writer, rep *steps.Report) {
	var none *steps.BenchReport
	compared := false
	for i, s := range rep.Steps {
		b := s.Bench
		if b == nil {
			continue
		}
		for _, n := range b.Notes {
			fmt.Fprintf(w, "migrate: note: %s\n", n)
		}
		if b.Compared == 0 && b.OK {
			none = b
			continue
		}
		compared = true
		if !b.OK {
			continue
		}
		prefix := "migrate: "
		if len(rep.Steps) > 1 || s.Name != steps.WholeName {
			prefix = fmt.Sprintf("migrate: step %d/%d %s: ", i+1, len(rep.Steps), s.Name)
		}
		fmt.Fprintf(w, "%s%s\n%s", prefix, b.Summary(), indent(b.Table)+"\n")
	}
	if none != nil && !compared {
		fmt.Fprintf(w, "migrate: %s: nothing to compare\n", none.Summary())
	}
}

// failureOutput is what a failed step shows under its reason: the tail of
// the failing check's output, or the benchmarks' table.
func failureOutput(s *steps.StepReport) string {
	switch {
	case s.Verify != nil && !s.Verify.OK:
		return s.Verify.Output
	case s.Bench != nil && s.Bench.Output != "":
		return s.Bench.Output
	case s.Bench != nil:
		return s.Bench.Table
	}
	return ""
}
