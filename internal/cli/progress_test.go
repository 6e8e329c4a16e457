package cli

import (
	"bytes"
	"strings"
	"testing"
)

// TestProgress checks that the bar is drawn on a terminal, erased before
// other output, and never drawn when stderr is not a terminal or with
// --quiet.
func TestProgress(t *testing.T) {
	for _, c := range []struct {
		name            string
		terminal, quiet bool
		want            bool
	}{
		{"terminal", true, false, true},
		{"pipe", false, false, false},
		{"quiet", true, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			p := newProgress(&Env{IO: IO{Stderr: &buf, IsTerminal: c.terminal}, Global: &globalOptions{quiet: c.quiet}})
			p.stage("rewriting", 5, 10)
			p.clear()
			got := buf.String()
			if !c.want {
				if got != "" {
					t.Fatalf("drew %q; want nothing", got)
				}
				return
			}
			if !strings.Contains(got, "migrate: rewriting [===============               ] 5/10") {
				t.Errorf("bar not drawn: %q", got)
			}
			if !strings.HasSuffix(got, "\r\033[K") {
				t.Errorf("line not erased at the end: %q", got)
			}
		})
	}
}
