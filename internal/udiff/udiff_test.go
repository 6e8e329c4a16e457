package udiff

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

type testCase struct {
	name string
	file File
	want string // exact output, when not empty
	// otherMinimal says git diff picks another minimal diff.
	otherMinimal bool
}

// lines returns the lines n, n+1, ... m-1 as "line N\n".
func lines(n, m int) string {
	var b strings.Builder
	for i := n; i < m; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	return b.String()
}

// modify returns File{Path: "f.txt"} from old and new text.
func modify(old, new string) File {
	return File{Path: "f.txt", Old: []byte(old), New: []byte(new)}
}

var cases = []testCase{
	{name: "single line", file: modify("a\n", "b\n"),
		want: "diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -1 +1 @@\n-a\n+b\n"},
	{name: "append one line", file: modify("a\n", "a\nb\n"),
		want: "diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -1 +1,2 @@\n a\n+b\n"},
	{name: "change at start", file: modify(lines(0, 10), "first\n"+lines(1, 10)),
		want: "diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -1,4 +1,4 @@\n-line 0\n+first\n line 1\n line 2\n line 3\n"},
	{name: "insert at start", file: modify(lines(0, 10), "new\n"+lines(0, 10))},
	{name: "change in middle", file: modify(lines(0, 20), lines(0, 10)+"middle\n"+lines(11, 20)),
		want: "diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -8,7 +8,7 @@\n line 7\n line 8\n line 9\n-line 10\n+middle\n line 11\n line 12\n line 13\n"},
	{name: "insert in middle", file: modify(lines(0, 20), lines(0, 10)+"x\ny\n"+lines(10, 20))},
	{name: "delete in middle", file: modify(lines(0, 20), lines(0, 8)+lines(12, 20))},
	{name: "change at end", file: modify(lines(0, 20), lines(0, 19)+"last\n")},
	{name: "delete at end", file: modify(lines(0, 20), lines(0, 17))},
	{name: "append at end", file: modify(lines(0, 20), lines(0, 20)+"more\n")},
	{name: "edits 6 apart share a hunk", file: modify(lines(0, 20), lines(0, 4)+"A\n"+lines(5, 11)+"B\n"+lines(12, 20))},
	{name: "edits 7 apart make two hunks", file: modify(lines(0, 20), lines(0, 4)+"A\n"+lines(5, 12)+"B\n"+lines(13, 20))},
	{name: "many hunks", file: modify(lines(0, 100), lines(0, 10)+"a\n"+lines(11, 30)+lines(31, 60)+"b\nc\n"+lines(60, 62)+"d\n"+lines(63, 99))},
	{name: "no newline old", file: modify("a\nb\nc", "a\nb\nc\n"),
		want: "diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +1,3 @@\n a\n b\n-c\n\\ No newline at end of file\n+c\n"},
	{name: "no newline new", file: modify("a\nb\nc\n", "a\nb\nc")},
	{name: "no newline both, last changed", file: modify(lines(0, 9)+"end", lines(0, 9)+"END")},
	{name: "no newline both, last in context", file: modify(lines(0, 9)+"end", lines(0, 7)+"x\n"+lines(8, 9)+"end")},
	{name: "no newline both, add after", file: modify("a\nb", "a\nb\nc")},
	{name: "CRLF change", file: modify("a\r\nb\r\nc\r\nd\r\n", "a\r\nB\r\nc\r\nd\r\n")},
	{name: "CRLF no newline", file: modify("a\r\nb\r\nc\r", "a\r\nb\r\nC\r")},
	{name: "LF to CRLF", file: modify("a\nb\nc\n", "a\r\nb\r\nc\r\n")},
	{name: "CR only line ends", file: modify("a\rb\rc\r", "a\rB\rc\r")},
	{name: "empty old", file: modify("", "a\nb\n"),
		want: "diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -0,0 +1,2 @@\n+a\n+b\n"},
	{name: "empty new", file: modify("a\nb\n", ""),
		want: "diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +0,0 @@\n-a\n-b\n"},
	{name: "empty old, new without newline", file: modify("", "a")},
	{name: "duplicate lines", file: modify("{\n}\n\n{\n}\n\n{\n}\n", "{\n}\n{\n\n}\n\n{\n}\n}\n")},
	{name: "blank lines", file: modify("\n\n\n\n\n", "\n\nx\n\n\n"), otherMinimal: true},
	// go-diff's half-match heuristic, on when DiffTimeout > 0, gives 9
	// changed lines here instead of 5.
	{name: "half-match trap", file: modify(strings.Join(strings.Split("dcaccaccadcba", ""), "\n"),
		strings.Join(strings.Split("dcccxdaccacbba", ""), "\n")), otherMinimal: true},
	{name: "whole replacement", file: modify(lines(0, 10), lines(10, 25))},
	{name: "invalid UTF-8", file: modify("caf\xe9\n\xff\xfe\n", "caf\xe9!\n\xff\xfe\n")},
	{name: "unicode", file: modify("héllo\n世界\n", "héllo\n世界!\n")},
	{name: "new file", file: File{Path: "f.txt", New: []byte("a\nb\n")},
		want: "diff --git a/f.txt b/f.txt\nnew file mode 100644\n--- /dev/null\n+++ b/f.txt\n@@ -0,0 +1,2 @@\n+a\n+b\n"},
	{name: "new file without newline", file: File{Path: "f.txt", New: []byte("a")}},
	{name: "new empty file", file: File{Path: "f.txt", New: []byte{}},
		want: "diff --git a/f.txt b/f.txt\nnew file mode 100644\n"},
	{name: "new executable", file: File{Path: "bin/run.sh", New: []byte("#!/bin/sh\n"), NewMode: 0o755}},
	{name: "new file in new dir", file: File{Path: "a/b/c.txt", New: []byte("x\n")}},
	{name: "deleted file", file: File{Path: "f.txt", Old: []byte("a\nb\n")},
		want: "diff --git a/f.txt b/f.txt\ndeleted file mode 100644\n--- a/f.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n"},
	{name: "deleted file without newline", file: File{Path: "f.txt", Old: []byte("a\nb")}},
	{name: "deleted empty file", file: File{Path: "f.txt", Old: []byte{}}},
	{name: "deleted executable", file: File{Path: "f.sh", Old: []byte("x\n"), OldMode: 0o755}},
	{name: "mode only", file: File{Path: "f.sh", Old: []byte("x\n"), New: []byte("x\n"), OldMode: 0o644, NewMode: 0o755},
		want: "diff --git a/f.sh b/f.sh\nold mode 100644\nnew mode 100755\n"},
	{name: "mode and content", file: File{Path: "f.sh", Old: []byte("x\n"), New: []byte("y\n"), OldMode: 0o755, NewMode: 0o644}},
	{name: "same mode shown", file: File{Path: "f.sh", Old: []byte("x\n"), New: []byte("y\n"), OldMode: 0o755, NewMode: 0o755}},
	{name: "path with space", file: File{Path: "dir/with space.txt", Old: []byte("a\n"), New: []byte("b\n")}},
	{name: "path with quote", file: File{Path: `say "hi".txt`, Old: []byte("a\n"), New: []byte("b\n")}},
	{name: "path with tab and backslash", file: File{Path: "t\tb\\s.txt", Old: []byte("a\n"), New: []byte("b\n")}},
	{name: "path with newline, created", file: File{Path: "n\nl.txt", New: []byte("b\n")}},
	{name: "unicode path", file: File{Path: "dossier/été.txt", Old: []byte("a\n"), New: []byte("b\n")}},
}

