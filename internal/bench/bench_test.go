package bench

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }

// The recorded outputs are six runs of go test -run '^$' -bench .
// -benchmem -count 1 -benchtime 20ms each, interleaved, of a package whose
// BenchmarkGet sleeps 1ms a call in new.txt, whose BenchmarkEncode
// allocates 64 bytes a call in new.txt, and whose BenchmarkKey is the same
// code on both sides.
func parseFile(t *testing.T, name, pkg string) Samples {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := Samples{}
	n, err := s.Parse(f, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if n != 18 {
		t.Fatalf("%s: read %d results, want 18 (3 benchmarks, 6 runs)", name, n)
	}
	return s
}

func TestParse(t *testing.T) {
	s := parseFile(t, "testdata/old.txt", "fallback")
	if got := s.Benchmarks(); got != 3 {
		t.Errorf("Benchmarks() = %d, want 3", got)
	}
	k := Key{Package: "example.com/app/store", Name: "BenchmarkGet-2", Unit: "sec/op"}
	if got := s[k]; got == nil || len(got.Values) != 6 || got.Values[0] != 2046e-9 || got.MinIters != 10000 {
		t.Errorf("%v = %+v, want 6 values starting with 2046ns, at least 10000 iterations (the pkg: line names the package)", k, got)
	}
	k.Unit = "allocs/op"
	if got := s[k]; got == nil || len(got.Values) != 6 || got.Values[0] != 0 {
		t.Errorf("%v = %+v, want 6 zeros", k, got)
	}
}

// A result before any pkg: line (a binary run without a header, or a
// hand-made file) is the package the caller names; lines that are not
// results are skipped.
func TestParseNoHeader(t *testing.T) {
	out := "BenchmarkX/sub-4   \t 100\t 50 ns/op\t 3 MB/s\n--- FAIL: BenchmarkY\n    y_test.go:3: no\nFAIL\n"
	s := Samples{}
	n, err := s.Parse(strings.NewReader(out), "example.com/p")
	if err != nil || n != 1 {
		t.Fatalf("Parse = %d, %v; want 1 result", n, err)
	}
	want := Key{Package: "example.com/p", Name: "BenchmarkX/sub-4", Unit: "sec/op"}
	if len(s) != 1 || s[want] == nil || len(s[want].Values) != 1 || s[want].MinIters != 100 {
		t.Fatalf("samples %v, want only %v (MB/s left out)", s, want)
	}
}

func TestCompareRecorded(t *testing.T) {
	old := parseFile(t, "testdata/old.txt", "")
	new := parseFile(t, "testdata/new.txt", "")
	rows := Compare(old, new, Options{Threshold: 0.10})
	if len(rows) != 9 {
		t.Fatalf("%d rows, want 9 (3 benchmarks x 3 units)", len(rows))
	}
	got := map[string]bool{}
	for _, r := range Regressions(rows) {
		got[r.Name+" "+r.Unit] = true
	}
	for _, want := range []string{"BenchmarkGet-2 sec/op", "BenchmarkEncode-2 B/op", "BenchmarkEncode-2 allocs/op"} {
		if !got[want] {
			t.Errorf("%s is not a regression; regressions: %v", want, got)
		}
	}
	for _, r := range rows {
		if r.Name == "BenchmarkKey-2" && r.Regression {
			t.Errorf("BenchmarkKey-2 (the same code) is a regression: %+v", r)
		}
		// BenchmarkGet sleeps: the runtime's few bytes spread over its
		// 20 iterations are significant, and not judged.
		if r.Name == "BenchmarkGet-2" && r.Unit == "B/op" && (!r.Significant || r.Regression || !r.FewIters) {
			t.Errorf("BenchmarkGet-2 B/op: significant %v (want true), regression %v (want false), few iterations %v (want true)", r.Significant, r.Regression, r.FewIters)
		}
	}
	// Sorted by unit in the order of Units, then name.
	if rows[0].Name != "BenchmarkEncode-2" || rows[0].Unit != "sec/op" || rows[1].Name != "BenchmarkGet-2" || rows[3].Unit != "B/op" {
		t.Errorf("rows not sorted: %v, %v", rows[0].Key, rows[1].Key)
	}
}

func TestTable(t *testing.T) {
	rows := Compare(parseFile(t, "testdata/old.txt", ""), parseFile(t, "testdata/new.txt", ""), Options{Threshold: 0.10})
	tab := Table(rows)
	lines := strings.Split(strings.TrimSpace(tab), "\n")
	if lines[0] != "pkg: example.com/app/store" {
		t.Errorf("first line %q, want the package", lines[0])
	}
	for _, want := range []string{
		`(?m)^name +old time/op +new time/op +delta$`,
		`(?m)^BenchmarkGet-2 +[0-9.]+µs ± [0-9.]+% +[0-9.]+ms ± [0-9.]+% +\+[0-9.]+% +\(p=0\.002 n=6\) +regression$`,
		`(?m)^BenchmarkKey-2 +0\.000B ± 0% +0\.000B ± 0% +~ +\(p=1\.000 n=6\)$`,
		`(?m)^BenchmarkEncode-2 +0\.000 ± 0% +1\.000 ± 0% +\+Inf% +\(p=0\.002 n=6\) +regression$`,
	} {
		if !regexpMatch(want, tab) {
			t.Errorf("table does not match %s:\n%s", want, tab)
		}
	}
}

// samples makes one key's samples, of runs of 1000 iterations.
func samples(k Key, values ...float64) Samples {
	return Samples{k: &Series{Values: values, MinIters: 1000}}
}

func TestThreshold(t *testing.T) {
	old := samples(Key{"p", "BenchmarkA", "sec/op"}, 100, 101, 102, 100, 101, 102)
	new := samples(Key{"p", "BenchmarkA", "sec/op"}, 108, 109, 108, 109, 108, 109)
	r := Compare(old, new, Options{Threshold: 0.10})[0]
	if !r.Significant || r.Regression {
		t.Errorf("+7%% with a 10%% threshold: significant %v (want true), regression %v (want false)", r.Significant, r.Regression)
	}
	r = Compare(old, new, Options{Threshold: 0.05})[0]
	if !r.Regression {
		t.Errorf("+7%% with a 5%% threshold is not a regression: %+v", r)
	}
	// Faster is never a regression, however significant.
	r = Compare(new, old, Options{Threshold: 0})[0]
	if !r.Significant || r.Regression {
		t.Errorf("-7%%: significant %v (want true), regression %v (want false)", r.Significant, r.Regression)
	}
}

// Fewer than 4 runs a side can never reach p < 0.05 with the U test: a
// clear slowdown is then not significant, not a regression.
func TestTooFewRuns(t *testing.T) {
	old := samples(Key{"p", "BenchmarkA", "sec/op"}, 1, 1, 1)
	new := samples(Key{"p", "BenchmarkA", "sec/op"}, 9, 9, 9)
	if r := Compare(old, new, Options{})[0]; r.Significant || r.Regression {
		t.Errorf("3 runs a side: %+v, want neither significant nor a regression", r)
	}
	if MinRuns != 4 {
		t.Errorf("MinRuns = %d, want 4", MinRuns)
	}
	old = samples(Key{"p", "BenchmarkA", "sec/op"}, 1, 1, 1, 1)
	new = samples(Key{"p", "BenchmarkA", "sec/op"}, 9, 9, 9, 9)
	if r := Compare(old, new, Options{})[0]; !r.Regression {
		t.Errorf("%d runs a side: %+v, want a regression", MinRuns, r)
	}
}

func TestMissing(t *testing.T) {
	old := samples(Key{"p", "BenchmarkGone", "sec/op"}, 1, 1, 1, 1)
	new := samples(Key{"p", "BenchmarkNew", "sec/op"}, 1, 1, 1, 1)
	rows := Compare(old, new, Options{})
	if len(rows) != 2 || rows[0].Missing != "new" || rows[1].Missing != "old" || rows[0].Regression {
		t.Fatalf("rows %+v, want BenchmarkGone missing in new, BenchmarkNew in old, no regression", rows)
	}
	if tab := Table(rows); !strings.Contains(tab, "(only in old)") || !strings.Contains(tab, "(only in new)") {
		t.Errorf("table does not say which side ran:\n%s", tab)
	}
}

func TestLine(t *testing.T) {
	old := samples(Key{"example.com/p", "BenchmarkA-2", "sec/op"}, 2e-6, 2e-6, 2e-6, 2e-6)
	new := samples(Key{"example.com/p", "BenchmarkA-2", "sec/op"}, 1e-3, 1e-3, 1e-3, 1e-3)
	got := Compare(old, new, Options{})[0].Line()
	want := "BenchmarkA-2 in example.com/p: time/op 2.000µs -> 1.000ms (+49900.00%, p=0.029)"
	if got != want {
		t.Errorf("Line() = %q, want %q", got, want)
	}
}

// An allocation regression needs at least MinBytes more B/op, and runs of
// at least MinAllocIters iterations.
func TestAllocFloors(t *testing.T) {
	k := Key{"p", "BenchmarkA", "B/op"}
	if r := Compare(samples(k, 0, 0, 0, 0, 0, 0), samples(k, 6, 6, 6, 6, 6, 6), Options{Threshold: 0.1})[0]; !r.Significant || r.Regression {
		t.Errorf("0 -> 6 B/op: %+v, want significant, no regression (under %d bytes)", r, MinBytes)
	}
	if r := Compare(samples(k, 0, 0, 0, 0, 0, 0), samples(k, 8, 8, 8, 8, 8, 8), Options{Threshold: 0.1})[0]; !r.Regression {
		t.Errorf("0 -> 8 B/op: %+v, want a regression", r)
	}
	few := samples(k, 8, 8, 8, 8, 8, 8)
	few[k].MinIters = MinAllocIters - 1
	r := Compare(samples(k, 0, 0, 0, 0, 0, 0), few, Options{Threshold: 0.1})[0]
	if r.Regression || !r.FewIters {
		t.Errorf("0 -> 8 B/op in runs of %d iterations: %+v, want not judged", MinAllocIters-1, r)
	}
	if tab := Table([]Row{r}); !strings.Contains(tab, "not judged: too few iterations a run") {
		t.Errorf("the table does not say why the row is not judged:\n%s", tab)
	}
	// Time is judged however few the iterations.
	kt := Key{"p", "BenchmarkA", "sec/op"}
	slow := samples(kt, 2, 2, 2, 2)
	slow[kt].MinIters = 1
	if r := Compare(samples(kt, 1, 1, 1, 1), slow, Options{Threshold: 0.1})[0]; !r.Regression {
		t.Errorf("1s -> 2s in runs of 1 iteration: %+v, want a regression", r)
	}
}
