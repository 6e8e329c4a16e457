package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExitCodes checks the exit status of each kind of outcome, in
// process, and that an error writes nothing.
func TestExitCodes(t *testing.T) {
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOPROXY", "off")
	dir := t.TempDir()
	write(t, dir, "go.mod", "module example.com/m\n\ngo 1.21\n")
	write(t, dir, "a.go", "package m\n\nimport \"io/ioutil\"\n\nvar A = ioutil.Discard\n")
	write(t, dir, "bad.yaml", "name: bad\nrules:\n  - rename: x.Y\n    to: z.W\n")
	write(t, dir, "b.go", "package m\n\nimport (\n\t\"io\"\n\t\"io/ioutil\"\n)\n\nfunc R(r io.Reader) ([]byte, error) { return ioutil.ReadAll(r) }\n")
	write(t, dir, "breaks.yaml", "name: breaks\npackages:\n  ioutil: io/ioutil\n  io: io\nrules:\n  - id: drop\n    call: ioutil.ReadAll($r)\n    to: io.ReadAll()\n")
	cases := []struct {
		name string
		args []string
		want int
		err  string
	}{
		{"list", []string{"list"}, ExitOK, ""},
		{"dry run", []string{"run", "--rules", "ioutil", "--dry-run"}, ExitOK, ""},
		{"unknown rules", []string{"run", "--rules", "nope"}, ExitError, `unknown rule set "nope"`},
		{"bad rule file", []string{"run", "--rules", "bad.yaml"}, ExitError, "bad.yaml:3:"},
		{"bad flag", []string{"run", "--nope"}, ExitError, "unknown flag"},
		{"no rules", []string{"run"}, ExitError, "--rules is required"},
		{"unknown command", []string{"frob"}, ExitError, "unknown command"},
		{"no module", []string{"run", "--rules", "ioutil", "-C", t.TempDir()}, ExitError, "no go.mod"},
		{"rewrite breaks", []string{"run", "--rules", "breaks.yaml", "--no-test"}, ExitError, "b.go:7:57: not enough arguments in call to io.ReadAll"},
		{"rewrite breaks, dry run", []string{"run", "--rules", "breaks.yaml", "--dry-run"}, ExitError, "rule breaks/drop rewrote it, at b.go:8:46 in the original"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(c.args, IO{Stdout: &stdout, Stderr: &stderr, Getwd: func() (string, error) { return dir, nil }})
			if code != c.want {
				t.Errorf("exit %d, want %d; stderr: %s", code, c.want, stderr.String())
			}
			if c.err != "" && !strings.Contains(stderr.String(), c.err) {
				t.Errorf("stderr %q does not mention %q", stderr.String(), c.err)
			}
			if c.want == ExitError && strings.Count(strings.TrimSpace(stderr.String()), "\n") > 0 {
				t.Errorf("error is not one line: %q", stderr.String())
			}
		})
	}
	for _, f := range []string{"a.go", "b.go"} {
		if got := read(t, dir, f); !strings.Contains(got, "io/ioutil") {
			t.Errorf("%s was written by a dry run or a failed run:\n%s", f, got)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".migrate")); err == nil {
		t.Error(".migrate was created by a run that wrote nothing")
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
