package rewrite

import (
	"bytes"

	"github.com/migrate-tool/migrate/internal/udiff"
)

// bom is the UTF-8 byte order mark some editors put at the start of a
// file. The Go scanner skips it, so the printer drops it.
const bom = "\ufeff"

// normalized returns src without its byte order mark and with "\n" line
// endings: the form the printer writes.
func normalized(src []byte) []byte {
	src = bytes.TrimPrefix(src, []byte(bom))
	return bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
}

// keepEndings gives out, the printer's rendering of a file whose content
// was old, old's byte order mark and line endings, so that only the lines
// a rule changes differ. A line of out equal to a line of old gets that
// line's ending, byte for byte; a changed line gets the ending of the old
// line it replaces; an added line, the ending of the line above it (or
// below it, at the start).
func keepEndings(old, out []byte) []byte {
	rest, hasBOM := bytes.CutPrefix(old, []byte(bom))
	if !hasBOM && !bytes.Contains(old, []byte("\r\n")) {
		return out
	}
	oldLF, ends := splitEndings(rest)
	w := newEndingWriter(out, ends)
	if hasBOM {
		w.buf.WriteString(bom)
	}
	w.writeAll(udiff.Edits(oldLF, out))
	return w.buf.Bytes()
}

// splitEndings returns src with "\n" line endings, its last line ended
// too, and the ending each line had: "\n", "\r\n", or "" for a last line
// without one.
func splitEndings(src []byte) ([]byte, []string) {
	var lf bytes.Buffer
	var ends []string
	for len(src) > 0 {
		line, rest, found := bytes.Cut(src, []byte("\n"))
		end := "\n"
		switch {
		case !found:
			end = ""
		case bytes.HasSuffix(line, []byte("\r")):
			line, end = line[:len(line)-1], "\r\n"
		}
		lf.Write(line)
		lf.WriteByte('\n')
		ends = append(ends, end)
		src = rest
	}
	return lf.Bytes(), ends
}

// majority returns the line ending most lines have, "\n" on a tie.
func majority(ends []string) string {
	crlf := 0
	for _, e := range ends {
		switch e {
		case "\r\n":
			crlf++
		case "\n":
			crlf--
		}
	}
	if crlf > 0 {
		return "\r\n"
	}
	return "\n"
}

// endingWriter writes the printer's lines with chosen endings.
type endingWriter struct {
	buf      bytes.Buffer
	lines    [][]byte // the printer's lines, each ending in "\n" but maybe the last
	ends     []string // the old lines' endings
	fallback string   // for lines whose old line had none
	prev     string   // the ending last written
}

func newEndingWriter(out []byte, ends []string) *endingWriter {
	lines := bytes.SplitAfter(out, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	w := &endingWriter{lines: lines, ends: ends, fallback: majority(ends)}
	w.prev = w.fallback // an added first line takes the ending of the line below it
	if len(ends) > 0 && ends[0] != "" {
		w.prev = ends[0]
	}
	return w
}

// writeAll writes every line, given the line diff from the old lines (with
// "\n" endings) to the printer's.
func (w *endingWriter) writeAll(edits []udiff.Edit) {
	n := len(w.lines)
	edits = append(edits, udiff.Edit{OldStart: len(w.ends), OldEnd: len(w.ends), NewStart: n, NewEnd: n})
	i, j := 0, 0 // the next old and new lines
	for _, e := range edits {
		for ; j < e.NewStart; i, j = i+1, j+1 {
			w.write(j, w.ends[i])
		}
		for k := e.NewStart; k < e.NewEnd; k++ {
			end := w.prev
			if e.OldEnd > e.OldStart {
				end = w.ends[min(e.OldStart+k-e.NewStart, e.OldEnd-1)]
			}
			w.write(k, end)
		}
		i, j = e.OldEnd, e.NewEnd
	}
}

// write writes line j of the printer's output with the ending end.
func (w *endingWriter) write(j int, end string) {
	line, ok := bytes.CutSuffix(w.lines[j], []byte("\n"))
	if !ok {
		w.buf.Write(line) // the printer's output ended without "\n"
		return
	}
	if end == "" {
		end = w.fallback
	}
	w.buf.Write(line)
	w.buf.WriteString(end)
	w.prev = end
}