func TestUnifiedGolden(t *testing.T) {
	for _, c := range cases {
		if c.want == "" {
			continue
		}
		if got := Unified(c.file); got != c.want {
			t.Errorf("%s: got\n%s\nwant\n%s", c.name, got, c.want)
		}
	}
}

func TestUnifiedEqual(t *testing.T) {
	for _, f := range []File{
		{Path: "f"},
		modify("", ""),
		modify("a\nb", "a\nb"),
		{Path: "f", Old: []byte("a\n"), New: []byte("a\n"), OldMode: 0o644},
		{Path: "f", Old: []byte("a\n"), New: []byte("a\n"), OldMode: 0o755, NewMode: 0o700},
	} {
		if got := Unified(f); got != "" {
			t.Errorf("Unified(%+v) = %q, want \"\"", f, got)
		}
		if a, r := Stats(f); a != 0 || r != 0 {
			t.Errorf("Stats(%+v) = %d, %d, want 0, 0", f, a, r)
		}
	}
}

// TestUnifiedSelfApply checks every case with the in-test applier.
func TestUnifiedSelfApply(t *testing.T) {
	for _, c := range cases {
		checkSelfApply(t, c.name, c.file, Unified(c.file))
	}
}

// TestUnifiedMinimal checks that every case's diff is minimal.
func TestUnifiedMinimal(t *testing.T) {
	for _, c := range cases {
		checkMinimal(t, c.name, c.file, Unified(c.file))
	}
}

