package rewrite_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/migrate-tool/migrate/rewrite/rewritetest"
	"github.com/migrate-tool/migrate/rules/builtin"
)

// FuzzRewrite applies the ioutil rule set to a Go file built from the
// fuzzer's bytes by a small grammar (see generate): io/ioutil under several
// names, calls and function values, local and package-level names that
// collide with io and os, comments, build tags, line endings and a byte
// order mark. The output must parse, be gofmt-clean, pass go vet, and be
// left alone by a second run. One input in four is first damaged at a
// place the bytes choose: migrate must then refuse it with an error, or
// rewrite it with the same guarantees; it must never panic or report a bug
// of its own.
func FuzzRewrite(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &choices{data: data}
		damaged := c.pick(4) == 0
		src, tags := generate(c)
		src = withEndings(src, c)
		if damaged {
			src = damage(src, c)
		}
		ar := fuzzCase(src, tags)
		res, err := rewritetest.New(ar).Run(context.Background(), t.TempDir(), builtin.Resolve, goEnv())
		switch {
		case err != nil && (!damaged || isBug(err.Error())):
			t.Fatalf("%v\ninput:\n%s", err, src)
		case err != nil:
			return // refused, as it should be
		}
		for _, p := range res.Problems {
			if damaged && strings.HasPrefix(p, "go vet") && !vets(t, ar, tags) {
				continue // the damaged input did not pass go vet either
			}
			t.Errorf("%s\ninput:\n%s", p, src)
		}
		if got, ok := res.Got["a.go"]; ok {
			if err := keptBytes(src, got); err != nil {
				t.Errorf("%v\ninput:\n%q\noutput:\n%q", err, src, got)
			}
		}
		if !damaged && strings.Contains(src, "\r\n") {
			sameAsLF(t, src, tags, res.Got["a.go"])
		}
	})
}

// sameAsLF checks that a file with CRLF lines is rewritten like its LF
// version, line for line: only endings may differ (an empty CRLF line once
// vanished in the rewrite).
func sameAsLF(t *testing.T, src, tags, got string) {
	t.Helper()
	lf := strings.ReplaceAll(src, "\r\n", "\n")
	res, err := rewritetest.New(fuzzCase(lf, tags)).Run(context.Background(), t.TempDir(), builtin.Resolve, goEnv())
	if err != nil {
		t.Fatalf("LF version: %v\ninput:\n%q", err, lf)
	}
	if want := res.Got["a.go"]; strings.ReplaceAll(got, "\r\n", "\n") != want {
		t.Errorf("the CRLF file's rewrite differs from its LF version's beyond line endings\ninput:\n%q\noutput:\n%q\nLF output:\n%q", src, got, want)
	}
}

// keptBytes checks that the rewrite kept the byte order mark, and line
// endings where a file has one kind.
func keptBytes(old, new string) error {
	if strings.HasPrefix(old, "\ufeff") != strings.HasPrefix(new, "\ufeff") {
		return errors.New("the byte order mark was not kept")
	}
	crlf := func(s string) int { return strings.Count(s, "\r\n") }
	lf := func(s string) int { return strings.Count(s, "\n") - crlf(s) }
	switch {
	case crlf(old) == 0 && crlf(new) > 0:
		return errors.New("an LF file got CRLF line endings")
	case lf(old) == 0 && crlf(old) > 0 && lf(new) > 0:
		return errors.New("a CRLF file got LF line endings")
	}
	return nil
}

// fuzzCase returns a golden case without want/ sections for src.
func fuzzCase(src, tags string) *txtar.Archive {
	comment := "rules: ioutil\ngolden: off\n"
	if tags != "" && tags != "-" {
		comment += "tags: " + tags + "\n"
	}
	return &txtar.Archive{Comment: []byte(comment), Files: []txtar.File{
		{Name: "go.mod", Data: []byte("module example.com/m\n\ngo 1.21\n")},
		{Name: "m.go", Data: []byte("package m\n")}, // so that some file is always built
		{Name: "a.go", Data: []byte(src)},
	}}
}

// isBug reports whether an error is one migrate gives for a bug of its own.
func isBug(msg string) bool {
	return strings.Contains(msg, "bug in migrate") || strings.Contains(msg, "please report")
}

// damage changes src at a place c chooses: deletes a few bytes, inserts or
// replaces one, or cuts the file short.
func damage(src string, c *choices) string {
	at := (c.pick(256)<<8 | c.pick(256)) % (len(src) + 1)
	const tricky = "{}()[]\"`'/*\n\r\x00\xff\\.:=;,"
	switch c.pick(4) {
	case 0:
		return src[:at] + src[min(at+1+c.pick(8), len(src)):]
	case 1:
		return src[:at] + string(tricky[c.pick(len(tricky))]) + src[at:]
	case 2:
		if at < len(src) {
			return src[:at] + string([]byte{byte(c.pick(256))}) + src[at+1:]
		}
	}
	return src[:at]
}

// vets reports whether the case's module, as it is before the rewrite,
// passes go vet.
func vets(t *testing.T, ar *txtar.Archive, tags string) bool {
	dir := t.TempDir()
	for _, f := range ar.Files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"vet"}
	if tags != "" && tags != "-" {
		args = append(args, "-tags="+tags)
	}
	cmd := exec.Command("go", append(args, "./...")...)
	cmd.Dir, cmd.Env = dir, goEnv()
	return cmd.Run() == nil
}
