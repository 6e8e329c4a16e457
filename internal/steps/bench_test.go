package steps

import (
	"strings"
	"testing"
)

// The summary is the line the report, the step's reason and the commit
// message use.
func TestBenchSummary(t *testing.T) {
	cases := []struct {
		r    BenchReport
		want string
	}{
		{BenchReport{OK: true, Regexp: ".", Count: 6, Time: "100ms", Threshold: 0.1, Compared: 12, Packages: []string{"a", "b"}},
			"benchmarks: no regression, 12 compared in 2 packages (6 runs a side, -benchtime=100ms, threshold 10%)"},
		{BenchReport{OK: true, Regexp: "Get", Searched: 3},
			`benchmarks: none matches "Get" in the 3 packages changed or importing them`},
		{BenchReport{Regressions: []string{"BenchmarkA in p: time/op 1ms -> 5ms (+400.00%, p=0.002)"}},
			"benchmark regressed: BenchmarkA in p: time/op 1ms -> 5ms (+400.00%, p=0.002)"},
		{BenchReport{Regressions: []string{"BenchmarkA in p: x", "BenchmarkB in p: y", "BenchmarkC in p: z"}},
			"benchmarks regressed: BenchmarkA in p: x, and 2 more (table below)"},
		{BenchReport{Failed: "the benchmarks of p fail after the step", Regressions: []string{"ignored"}},
			"benchmarks failed: the benchmarks of p fail after the step"},
	}
	for _, c := range cases {
		if got := c.r.Summary(); got != c.want {
			t.Errorf("Summary() = %q, want %q", got, c.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for f, want := range map[float64]string{0.1: "10%", 0.025: "2.5%", 0: "0%", 1.5: "150%"} {
		if got := Percent(f); got != want {
			t.Errorf("Percent(%v) = %q, want %q", f, got, want)
		}
	}
}

// A step's commit message carries the comparison: its summary, and the
// table.
func TestCommitMessageBench(t *testing.T) {
	s := &StepReport{Name: WholeName, Sites: map[string]int{}, RunID: "r1",
		Bench: &BenchReport{OK: true, Count: 6, Time: "20x", Threshold: 0.5, Compared: 1, Packages: []string{"p"},
			Table: "pkg: p\nname  old time/op  new time/op  delta\nBenchmarkA  1ms  1ms  ~  (p=1.000 n=6)\n"}}
	msg := commitMessage(Options{}, s)
	for _, want := range []string{
		"\nBenchmarks: no regression, 1 compared in 1 package (6 runs a side, -benchtime=20x, threshold 50%).\n",
		"\n  pkg: p\n  name  old time/op",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("commit message lacks %q:\n%s", want, msg)
		}
	}
}