// TestUnifiedGitApply applies every case with git in a fresh repository.
func TestUnifiedGitApply(t *testing.T) {
	requireGit(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := gitRepo(t)
			writeOld(t, dir, c.file)
			patch := Unified(c.file)
			git(t, dir, patch, "apply", "--check")
			checkNumstat(t, dir, c.file, patch)
			git(t, dir, patch, "apply")
			checkNew(t, dir, c.file)
		})
	}
}

// TestUnifiedLikeGitDiff compares the hunks with those of `git diff` for
// the changes of content, except where git picks another minimal diff.
func TestUnifiedLikeGitDiff(t *testing.T) {
	requireGit(t)
	funcName := regexp.MustCompile(`(?m)^(@@ [^@]* @@).*$`)
	for _, c := range cases {
		f := c.file
		if f.Old == nil || f.New == nil || c.otherMinimal {
			continue
		}
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "old"), f.Old, 0o644)
		writeFile(t, filepath.Join(dir, "new"), f.New, 0o644)
		out, _ := gitCmd(dir, "", "diff", "--no-index", "--no-color", "old", "new").Output()
		want := funcName.ReplaceAllString(hunksOf(string(out)), "$1")
		if got := hunksOf(Unified(f)); got != want {
			t.Errorf("%s: got\n%s\ngit diff gives\n%s", c.name, got, want)
		}
	}
}

// hunksOf returns the diff from its first hunk on.
func hunksOf(diff string) string {
	if i := strings.Index(diff, "\n@@ "); i >= 0 {
		return diff[i+1:]
	}
	return ""
}

func TestHunkRange(t *testing.T) {
	for _, c := range []struct {
		start, end int
		want       string
	}{
		{0, 0, "0,0"}, {5, 5, "5,0"}, {0, 1, "1"}, {9, 10, "10"}, {0, 2, "1,2"}, {9, 16, "10,7"},
	} {
		if got := hunkRange(c.start, c.end); got != c.want {
			t.Errorf("hunkRange(%d, %d) = %q, want %q", c.start, c.end, got, c.want)
		}
	}
}

func TestGitMode(t *testing.T) {
	for m, want := range map[fs.FileMode]string{
		0: "100644", 0o644: "100644", 0o600: "100644", 0o755: "100755", 0o700: "100755",
		fs.ModeSymlink | 0o777: "120000",
	} {
		if got := gitMode(m); got != want {
			t.Errorf("gitMode(%v) = %s, want %s", m, got, want)
		}
	}
}

