// Package rewritetest runs golden cases for rule sets: the harness of the
// built-in rule sets' tests and of "migrate rules test".
//
// A case is a txtar archive: a module (go.mod and its files, stub modules
// wired in with replace directives, an optional rules.yaml), the expected
// content of each file that changes as want/PATH, and the expected
// findings, one per line, in a section named "findings". The archive's
// comment holds settings, one "key: value" a line:
//
//	rules: ioutil            built-in sets or rule files of the archive
//	args: ./a/...            patterns or files (default ./...)
//	tags: integration        build tags for the compile check
//	goos: windows            GOOS for the compile check
//	include-generated: true
//	nocompile: reason        skip the compile check (say why)
//	golden: off              check only the properties below, not want/
//	                         and findings (for generated cases)
//	created: internal/x/     the run must create files under this prefix;
//	                         they are checked like the others but not
//	                         compared with want/ (a template the rule set
//	                         adds, tested on its own)
//
// A case passes when the run's own check passes (every type error of the
// rewrite at a site left for a person, whose finding then says so), the
// output equals want, parses, is gofmt-clean, the module then passes "go
// vet", and a second run changes nothing.
package rewritetest

import (
	"bytes"
	"context"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/txtar"

	"github.com/migrate-tool/migrate/internal/udiff"
	"github.com/migrate-tool/migrate/rewrite"
	"github.com/migrate-tool/migrate/rules"
)

// Case is one golden case.
type Case struct {
	// Path is the archive's file.
	Path string
	// Settings are the archive comment's key: value lines.
	Settings map[string]string
	ar       *txtar.Archive
}

// Load reads a case.
func Load(path string) (*Case, error) {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		return nil, err
	}
	return &Case{Path: path, ar: ar, Settings: parseSettings(ar.Comment)}, nil
}

