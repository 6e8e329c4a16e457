package analyzers_test

import (
	"context"
	"flag"
	"fmt"
	"go/build"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/migrate-tool/migrate/internal/analyzers"
	"github.com/migrate-tool/migrate/rewrite"
	"github.com/migrate-tool/migrate/rewrite/rewritetest"
	"github.com/migrate-tool/migrate/rules/builtin"
)

var allCases = flag.Bool("all-cases", false, "run every golden case of the built-in sets beyond ioutil, not only the representative ones")

// representative are the cases of the built-in sets other than ioutil run
// by default (each case loads its module four times, a few seconds each):
// for go-redis one per version and the crossings of values, manual sites,
// indirect uses and renames; for each other set its central rule group.
// With -all-cases every case runs.
var representative = map[string]bool{
	"redis_v6": true, "redis_v7_indirect": true, "redis_v8_dependency": true,
	"redis_v8_manual": true, "redis_v8_renames": true, "satori_v120": true,
	"satori_gofrs_v120": true, "jwt_claims": true, "pkgerrors_wrap": true,
	"protobuf_ptypes": true,
}

// sampled are the prefixes of the cases that run only when representative
// (or with -all-cases).
var sampled = []string{"redis_", "satori_", "jwt_", "pkgerrors_", "protobuf_"}

// skipped are the golden cases of testdata/rewrite that the analyzers
// cannot be held to, and why.
var skipped = map[string]string{
	"unhandled_files": "cgo: the analyzer sees the files cgo generates, with //line directives, not the file",
	"jwt_gopkg": "gopkg.in/dgrijalva/jwt-go.v3/request imports github.com/dgrijalva/jwt-go, which the case's go.mod does not require: " +
		"rewrite.Run's load adds it (-mod=mod), analysistest's offline load cannot",
}

// TestGoldenCases turns each golden case of testdata/rewrite into an
// analysistest case at test time, so that the two drivers cannot drift:
// the module is extracted, "migrate run" (rewrite.Run) computes the
// findings, each becomes a "// want" comment on its line, and Run on the
// annotated module computes each changed file's .golden. The analyzer of
// the case's rule set (a built-in set's own, else rulefiles with
// -rules) must then report exactly those sites and fix the files into
// exactly those goldens. Files outside the default build configuration
// are not seen by the analyzer and are left out.
func TestGoldenCases(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/rewrite/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden cases found")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if why := skipped[name]; why != "" {
				t.Skip(why)
			}
			if slices.ContainsFunc(sampled, func(p string) bool { return strings.HasPrefix(name, p) }) && !representative[name] && !*allCases {
				t.Skip("not a representative case: run with -all-cases")
			}
			c, err := rewritetest.Load(file)
			if err != nil {
				t.Fatal(err)
			}
			if c.Settings["created"] != "" {
				t.Skip("the rule set adds files, which an analysis fix cannot: RewritePackage reports the file instead")
			}
			if c.Settings["args"] != "" || c.Settings["include-generated"] != "" {
				t.Skip("the case limits the run to files, or rewrites generated files")
			}
			dir := t.TempDir()
			if err := c.Extract(dir); err != nil {
				t.Fatal(err)
			}
			a := analyzerFor(t, c.Settings["rules"])
			annotate(t, dir, c.Settings["rules"])
			goldens(t, dir, c.Settings["rules"])
			analysistest.RunWithSuggestedFixes(t, dir, a, "./...")
		})
	}
}

// analyzerFor returns the analyzer of a built-in set, or rulefiles for
// rule files or several sets.
func analyzerFor(t *testing.T, names string) *analysis.Analyzer {
	if slices.Contains(builtin.Names(), names) {
		s, err := builtin.Load(names)
		if err != nil {
			t.Fatal(err)
		}
		return analyzers.ForSet(s)
	}
	return analyzers.RuleFiles(&analyzers.Options{Rules: names})
}

// run is "migrate run" on the module in dir, without writing.
func run(t *testing.T, dir, names string, includeGenerated bool) *rewrite.Result {
	sets, err := builtin.Resolve(dir, strings.Split(names, ","))
	if err != nil {
		t.Fatal(err)
	}
	// AllowErrors skips the check of the rewrite, which TestGolden in
	// package rewrite makes, and which the analyzers do not.
	res, err := rewrite.Run(context.Background(), rewrite.Options{Dir: dir, Sets: sets, Scratch: true, IncludeGenerated: includeGenerated, AllowErrors: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		if f.Kind == rewrite.Warning && strings.HasSuffix(f.Message, "(reported with partial type information)") {
			t.Skipf("%s: a package does not type-check", f.Message)
		}
	}
	return res
}

// annotate appends to each line where the run finds a site the "// want"
// comment of its message. The sites of generated files are those a run
// that includes them finds; a finding about a whole file is reported at
// its package clause.
func annotate(t *testing.T, dir, names string) {
	res := run(t, dir, names, true)
	want := map[string]map[int][]string{} // file -> line -> messages
	for _, f := range slices.Concat(res.Uses, res.Findings) {
		if f.Kind != rewrite.Rewritable && f.Kind != rewrite.Manual && f.Kind != rewrite.Unhandled {
			continue
		}
		path := filepath.Join(dir, f.Pos.Filename)
		if !inDefaultBuild(path) {
			continue
		}
		line := f.Pos.Line
		if line == 0 {
			line = packageLine(t, path)
		}
		if want[path] == nil {
			want[path] = map[int][]string{}
		}
		msg := strings.TrimSuffix(f.Message, "; "+rewrite.NoCompile)
		want[path][line] = append(want[path][line], strconv.Quote(regexp.QuoteMeta(msg)))
	}
	for path, lines := range want {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if isCRLF(src) {
			line := packageLine(t, path)
			lines[line] = append(lines[line], strconv.Quote("file has CRLF line endings"))
		}
		all := strings.Split(string(src), "\n")
		for line, msgs := range lines {
			text, cr := strings.CutSuffix(all[line-1], "\r")
			all[line-1] = text + " // want " + strings.Join(msgs, " ")
			if cr {
				all[line-1] += "\r"
			}
		}
		if err := os.WriteFile(path, []byte(strings.Join(all, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// goldens writes FILE.golden, the run's output, beside each file the run
// changes in the default build configuration, but files with CRLF line
// endings, which the analyzers report and do not fix.
func goldens(t *testing.T, dir, names string) {
	for _, f := range run(t, dir, names, false).Files {
		if inDefaultBuild(f.Path) && !isCRLF(f.Old) {
			if err := os.WriteFile(f.Path+".golden", f.New, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func isCRLF(src []byte) bool { return strings.Contains(string(src), "\r\n") }

func inDefaultBuild(path string) bool {
	ok, err := build.Default.MatchFile(filepath.Dir(path), filepath.Base(path))
	return err == nil && ok
}

func packageLine(t *testing.T, path string) int {
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(l, "package ") {
			return i + 1
		}
	}
	t.Fatal(fmt.Errorf("%s: no package clause", path))
	return 0
}

func TestMain(m *testing.M) {
	// Offline and on this toolchain; third-party modules come from the
	// module cache (testdata/modcache), go.sum entries are added as needed.
	for k, v := range map[string]string{"GOPROXY": "off", "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod", "GOWORK": "off"} {
		os.Setenv(k, v)
	}
	os.Exit(m.Run())
}