func TestQuote(t *testing.T) {
	for name, want := range map[string]string{
		"a/b c.txt": "a/b c.txt", "a/été": "a/été", `a/"x"`: `"a/\"x\""`,
		"a/t\tb": `"a/t\011b"`, `a/\`: `"a/\\"`, "a/\x7f": `"a/\177"`,
	} {
		if got := quote(name); got != want {
			t.Errorf("quote(%q) = %s, want %s", name, got, want)
		}
	}
}

// TestUnifiedProperty diffs random small files, many with repeated lines,
// and checks that the in-test applier, then git (once, for all files),
// turn Old into New, and that the diff is minimal.
func TestUnifiedProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var files []File
	var all strings.Builder
	for i := range 200 {
		f := randomChange(rng, fmt.Sprintf("f%03d.txt", i))
		patch := Unified(f)
		name := fmt.Sprintf("case %d: %q -> %q", i, f.Old, f.New)
		if !checkSelfApply(t, name, f, patch) {
			continue
		}
		checkMinimal(t, name, f, patch)
		files = append(files, f)
		all.WriteString(patch)
	}
	requireGit(t)
	dir := gitRepo(t)
	for _, f := range files {
		writeOld(t, dir, f)
	}
	git(t, dir, all.String(), "apply")
	for _, f := range files {
		checkNew(t, dir, f)
	}
}

// randomChange returns a random file change, with lines drawn from a
// small set so that lines repeat.
func randomChange(rng *rand.Rand, path string) File {
	old := randomLines(rng, rng.IntN(25))
	new := append([]string(nil), old...)
	for range rng.IntN(6) {
		at := rng.IntN(len(new) + 1)
		switch rng.IntN(3) {
		case 0:
			new = insertAt(new, at, randomLines(rng, 1+rng.IntN(3)))
		case 1:
			new = append(new[:at], new[min(len(new), at+1+rng.IntN(3)):]...)
		case 2:
			new = insertAt(append(new[:at], new[min(len(new), at+1):]...), at, randomLines(rng, 1))
		}
	}
	f := File{Path: path, Old: joinLines(rng, old), New: joinLines(rng, new)}
	switch rng.IntN(20) {
	case 0:
		f.Old = nil
	case 1:
		f.New = nil
	}
	return f
}

var alphabet = []string{"a\n", "b\n", "c\n", "\n", "}\n", "a\r\n", "b\r\n", "x y\n"}

func randomLines(rng *rand.Rand, n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return s
}

func insertAt(s []string, at int, add []string) []string {
	return append(s[:at], append(add, s[at:]...)...)
}

// joinLines joins lines, dropping the last "\n" one time in four.
func joinLines(rng *rand.Rand, lines []string) []byte {
	b := []byte(strings.Join(lines, ""))
	if len(b) > 0 && rng.IntN(4) == 0 {
		b = b[:len(b)-1]
	}
	return b
}

// checkMinimal checks that Stats agrees with the patch and with the
// longest common subsequence of lines.
func checkMinimal(t *testing.T, name string, f File, patch string) {
	t.Helper()
	added, removed := Stats(f)
	plus, minus := countChanges(patch)
	if added != plus || removed != minus {
		t.Errorf("%s: Stats = +%d -%d, patch has +%d -%d", name, added, removed, plus, minus)
	}
	old, new := splitLines(f.Old), splitLines(f.New)
	common := lcs(old, new)
	if added != len(new)-common || removed != len(old)-common {
		t.Errorf("%s: Stats = +%d -%d, minimal is +%d -%d", name, added, removed, len(new)-common, len(old)-common)
	}
}

// countChanges counts the "+" and "-" lines of a patch's hunks.
func countChanges(patch string) (plus, minus int) {
	inHunk := false
	for _, l := range strings.SplitAfter(patch, "\n") {
		switch {
		case strings.HasPrefix(l, "@@ "):
			inHunk = true
		case strings.HasPrefix(l, "diff --git "):
			inHunk = false
		case inHunk && strings.HasPrefix(l, "+"):
			plus++
		case inHunk && strings.HasPrefix(l, "-"):
			minus++
		}
	}
	return plus, minus
}

// lcs returns the length of a longest common subsequence of a and b.
func lcs(a, b []string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// largeChange returns a file of n distinct lines changed by k scattered
// edits, with the true numbers of lines added and removed.
func largeChange(n, k int) (f File, added, removed int) {
	rng := rand.New(rand.NewPCG(3, 4))
	old := strings.Split(strings.TrimSuffix(lines(0, n), "\n"), "\n")
	var new []string
	edited := map[int]bool{}
	for _, i := range rng.Perm(n)[:k] {
		edited[i] = true
	}
	for i, l := range old {
		if !edited[i] {
			new = append(new, l)
			continue
		}
		switch i % 3 {
		case 0: // replace
			new, added, removed = append(new, "edited "+l), added+1, removed+1
		case 1: // delete
			removed++
		case 2: // insert before
			new, added = append(new, "inserted "+l, l), added+1
		}
	}
	f = File{Path: "large.txt", Old: []byte(strings.Join(old, "\n") + "\n"), New: []byte(strings.Join(new, "\n") + "\n")}
	return f, added, removed
}

func TestUnifiedLarge(t *testing.T) {
	f, wantAdded, wantRemoved := largeChange(20000, 500)
	start := time.Now()
	patch := Unified(f)
	t.Logf("20k lines, 500 edits: %v, %d bytes of diff", time.Since(start), len(patch))
	added, removed := Stats(f)
	if added != wantAdded || removed != wantRemoved {
		t.Errorf("Stats = +%d -%d, want +%d -%d", added, removed, wantAdded, wantRemoved)
	}
	if plus, minus := countChanges(patch); plus != wantAdded || minus != wantRemoved {
		t.Errorf("patch has +%d -%d, want +%d -%d", plus, minus, wantAdded, wantRemoved)
	}
	checkSelfApply(t, "large", f, patch)
	requireGit(t)
	dir := gitRepo(t)
	writeOld(t, dir, f)
	git(t, dir, patch, "apply")
	checkNew(t, dir, f)
}

// TestUnifiedRewrite checks that rewriting a large file, the worst case
// of Myers's algorithm, stays fast.
func TestUnifiedRewrite(t *testing.T) {
	f := modify(lines(0, 50000), strings.ReplaceAll(lines(0, 50000), "line", "LINE"))
	start := time.Now()
	patch := Unified(f)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Unified took %v", d)
	}
	checkSelfApply(t, "rewrite", f, patch)
}

// TestUnifiedTooManyLines checks the fallback past maxLines distinct
// lines: one hunk replacing the whole file.
func TestUnifiedTooManyLines(t *testing.T) {
	if testing.Short() {
		t.Skip("large input")
	}
	old := lines(0, maxLines/2+1)
	f := modify(old, old+"more\n")
	patch := Unified(f)
	if added, removed := Stats(f); added != maxLines/2+2 || removed != maxLines/2+1 {
		t.Errorf("Stats = +%d -%d, want the whole file", added, removed)
	}
	checkSelfApply(t, "too many lines", f, patch)
}

func BenchmarkUnifiedLarge(b *testing.B) {
	f, _, _ := largeChange(20000, 500)
	for b.Loop() {
		Unified(f)
	}
}

// checkSelfApply applies patch to f.Old with the in-test applier and
// compares the result with f.New.
func checkSelfApply(t *testing.T, name string, f File, patch string) bool {
	t.Helper()
	got, err := applyPatch(f.Old, patch)
	if err != nil {
		t.Errorf("%s: %v\npatch:\n%s", name, err, patch)
		return false
	}
	if !bytes.Equal(got, f.New) || (got == nil) != (f.New == nil) {
		t.Errorf("%s: applying gives %q, want %q\npatch:\n%s", name, got, f.New, patch)
		return false
	}
	return true
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@\n$`)

// applyPatch applies a one-file patch from Unified to old, strictly: the
// header counts and positions and every context and "-" line must match.
// It returns nil when the patch deletes the file.
func applyPatch(old []byte, patch string) ([]byte, error) {
	if patch == "" {
		return old, nil
	}
	pl := strings.SplitAfter(patch, "\n")
	src := splitLines(old)
	var out []string
	at, i := 0, 0
	for i < len(pl) && !strings.HasPrefix(pl[i], "@@ ") {
		i++
	}
	for i < len(pl)-1 {
		oldH, newH, next, err := readHunk(pl, i)
		if err != nil {
			return nil, err
		}
		m := hunkHeader.FindStringSubmatch(pl[i])
		start := position(m[1], len(oldH))
		if start < at || start+len(oldH) > len(src) {
			return nil, fmt.Errorf("hunk %q out of order or range", pl[i])
		}
		out = append(out, src[at:start]...)
		if position(m[3], len(newH)) != len(out) {
			return nil, fmt.Errorf("hunk %q: new side starts at line %d", pl[i], len(out)+1)
		}
		if strings.Join(src[start:start+len(oldH)], "") != strings.Join(oldH, "") {
			return nil, fmt.Errorf("hunk %q does not match the old lines", pl[i])
		}
		out, at, i = append(out, newH...), start+len(oldH), next
	}
	out = append(out, src[at:]...)
	if strings.Contains(patch, "\n+++ /dev/null\n") || strings.Contains(patch, "\ndeleted file mode ") {
		if len(out) > 0 {
			return nil, fmt.Errorf("deleted file keeps %q", out)
		}
		return nil, nil
	}
	return []byte(strings.Join(out, "")), nil
}

// position returns the 0-based first line of a hunk side from its header
// number l and its line count.
func position(l string, count int) int {
	n, _ := strconv.Atoi(l)
	if count == 0 {
		return n
	}
	return n - 1
}

// readHunk reads the hunk at pl[i] and returns its old and new lines and
// the index of the line after it.
func readHunk(pl []string, i int) (oldH, newH []string, next int, err error) {
	header := pl[i]
	m := hunkHeader.FindStringSubmatch(header)
	if m == nil {
		return nil, nil, 0, fmt.Errorf("bad hunk header %q", header)
	}
	var last byte
	for i++; i < len(pl) && pl[i] != "" && !strings.HasPrefix(pl[i], "@@ "); i++ {
		l := pl[i]
		switch l[0] {
		case ' ':
			oldH, newH = append(oldH, l[1:]), append(newH, l[1:])
		case '-':
			oldH = append(oldH, l[1:])
		case '+':
			newH = append(newH, l[1:])
		case '\\':
			if l != "\\ No newline at end of file\n" {
				return nil, nil, 0, fmt.Errorf("bad line %q", l)
			}
			if last != '+' {
				oldH[len(oldH)-1] = strings.TrimSuffix(oldH[len(oldH)-1], "\n")
			}
			if last != '-' {
				newH[len(newH)-1] = strings.TrimSuffix(newH[len(newH)-1], "\n")
			}
		default:
			return nil, nil, 0, fmt.Errorf("bad line %q", l)
		}
		last = l[0]
	}
	if strconv.Itoa(len(oldH)) != count(m[2]) || strconv.Itoa(len(newH)) != count(m[4]) {
		return nil, nil, 0, fmt.Errorf("hunk %q has %d old and %d new lines", header, len(oldH), len(newH))
	}
	return oldH, newH, i, nil
}

// count returns a header count, which is 1 when absent.
func count(s string) string {
	if s == "" {
		return "1"
	}
	return s
}

func requireGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not found")
	}
}

