package rewrite

import "testing"

// TestKeepEndings covers the edges the golden cases do not: a last line
// without an ending, lines added at the start, and a tie between endings.
func TestKeepEndings(t *testing.T) {
	for _, tc := range []struct{ name, old, out, want string }{
		{"lf file untouched", "a\nb\n", "a\nc\n", "a\nc\n"},
		{"no final ending", "a\r\nb", "a\nb\n", "a\r\nb\r\n"},
		{"added at the start", "a\r\nb\n", "x\na\nb\n", "x\r\na\r\nb\n"},
		{"added after a crlf line", "a\r\nb\n", "a\nx\nb\n", "a\r\nx\r\nb\n"},
		{"replaced by more lines", "a\nb\r\nc\n", "a\nx\ny\nc\n", "a\nx\r\ny\r\nc\n"},
		{"tie", "a\r\nb\n", "a\nb\nc\n", "a\r\nb\nc\n"},
		{"bom", "\ufeffa\nb\n", "a\nc\n", "\ufeffa\nc\n"},
		{"crlf in the middle of a line", "a\rb\r\nc\n", "a\rb\nd\n", "a\rb\r\nd\n"},
	} {
		if got := string(keepEndings([]byte(tc.old), []byte(tc.out))); got != tc.want {
			t.Errorf("%s: keepEndings(%q, %q) = %q, want %q", tc.name, tc.old, tc.out, got, tc.want)
		}
	}
}
