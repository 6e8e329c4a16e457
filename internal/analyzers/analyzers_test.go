package analyzers

import (
	"go/token"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"

	"github.com/migrate-tool/migrate/rewrite"
	"github.com/migrate-tool/migrate/rules/builtin"
)

// TestNames: each built-in set gets an analyzer named as a Go identifier,
// and the names, with rulefiles, pass analysis.Validate.
func TestNames(t *testing.T) {
	for set, want := range map[string]string{"ioutil": "ioutil", "go-redis-v9": "goredisv9", "satori-uuid": "satoriuuid", "9lives": "set9lives", "a.b_C": "ab_c"} {
		if got := Name(set); got != want {
			t.Errorf("Name(%q) = %q, want %q", set, got, want)
		}
	}
	all, err := All(&Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(builtin.Names())+1 {
		t.Errorf("%d analyzers for %d built-in sets (and rulefiles)", len(all), len(builtin.Names()))
	}
	if err := analysis.Validate(all); err != nil {
		t.Error(err)
	}
}

// TestFileFixHunks: a file changed in two places gets two edits, each
// covering only its lines, which applied in order give the new file.
func TestFileFixHunks(t *testing.T) {
	old := "package p\n\nimport \"io/ioutil\"\n\nvar a = 1\nvar b = 2\nvar c = 3\n\nvar r = ioutil.ReadFile\n"
	new := "package p\n\nimport \"os\"\n\nvar a = 1\nvar b = 2\nvar c = 3\n\nvar r = os.ReadFile\n"
	fset := token.NewFileSet()
	tf := fset.AddFile("p.go", -1, len(old))
	fix := fileFix(tf, &rewrite.FileChange{Path: "p.go", Old: []byte(old), New: []byte(new)}, nil)
	if len(fix.TextEdits) != 2 {
		t.Fatalf("%d edits, want 2: %+v", len(fix.TextEdits), fix.TextEdits)
	}
	var b strings.Builder
	last := 0
	for _, e := range fix.TextEdits {
		b.WriteString(old[last:tf.Offset(e.Pos)])
		b.WriteString(string(e.NewText))
		last = tf.Offset(e.End)
	}
	b.WriteString(old[last:])
	if b.String() != new {
		t.Errorf("edits give\n%s\nwant\n%s", b.String(), new)
	}
}

// TestReadModule reads the module of a file from the go.mod above it, for
// drivers that do not give it.
func TestReadModule(t *testing.T) {
	path, goVersion := readModule("../../golangci/testdata/app/app.go")
	if path != "example.com/app" || goVersion != "1.22" {
		t.Errorf("readModule = %q, %q; want example.com/app, 1.22", path, goVersion)
	}
}
