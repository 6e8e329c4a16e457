package bench

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"golang.org/x/perf/benchunit"
)

// header names each unit in the table, as benchstat did.
var header = map[string]string{"sec/op": "time/op", "B/op": "alloc/op", "allocs/op": "allocs/op"}

// Table formats rows the way benchstat does, one section a package and
// unit: name, old and new medians with their ranges, the delta ("~" when
// not significant), and the p-value with the runs of each side. A
// regression ends its line with "regression".
//
//	pkg: example.com/app/store
//	name             old time/op    new time/op    delta
//	BenchmarkGet-2   2.13µs ± 3%    1.25ms ± 2%    +58523.94%  (p=0.002 n=6+6)  regression
func Table(rows []Row) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	pkg, unit := "", ""
	for i, r := range rows {
		if i == 0 || r.Package != pkg {
			tw.Flush()
			if i > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "pkg: %s\n", r.Package)
			pkg, unit = r.Package, ""
		}
		if r.Unit != unit {
			fmt.Fprintf(tw, "name\told %s\tnew %s\tdelta\t\n", header[r.Unit], header[r.Unit])
			unit = r.Unit
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.Old.format(r.Unit), r.New.format(r.Unit), r.delta(), r.note())
	}
	tw.Flush()
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// format writes a median in its unit with benchstat's range: "2.13µs ±
// 3%".
func (s Stat) format(unit string) string {
	if s.N == 0 {
		return "-"
	}
	return Format(s.Median, unit) + " " + strings.TrimSpace(rangeOf(s))
}

func rangeOf(s Stat) string {
	if s.Range == "" || s.N < 2 {
		return ""
	}
	return "± " + s.Range
}

// Format writes a value of a unit with an SI or binary prefix: 1.25ms,
// 64B, 1.50k (allocs).
func Format(v float64, unit string) string {
	switch unit {
	case "sec/op":
		return benchunit.Scale(v, benchunit.Decimal) + "s"
	case "B/op":
		return benchunit.Scale(v, benchunit.Binary) + "B"
	}
	return benchunit.Scale(v, benchunit.Decimal)
}

// delta is the change of the medians as benchstat writes it: "+12.34%",
// "~" when not significant.
func (r Row) delta() string {
	switch {
	case r.Missing != "":
		return ""
	case r.Delta == nil && r.Significant && r.New.Median > 0:
		return "+Inf%" // from nothing: 0 B/op before
	case r.Delta == nil:
		return "~"
	}
	return r.cmp.FormatDelta(r.Old.Median, r.New.Median)
}

// note is the last column: the test's p-value and runs, and whether the
// row is a regression.
func (r Row) note() string {
	switch {
	case r.Missing != "":
		return "(only in " + other(r.Missing) + ")"
	case r.Regression:
		return "(" + r.cmp.String() + ")  regression"
	case r.FewIters && r.Significant:
		return "(" + r.cmp.String() + ")  not judged: too few iterations a run"
	}
	return "(" + r.cmp.String() + ")"
}

func other(side string) string {
	if side == "old" {
		return "new"
	}
	return "old"
}

// Line names a row in one line for a report: "BenchmarkGet-2 in
// example.com/app/store: time/op 2.13µs -> 1.25ms (+58523.94%, p=0.002)".
func (r Row) Line() string {
	d := "+Inf%"
	if r.Delta != nil {
		d = fmt.Sprintf("%+.2f%%", *r.Delta*100)
	}
	return fmt.Sprintf("%s in %s: %s %s -> %s (%s, p=%.3f)", r.Name, r.Package, header[r.Unit],
		Format(r.Old.Median, r.Unit), Format(r.New.Median, r.Unit), d, r.P)
}
