package gocmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// PackageTests is what go test did in one package, as its -json events
// tell it.
type PackageTests struct {
	Package string `json:"package"`
	// Passed, Failed and Skipped count the package's top-level tests
	// (examples and fuzz seeds included, subtests not) by outcome. A test
	// that started and never ended (a panic, a timeout) counts as failed.
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	// NoTestFiles tells that the package has no test files: go test only
	// built it.
	NoTestFiles bool `json:"no_test_files,omitempty"`
	// BuildFailed tells that the package or its test did not build.
	BuildFailed bool `json:"build_failed,omitempty"`
	// Fail tells that go test reported the package as failed.
	Fail bool `json:"fail,omitempty"`
	// FailedTests are the names of the top-level tests that failed.
	FailedTests []string `json:"failed_tests,omitempty"`
	// PassedTests are the names of the top-level tests that passed: a
	// re-run of failed tests reads them; the report does not list them.
	PassedTests []string `json:"-"`
}

// Ran returns the number of tests that ran to a pass or a failure.
func (p *PackageTests) Ran() int { return p.Passed + p.Failed }

// TestResult is the outcome of go test -json: the command's Result, whose
// Output is the text go test would have printed without -json (the output
// of failing tests and of the packages, without that of passing tests),
// and what ran in each package.
type TestResult struct {
	*Result
	Packages []*PackageTests
}

// Test runs "go test -json args..." as a Packages command and counts what
// ran. Its stderr (the go command's own errors) comes first in Output.
func (r *Runner) Test(ctx context.Context, args ...string) *TestResult {
	start := time.Now()
	args = slices.Insert(slices.Clone(args), 1, "-json")
	cmd := r.command(ctx, Packages, args)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	pkgs, text := ParseTestJSON(stdout.Bytes())
	res := &Result{Args: args, Output: unOverlay(append(stderr.Bytes(), text...), slices.Concat(r.Flags, args), r.Dir), Duration: time.Since(start)}
	if err != nil {
		res.Err = commandError(args, err)
	}
	return &TestResult{Result: res, Packages: pkgs}
}

// testEvent is one line of go test -json (cmd/test2json).
type testEvent struct {
	Action      string
	Package     string
	ImportPath  string // build-output and build-fail events
	Test        string
	Output      string
	FailedBuild string
}

// pkgText collects one package's text: its own output, and its tests'
// output held until they end.
type pkgText struct {
	tests   *PackageTests
	out     strings.Builder
	pending map[string]*strings.Builder // top-level test -> output so far
	order   []string                    // tests started, in order
	ended   map[string]bool
}

// ParseTestJSON reads go test -json output: what ran in each package, in
// the order the packages started, and the text go test would have printed
// without -json, each package's together. Lines that are not events (a
// vet or build message printed as text) are kept in the text as they are.
func ParseTestJSON(out []byte) ([]*PackageTests, []byte) {
	var order []string
	byPkg := map[string]*pkgText{}
	var loose, build strings.Builder
	pkg := func(name string) *pkgText {
		p := byPkg[name]
		if p == nil {
			p = &pkgText{tests: &PackageTests{Package: name}, pending: map[string]*strings.Builder{}, ended: map[string]bool{}}
			byPkg[name] = p
			order = append(order, name)
		}
		return p
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var e testEvent
		if line := sc.Bytes(); len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			loose.Write(line)
			loose.WriteByte('\n')
			continue
		}
		switch {
		case e.Action == "build-output":
			build.WriteString(e.Output)
		case e.Action == "build-fail" || e.Package == "":
		default:
			pkg(e.Package).add(e)
		}
	}
	var text strings.Builder
	text.WriteString(loose.String())
	text.WriteString(build.String())
	var pkgs []*PackageTests
	for _, name := range order {
		p := byPkg[name]
		p.finish()
		text.WriteString(p.out.String())
		pkgs = append(pkgs, p.tests)
	}
	return pkgs, []byte(text.String())
}

// add takes one event of the package.
func (p *pkgText) add(e testEvent) {
	if e.Test == "" {
		p.pkgEvent(e)
		return
	}
	top, _, sub := strings.Cut(e.Test, "/")
	buf := p.pending[top]
	if buf == nil {
		buf = &strings.Builder{}
		p.pending[top] = buf
		p.order = append(p.order, top)
	}
	switch {
	case e.Action == "output":
		if !strings.HasPrefix(e.Output, "=== ") { // RUN, PAUSE, CONT, NAME: -v only
			buf.WriteString(e.Output)
		}
	case sub:
	case e.Action == "pass" || e.Action == "fail" || e.Action == "skip":
		p.end(top, e.Action)
	}
}

func (p *pkgText) pkgEvent(e testEvent) {
	switch e.Action {
	case "output":
		p.out.WriteString(e.Output)
		if strings.HasSuffix(strings.TrimSpace(e.Output), "[no test files]") {
			p.tests.NoTestFiles = true
		}
	case "fail":
		p.tests.Fail = true
		p.tests.BuildFailed = p.tests.BuildFailed || e.FailedBuild != ""
	}
}

// end records a top-level test's outcome; a failed test's output goes into
// the package's text, before the package's closing lines.
func (p *pkgText) end(test, action string) {
	if p.ended[test] {
		return
	}
	p.ended[test] = true
	switch action {
	case "pass":
		p.tests.Passed++
		p.tests.PassedTests = append(p.tests.PassedTests, test)
	case "skip":
		p.tests.Skipped++
	default:
		p.tests.Failed++
		p.tests.FailedTests = append(p.tests.FailedTests, test)
		p.out.WriteString(p.pending[test].String())
	}
}

// finish counts the tests that started and never ended as failed (their
// output, a panic's included, is what explains the package's failure).
func (p *pkgText) finish() {
	for _, t := range p.order {
		if !p.ended[t] {
			p.end(t, "fail")
		}
	}
}
