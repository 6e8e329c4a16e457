package rewrite_test

import (
	"bytes"
	"context"
	"flag"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/migrate-tool/migrate/rewrite"
	"github.com/migrate-tool/migrate/rules"
	"github.com/migrate-tool/migrate/rules/builtin"
)

var update = flag.Bool("update", false, "rewrite the golden want/ sections and findings")

// A golden case is a txtar archive in testdata/rewrite: a module (go.mod and
// its files, stub modules wired in with replace directives), optional
// rules.yaml, and the expectation: want/PATH for each file that changes,
// and "findings" listing every finding, one String() a line. The comment
// section holds settings, one "key: value" a line:
//
//	rules: ioutil            built-in sets or rule files of the archive
//	args: ./a/...            patterns or files (default ./...)
//	tags: integration        build tags for the compile check
//	goos: windows            GOOS for an extra compile check
//	include-generated: true
//	nocompile: reason        skip the compile check (the reason is required)
//
// The harness asserts that the output equals want, parses and is
// gofmt-clean, that the module then builds and vets, and that a second run
// changes nothing.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("../testdata/rewrite/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden cases found")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			runGolden(t, file)
		})
	}
}

type goldenCase struct {
	path     string
	ar       *txtar.Archive
	settings map[string]string
	dir      string
}

func runGolden(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c := &goldenCase{path: file, ar: ar, settings: parseSettings(ar.Comment), dir: t.TempDir()}
	c.extract(t)
	res := c.run(t)
	got := map[string]string{}
	for _, f := range res.Files {
		got[f.Rel] = string(f.New)
		checkFormatted(t, f)
		if err := os.WriteFile(f.Path, f.New, f.Mode); err != nil {
			t.Fatal(err)
		}
	}
	findings := findingsText(res)
	if *update {
		c.update(t, got, findings)
		return
	}
	c.compare(t, got, findings)
	c.compile(t)
	if again := c.run(t); len(again.Files) > 0 {
		t.Errorf("second run changed %d files (first: %s); the rewrite is not idempotent:\n%s", len(again.Files), again.Files[0].Rel, again.Files[0].New)
	}
}

func parseSettings(comment []byte) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(string(comment), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}

func (c *goldenCase) extract(t *testing.T) {
	for _, f := range c.ar.Files {
		if strings.HasPrefix(f.Name, "want/") || f.Name == "findings" {
			continue
		}
		p := filepath.Join(c.dir, f.Name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func (c *goldenCase) run(t *testing.T) *rewrite.Result {
	t.Helper()
	var sets []*rules.Set
	for _, name := range strings.Split(c.settings["rules"], ",") {
		s, err := builtin.Resolve(c.dir, []string{strings.TrimSpace(name)})
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, s...)
	}
	opts := rewrite.Options{Dir: c.dir, Sets: sets, Env: goEnv(), IncludeGenerated: c.settings["include-generated"] == "true"}
	for _, a := range strings.Fields(c.settings["args"]) {
		if strings.HasSuffix(a, ".go") {
			opts.Files = append(opts.Files, a)
		} else {
			opts.Patterns = append(opts.Patterns, a)
		}
	}
	res, err := rewrite.Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return res
}

// goEnv keeps the go command offline and on this toolchain.
func goEnv() []string {
	return append(os.Environ(), "GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod", "GOWORK=off")
}

func findingsText(res *rewrite.Result) string {
	var b strings.Builder
	for _, f := range res.Findings {
		b.WriteString(f.String() + "\n")
	}
	return b.String()
}

func checkFormatted(t *testing.T, f *rewrite.FileChange) {
	src := bytes.ReplaceAll(f.New, []byte("\r\n"), []byte("\n"))
	out, err := format.Source(src)
	if err != nil {
		t.Errorf("%s: output does not parse: %v", f.Rel, err)
	} else if !bytes.Equal(out, src) {
		t.Errorf("%s: output is not gofmt-clean", f.Rel)
	}
}

func (c *goldenCase) compare(t *testing.T, got map[string]string, findings string) {
	want := map[string]string{}
	wantFindings := ""
	for _, f := range c.ar.Files {
		if name, ok := strings.CutPrefix(f.Name, "want/"); ok {
			want[name] = string(f.Data)
		} else if f.Name == "findings" {
			wantFindings = string(f.Data)
		}
	}
	for name, w := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s: expected a change, got none", name)
		} else if g != w {
			t.Errorf("%s: output differs from want/%s:\n--- got ---\n%s\n--- want ---\n%s", name, name, g, w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: changed but has no want/%s:\n%s", name, name, got[name])
		}
	}
	if findings != wantFindings {
		t.Errorf("findings differ:\n--- got ---\n%s--- want ---\n%s", findings, wantFindings)
	}
}

// compile builds and vets the rewritten module, with the case's tags and
// GOOS, so every rewritten file is type-checked.
func (c *goldenCase) compile(t *testing.T) {
	if reason := c.settings["nocompile"]; reason != "" {
		t.Logf("compile check skipped: %s", reason)
		return
	}
	args := []string{"vet"}
	if tags := c.settings["tags"]; tags != "" {
		args = append(args, "-tags="+tags)
	}
	env := goEnv()
	if goos := c.settings["goos"]; goos != "" {
		env = append(env, "GOOS="+goos, "CGO_ENABLED=0")
	}
	cmd := exec.Command("go", append(args, "./...")...)
	cmd.Dir, cmd.Env = c.dir, env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("go %s ./... after the rewrite: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// update rewrites the want/ sections and findings from the actual output.
func (c *goldenCase) update(t *testing.T, got map[string]string, findings string) {
	files := slices.DeleteFunc(c.ar.Files, func(f txtar.File) bool {
		return strings.HasPrefix(f.Name, "want/") || f.Name == "findings"
	})
	var names []string
	for n := range got {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		files = append(files, txtar.File{Name: "want/" + n, Data: []byte(got[n])})
	}
	if findings != "" {
		files = append(files, txtar.File{Name: "findings", Data: []byte(findings)})
	}
	c.ar.Files = files
	if err := os.WriteFile(c.path, txtar.Format(c.ar), 0o644); err != nil {
		t.Fatal(err)
	}
}