// gitCmd returns a git command in dir, reading stdin, that ignores the
// user's and the system's configuration.
func gitCmd(dir, stdin string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", append([]string{"-c", "core.autocrlf=false", "-c", "core.fileMode=true"}, args...)...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	return cmd
}

// git runs git in dir and returns its output; it fails the test on error.
func git(t *testing.T, dir, stdin string, args ...string) string {
	t.Helper()
	out, err := gitCmd(dir, stdin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s\npatch:\n%s", strings.Join(args, " "), err, out, stdin)
	}
	return string(out)
}

func gitRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, "", "init", "-q")
	return dir
}

func writeFile(t *testing.T, path string, data []byte, perm fs.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil { // umask
		t.Fatal(err)
	}
}

// perm returns the permissions git gives a file of mode m.
func perm(m fs.FileMode) fs.FileMode {
	if m&0o111 != 0 {
		return 0o755
	}
	return 0o644
}

func writeOld(t *testing.T, dir string, f File) {
	t.Helper()
	if f.Old != nil {
		writeFile(t, filepath.Join(dir, f.Path), f.Old, perm(f.OldMode))
	}
}

// checkNew checks that dir holds f.New at f.Path, with NewMode if set, or
// nothing when f.New is nil.
func checkNew(t *testing.T, dir string, f File) {
	t.Helper()
	path := filepath.Join(dir, f.Path)
	got, err := os.ReadFile(path)
	switch {
	case f.New == nil && !os.IsNotExist(err):
		t.Errorf("%s: still there after deletion (%v)", f.Path, err)
	case f.New == nil:
	case err != nil:
		t.Errorf("%s: %v", f.Path, err)
	case !bytes.Equal(got, f.New):
		t.Errorf("%s: git apply gives %q, want %q", f.Path, got, f.New)
	case f.NewMode != 0:
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != perm(f.NewMode) {
			t.Errorf("%s: want mode %v, got %v (%v)", f.Path, perm(f.NewMode), fi, err)
		}
	}
}

