package rules_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/migrate-tool/migrate/rewrite"
	"github.com/migrate-tool/migrate/rules"
)

// TestDocRule checks that the Go rule shown in the package doc is the one
// in doc_example_test.go, which compiles, and that it does what the doc
// says when the engine runs it from a rule file.
func TestDocRule(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("doc_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	block := docCodeBlock(string(doc), "// A complete rule")
	if block == "" || !strings.HasSuffix(string(example), "\n\n"+block) {
		t.Fatalf("the rule in doc.go and doc_example_test.go differ; doc.go has:\n%s", block)
	}

	dir := t.TempDir()
	for name, data := range map[string]string{
		"go.mod": "module example.com/p\n\ngo 1.21\n",
		"a.go": "package p\n\nimport \"bytes\"\n\nfunc Same(a, b []byte) bool { return bytes.Compare(a, b) == 0 }\n\n" +
			"func Differ(a, b []byte) bool { return bytes.Compare(a, b) != 0 }\n\nfunc Less(a, b []byte) bool { return bytes.Compare(a, b) < 0 }\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := rules.Parse([]byte("name: doc\nrules:\n  - id: bytes-equal\n    go: bytes-equal\n"), "doc.yaml", rules.Table(BytesEqual))
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod", "GOWORK=off")
	res, err := rewrite.Run(context.Background(), rewrite.Options{Dir: dir, Sets: []*rules.Set{set}, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	want := "package p\n\nimport \"bytes\"\n\nfunc Same(a, b []byte) bool { return bytes.Equal(a, b) }\n\n" +
		"func Differ(a, b []byte) bool { return !bytes.Equal(a, b) }\n\nfunc Less(a, b []byte) bool { return bytes.Compare(a, b) < 0 }\n"
	if len(res.Files) != 1 || string(res.Files[0].New) != want || res.Sites["doc/bytes-equal"] != 2 {
		t.Fatalf("got %d files, sites %v; want a.go as:\n%s", len(res.Files), res.Sites, want)
	}
}

// docCodeBlock returns the first code block (tab-indented comment lines)
// after the line starting with after, without its comment markers.
func docCodeBlock(doc, after string) string {
	_, rest, ok := strings.Cut(doc, "\n"+after)
	if !ok {
		return ""
	}
	var out []string
	for _, line := range strings.Split(rest, "\n")[1:] {
		code, isCode := strings.CutPrefix(line, "//\t")
		switch {
		case isCode:
			out = append(out, code)
		case line == "//" && len(out) > 0:
			out = append(out, "")
		case len(out) > 0:
			return strings.TrimSpace(strings.Join(out, "\n")) + "\n"
		}
	}
	return ""
}
