package udiff

import (
	"strings"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// maxLines bounds the lines diffed line by line. go-diff encodes each
// distinct line as one rune and panics past about 1.1 million distinct
// lines; bigger inputs are shown as a whole replacement.
const maxLines = 1_000_000

// edit is one change: old[oldStart:oldEnd] is replaced by
// new[newStart:newEnd]. One of the two ranges may be empty.
type edit struct {
	oldStart, oldEnd, newStart, newEnd int
}

// lineDiff is the line diff of one File.
type lineDiff struct {
	old, new []string // lines, each with its "\n" except maybe the last
	edits    []edit   // in order, separated by at least one equal line
}

// compute returns the line diff of f.
func compute(f File) lineDiff {
	d := lineDiff{old: splitLines(f.Old), new: splitLines(f.New)}
	oldChanged, newChanged := changedLines(string(f.Old), string(f.New), len(d.old), len(d.new))
	d.edits = collectEdits(oldChanged, newChanged)
	return d
}

// splitLines splits b after each "\n", as go-diff does: the last line
// has no "\n" when b does not end with one, and "" has no lines.
func splitLines(b []byte) []string {
	lines := strings.SplitAfter(string(b), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// changedLines reports which lines of old (nOld lines) and new (nNew
// lines) are not in a longest common subsequence of the two.
func changedLines(old, new string, nOld, nNew int) (oldChanged, newChanged []bool) {
	oldChanged, newChanged = allTrue(nOld), allTrue(nNew)
	if nOld+nNew > maxLines {
		return oldChanged, newChanged
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // a timeout gives up minimality
	a, b, _ := dmp.DiffLinesToRunes(old, new)
	if len(a) != nOld || len(b) != nNew {
		panic("udiff: go-diff split the lines differently")
	}
	// Lines absent from the other side are never in the common
	// subsequence; leaving them out keeps the diff minimal and saves Myers
	// from its worst case when a file is rewritten.
	fa, ia := keepShared(a, b)
	fb, ib := keepShared(b, a)
	i, j := 0, 0
	for _, d := range dmp.DiffMainRunes(fa, fb, false) {
		n := utf8.RuneCountInString(d.Text) // one rune per line
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			for k := range n {
				oldChanged[ia[i+k]], newChanged[ib[j+k]] = false, false
			}
			i, j = i+n, j+n
		case diffmatchpatch.DiffDelete:
			i += n
		case diffmatchpatch.DiffInsert:
			j += n
		}
	}
	return oldChanged, newChanged
}

// keepShared returns the runes of a that also occur in b, and their
// indexes in a.
func keepShared(a, b []rune) ([]rune, []int) {
	inB := make(map[rune]bool, len(b))
	for _, r := range b {
		inB[r] = true
	}
	var kept []rune
	var at []int
	for i, r := range a {
		if inB[r] {
			kept = append(kept, r)
			at = append(at, i)
		}
	}
	return kept, at
}

func allTrue(n int) []bool {
	s := make([]bool, n)
	for i := range s {
		s[i] = true
	}
	return s
}

// collectEdits turns the changed-line marks into edits. Unchanged lines
// pair up in order: the k-th unchanged old line equals the k-th unchanged
// new line.
func collectEdits(oldChanged, newChanged []bool) []edit {
	var edits []edit
	i, j := 0, 0
	for i < len(oldChanged) || j < len(newChanged) {
		e := edit{oldStart: i, newStart: j}
		for i < len(oldChanged) && oldChanged[i] {
			i++
		}
		for j < len(newChanged) && newChanged[j] {
			j++
		}
		e.oldEnd, e.newEnd = i, j
		if e.oldEnd > e.oldStart || e.newEnd > e.newStart {
			edits = append(edits, e)
		} else {
			i, j = i+1, j+1 // an equal pair
		}
	}
	return edits
}

// LineMap returns a function that maps a line of old (1-based) to the line
// of new that holds it, or that stands where it stood: an unchanged line to
// itself, a changed one to the line at the same distance from the end of
// its change (so a line that got a comment inserted above it maps to
// itself, not to the comment), clamped to the change.
func LineMap(old, new []byte) func(line int) int {
	edits := compute(File{Old: old, New: new}).edits
	return func(line int) int {
		i, shift := line-1, 0
		for _, e := range edits {
			switch {
			case i < e.oldStart:
				return i + shift + 1
			case i < e.oldEnd:
				return max(e.newEnd-(e.oldEnd-i), e.newStart) + 1
			}
			shift += (e.newEnd - e.newStart) - (e.oldEnd - e.oldStart)
		}
		return i + shift + 1
	}
}

// SpanMap returns a function that maps a span of lines of old (first and
// last, 1-based, inclusive) to the lines of new that hold it: a change that
// overlaps the span is taken whole, so the new span covers every line the
// old one became.
func SpanMap(old, new []byte) func(first, last int) (int, int) {
	edits := compute(File{Old: old, New: new}).edits
	at := func(line int, start bool) int {
		i, shift := line-1, 0
		for _, e := range edits {
			switch {
			case i < e.oldStart:
				return i + shift + 1
			case i < e.oldEnd && start:
				return e.newStart + 1
			case i < e.oldEnd:
				return e.newEnd
			}
			shift += (e.newEnd - e.newStart) - (e.oldEnd - e.oldStart)
		}
		return i + shift + 1
	}
	return func(first, last int) (int, int) {
		a, b := at(first, true), at(last, false)
		return a, max(a, b)
	}
}
