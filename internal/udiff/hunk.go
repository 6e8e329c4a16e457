package udiff

import (
	"fmt"
	"strconv"
	"strings"
)

// context is the number of unchanged lines shown around each change.
const context = 3

// hunk is a run of edits shown together, with the range of lines it
// covers on each side, context included (0-based, end exclusive).
type hunk struct {
	edits                              []edit
	oldStart, oldEnd, newStart, newEnd int
}

// groupHunks groups edits into hunks. As in git, two edits share a hunk
// when at most 2*context unchanged lines separate them, so that their
// contexts would touch or overlap. nOld is the number of old lines.
func groupHunks(edits []edit, nOld int) []hunk {
	var hunks []hunk
	for len(edits) > 0 {
		n := 1
		for n < len(edits) && edits[n].oldStart-edits[n-1].oldEnd <= 2*context {
			n++
		}
		hunks = append(hunks, newHunk(edits[:n], nOld))
		edits = edits[n:]
	}
	return hunks
}

// newHunk returns the hunk of edits with its context. The lines before
// the first edit and after the last are unchanged, so the context has the
// same length on both sides.
func newHunk(edits []edit, nOld int) hunk {
	first, last := edits[0], edits[len(edits)-1]
	before := min(context, first.oldStart)
	after := min(context, nOld-last.oldEnd)
	return hunk{
		edits:    edits,
		oldStart: first.oldStart - before,
		oldEnd:   last.oldEnd + after,
		newStart: first.newStart - before,
		newEnd:   last.newEnd + after,
	}
}

// writeHunk writes h: its header, then context, "-" and "+" lines.
func writeHunk(b *strings.Builder, h hunk, old, new []string) {
	fmt.Fprintf(b, "@@ -%s +%s @@\n", hunkRange(h.oldStart, h.oldEnd), hunkRange(h.newStart, h.newEnd))
	at := h.oldStart
	for _, e := range h.edits {
		writeLines(b, ' ', old[at:e.oldStart])
		writeLines(b, '-', old[e.oldStart:e.oldEnd])
		writeLines(b, '+', new[e.newStart:e.newEnd])
		at = e.oldEnd
	}
	writeLines(b, ' ', old[at:h.oldEnd])
}

// hunkRange formats the 0-based range [start, end) of a hunk header the
// way git does: "l,s" with l 1-based, "l" alone when s is 1, and, when s
// is 0, l is the line after which the (empty) range sits.
func hunkRange(start, end int) string {
	switch n := end - start; n {
	case 0:
		return strconv.Itoa(start) + ",0"
	case 1:
		return strconv.Itoa(start + 1)
	default:
		return strconv.Itoa(start+1) + "," + strconv.Itoa(n)
	}
}

// writeLines writes each line after prefix. A line without "\n" is the
// last of its file; it gets one, and the marker that tells git so.
func writeLines(b *strings.Builder, prefix byte, lines []string) {
	for _, line := range lines {
		b.WriteByte(prefix)
		b.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			b.WriteString("\n\\ No newline at end of file\n")
		}
	}
}
