package udiff

// Edit is one change of a line diff: the old lines [OldStart, OldEnd) are
// replaced by the new lines [NewStart, NewEnd), counted from 0. One of the
// two ranges may be empty.
type Edit struct {
	OldStart, OldEnd, NewStart, NewEnd int
}

// Edits returns the minimal line diff of old and new, lines split after
// each "\n", as edits in order. The lines between two edits (and before the
// first, after the last) are equal and pair up in order.
func Edits(old, new []byte) []Edit {
	var out []Edit
	for _, e := range compute(File{Old: old, New: new}).edits {
		out = append(out, Edit{OldStart: e.oldStart, OldEnd: e.oldEnd, NewStart: e.newStart, NewEnd: e.newEnd})
	}
	return out
}