// checkNumstat compares Stats with `git apply --numstat`.
func checkNumstat(t *testing.T, dir string, f File, patch string) {
	t.Helper()
	added, removed := Stats(f)
	out := git(t, dir, patch, "apply", "--numstat")
	if !strings.HasPrefix(out, fmt.Sprintf("%d\t%d\t", added, removed)) {
		t.Errorf("Stats = +%d -%d, git apply --numstat gives %q", added, removed, out)
	}
}

func TestLineMap(t *testing.T) {
	old := "package p\n\nfunc f() {\n\ta()\n\tb()\n\tc()\n}\n"
	new := "package p\n\nimport \"x\"\n\nfunc f() {\n\t// TODO(migrate): b\n\tb(ctx)\n\tc()\n}\n"
	m := LineMap([]byte(old), []byte(new))
	// line 4 "a()" was deleted: it maps to where it stood, the TODO line.
	for oldLine, want := range map[int]int{1: 1, 2: 2, 3: 5, 4: 6, 5: 7, 6: 8, 7: 9} {
		if got := m(oldLine); got != want {
			t.Errorf("line %d maps to %d, want %d", oldLine, got, want)
		}
	}
}

func TestSpanMap(t *testing.T) {
	old := "package p\n\nfunc f() {\n\ta()\n\tb()\n\tc()\n}\n"
	new := "package p\n\nimport \"x\"\n\nfunc f() {\n\t// TODO(migrate): b\n\tb(ctx,\n\t\tx)\n\tc()\n}\n"
	m := SpanMap([]byte(old), []byte(new))
	// b() (line 5) became the TODO and two lines: the span takes all
	// three, and the a() deleted with them.
	for _, c := range []struct{ first, last, wantFirst, wantLast int }{
		{1, 1, 1, 1}, {3, 3, 5, 5}, {5, 5, 6, 8}, {4, 4, 6, 8}, {3, 7, 5, 10}, {6, 6, 9, 9},
	} {
		if a, b := m(c.first, c.last); a != c.wantFirst || b != c.wantLast {
			t.Errorf("lines %d-%d map to %d-%d, want %d-%d", c.first, c.last, a, b, c.wantFirst, c.wantLast)
		}
	}
}