// New returns the case held by ar, built in memory (by a fuzz test, say):
// Update cannot save it.
func New(ar *txtar.Archive) *Case {
	return &Case{ar: ar, Settings: parseSettings(ar.Comment)}
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

// Resolver loads the rule sets named by a case's "rules" setting, relative
// to the directory the case was extracted in.
type Resolver func(dir string, names []string) ([]*rules.Set, error)

// Result is the outcome of a case.
type Result struct {
	// Problems say what did not hold, each readable on its own (with a
	// unified diff where output differs); none means the case passed.
	Problems []string
	// Got are the changed files' new contents, and Findings the findings
	// as text, for Update.
	Got      map[string]string
	Findings string
}

// Passed reports whether the case passed.
func (r *Result) Passed() bool { return len(r.Problems) == 0 }

func (r *Result) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Run extracts the case into dir, runs the rule sets, and checks the
// outcome. env is the go command's environment.
func (c *Case) Run(ctx context.Context, dir string, resolve Resolver, env []string) (*Result, error) {
	if err := c.Extract(dir); err != nil {
		return nil, err
	}
	sets, err := resolve(dir, strings.Split(c.Settings["rules"], ","))
	if err != nil {
		return nil, err
	}
	res, err := rewrite.Run(ctx, c.Options(dir, sets, env))
	if err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	out := &Result{Got: map[string]string{}, Findings: findingsText(res)}
	created := false
	for _, f := range res.Files {
		if prefix := c.Settings["created"]; prefix != "" && f.Old == nil && strings.HasPrefix(f.Rel, prefix) {
			created = true
		} else {
			out.Got[f.Rel] = string(f.New)
		}
		checkFormatted(out, f)
		if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(f.Path, f.New, f.Mode); err != nil {
			return nil, err
		}
	}
	if c.Settings["created"] != "" && !created {
		out.problem("the run created no file under %s", c.Settings["created"])
	}
	if c.Settings["golden"] != "off" {
		c.compare(out)
	}
	c.compile(ctx, out, dir, env)
	opts := c.Options(dir, sets, env)
	opts.AllowErrors = true // sites left for a person may not compile
	again, err := rewrite.Run(ctx, opts)
	if err != nil {
		out.problem("second run: %v", err)
	} else if changed := rechanged(again, res); len(changed) > 0 {
		out.problem("a second run changed %s again: the rewrite is not idempotent\n%s", changed[0].Rel,
			udiff.Unified(udiff.File{Path: changed[0].Rel, Old: changed[0].Old, New: changed[0].New}))
	}
	return out, nil
}

// rechanged returns the files a second run changed, but those the first
// left as they were because their packages did not type-check: the second
// run goes on with partial type information, which rewrites them.
func rechanged(again, first *rewrite.Result) []*rewrite.FileChange {
	broken := map[string]bool{}
	for _, f := range first.Findings {
		if f.Kind == rewrite.Broken {
			broken[f.Pos.Filename] = true
		}
	}
	return slices.DeleteFunc(slices.Clone(again.Files), func(f *rewrite.FileChange) bool { return broken[f.Rel] })
}

// Options are the options the case runs with in dir.
func (c *Case) Options(dir string, sets []*rules.Set, env []string) rewrite.Options {
	o := rewrite.Options{Dir: dir, Sets: sets, Env: env, Scratch: true, IncludeGenerated: c.Settings["include-generated"] == "true"}
	for _, a := range strings.Fields(c.Settings["args"]) {
		if strings.HasSuffix(a, ".go") {
			o.Files = append(o.Files, a)
		} else {
			o.Patterns = append(o.Patterns, a)
		}
	}
	return o
}

// Extract writes the case's module into dir: every section but want/ and
// findings.
func (c *Case) Extract(dir string) error {
	for _, f := range c.ar.Files {
		if strings.HasPrefix(f.Name, "want/") || f.Name == "findings" {
			continue
		}
		p := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func findingsText(res *rewrite.Result) string {
	var b strings.Builder
	for _, f := range res.Findings {
		b.WriteString(f.String() + "\n")
	}
	return b.String()
}

func checkFormatted(r *Result, f *rewrite.FileChange) {
	// gofmt's own form has "\n" line endings and no byte order mark:
	// the rewrite keeps the file's.
	src := bytes.ReplaceAll(bytes.TrimPrefix(f.New, []byte("\ufeff")), []byte("\r\n"), []byte("\n"))
	out, err := format.Source(src)
	switch {
	case err != nil:
		r.problem("%s: the output does not parse: %v", f.Rel, err)
	case !bytes.Equal(out, src):
		r.problem("%s: the output is not gofmt-clean", f.Rel)
	}
}

func (c *Case) compare(r *Result) {
	want, wantFindings := c.expected()
	for _, name := range sortedKeys(want) {
		g, ok := r.Got[name]
		switch {
		case !ok:
			r.problem("%s: expected a change, got none", name)
		case g != want[name]:
			r.problem("%s differs from want/%s (- want, + got):\n%s", name, name,
				udiff.Unified(udiff.File{Path: name, Old: []byte(want[name]), New: []byte(g)}))
		}
	}
	for _, name := range sortedKeys(r.Got) {
		if _, ok := want[name]; !ok {
			r.problem("%s changed, but the case has no want/%s:\n%s", name, name, r.Got[name])
		}
	}
	if r.Findings != wantFindings {
		r.problem("findings differ (- want, + got):\n%s",
			udiff.Unified(udiff.File{Path: "findings", Old: []byte(wantFindings), New: []byte(r.Findings)}))
	}
}

func (c *Case) expected() (map[string]string, string) {
	want := map[string]string{}
	findings := ""
	for _, f := range c.ar.Files {
		if name, ok := strings.CutPrefix(f.Name, "want/"); ok {
			want[name] = string(f.Data)
		} else if f.Name == "findings" {
			findings = string(f.Data)
		}
	}
	return want, findings
}

func sortedKeys(m map[string]string) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// compile vets the rewritten module with the case's tags and GOOS, so
// every rewritten file is type-checked against the new library.
func (c *Case) compile(ctx context.Context, r *Result, dir string, env []string) {
	if c.Settings["nocompile"] != "" {
		return
	}
	args := []string{"vet"}
	if tags := c.Settings["tags"]; tags != "" {
		args = append(args, "-tags="+tags)
	}
	env = slices.Clone(env)
	if goos := c.Settings["goos"]; goos != "" {
		env = append(env, "GOOS="+goos, "CGO_ENABLED=0")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "./...")...)
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.CombinedOutput(); err != nil {
		r.problem("go %s ./... fails after the rewrite: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// Update rewrites the case's want/ sections and findings from a result.
func (c *Case) Update(r *Result) error {
	if c.Path == "" {
		return fmt.Errorf("update: the case was built in memory, it has no file")
	}
	c.ar.Files = slices.DeleteFunc(c.ar.Files, func(f txtar.File) bool {
		return strings.HasPrefix(f.Name, "want/") || f.Name == "findings"
	})
	for _, n := range sortedKeys(r.Got) {
		c.ar.Files = append(c.ar.Files, txtar.File{Name: "want/" + n, Data: []byte(r.Got[n])})
	}
	if r.Findings != "" {
		c.ar.Files = append(c.ar.Files, txtar.File{Name: "findings", Data: []byte(r.Findings)})
	}
	return os.WriteFile(c.Path, txtar.Format(c.ar), 0o644)
}
