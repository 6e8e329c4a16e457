// Package udiff produces git-style unified diffs that `git apply` accepts.
//
// The line diff comes from github.com/sergi/go-diff (Myers, no timeout, so
// the diff is minimal); the hunks and headers are written here, following
// the conventions of `git diff`.
package udiff

import (
	"fmt"
	"io/fs"
	"strings"
)

// File describes one file's change. Old == nil means the file is created;
// New == nil means it is deleted. An empty but non-nil slice is an existing
// empty file.
//
// OldMode and NewMode are optional: zero means "unchanged/not shown". Only
// the bits git records are used: symlink, and executable or not. A created
// file without NewMode, or a deleted file without OldMode, is shown as
// 100644.
type File struct {
	Path             string
	Old, New         []byte
	OldMode, NewMode fs.FileMode
}

// Unified returns the unified diff text for one file, with `diff --git a/P
// b/P`, `--- a/P`, `+++ b/P` headers (and `new file mode`/`deleted file
// mode` + /dev/null for creation/deletion), hunks with 3 lines of context,
// and "\ No newline at end of file" markers where needed. It returns ""
// when Old and New are equal and no mode change is shown. A change of mode
// alone gives the headers without hunks, as git does.
func Unified(f File) string {
	if f.Old == nil && f.New == nil {
		return ""
	}
	d := compute(f)
	hunks := groupHunks(d.edits, len(d.old))
	modes := modeLines(f)
	if len(hunks) == 0 && modes == "" {
		return ""
	}
	var b strings.Builder
	writeHeader(&b, f, modes, len(hunks) > 0)
	for _, h := range hunks {
		writeHunk(&b, h, d.old, d.new)
	}
	return b.String()
}

// Stats returns lines added and removed (for summaries). The counts are
// those of the "+" and "-" lines in Unified's output.
func Stats(f File) (added, removed int) {
	for _, e := range compute(f).edits {
		removed += e.oldEnd - e.oldStart
		added += e.newEnd - e.newStart
	}
	return added, removed
}

// writeHeader writes the `diff --git` line, the mode lines, and, when the
// diff has hunks, the `---`/`+++` lines.
func writeHeader(b *strings.Builder, f File, modes string, hasHunks bool) {
	a, z := quote("a/"+f.Path), quote("b/"+f.Path)
	fmt.Fprintf(b, "diff --git %s %s\n%s", a, z, modes)
	if !hasHunks {
		return
	}
	if f.Old == nil {
		a = "/dev/null"
	}
	if f.New == nil {
		z = "/dev/null"
	}
	fmt.Fprintf(b, "--- %s%s\n+++ %s%s\n", a, tabIfSpace(a), z, tabIfSpace(z))
}

// modeLines returns the extended header lines about file modes.
func modeLines(f File) string {
	switch {
	case f.Old == nil:
		return "new file mode " + gitMode(f.NewMode) + "\n"
	case f.New == nil:
		return "deleted file mode " + gitMode(f.OldMode) + "\n"
	case f.OldMode == 0 || f.NewMode == 0 || gitMode(f.OldMode) == gitMode(f.NewMode):
		return ""
	}
	return "old mode " + gitMode(f.OldMode) + "\nnew mode " + gitMode(f.NewMode) + "\n"
}

// gitMode returns the mode git records for m.
func gitMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "120000"
	case m&0o111 != 0:
		return "100755"
	}
	return "100644"
}

// tabIfSpace returns "\t" when name has a space, as git does after the
// names on `---`/`+++` lines so that GNU patch reads them whole.
func tabIfSpace(name string) string {
	if strings.Contains(name, " ") {
		return "\t"
	}
	return ""
}

// quote returns name, C-quoted the way git quotes paths when the name has
// a double quote, a backslash or a control character. Other bytes,
// including non-ASCII ones, are kept as they are; git apply reads both.
func quote(name string) string {
	if !strings.ContainsFunc(name, func(r rune) bool {
		return r == '"' || r == '\\' || r < 0x20 || r == 0x7f
	}) {
		return name
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
