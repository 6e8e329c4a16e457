package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// progress draws a one-line progress bar on a terminal: the stage, and a
// bar when the stage counts something. It draws nothing when stderr is not
// a terminal (CI logs stay clean) or with --quiet.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	drawn bool
	timer *stageTimer // --timings, or nil
}

func newProgress(env *Env) *progress {
	return &progress{w: env.Stderr, on: env.IsTerminal && !env.Global.quiet, timer: env.Global.timer}
}

const barWidth = 30

// stage shows what the run is doing; total 0 means "no count".
func (p *progress) stage(name string, done, total int) {
	if p == nil {
		return
	}
	p.timer.mark(name)
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	line := "migrate: " + name
	if total > 0 {
		n := min(barWidth, done*barWidth/total)
		line += fmt.Sprintf(" [%s%s] %d/%d", strings.Repeat("=", n), strings.Repeat(" ", barWidth-n), done, total)
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
	p.drawn = true
}

// step shows a step of a run that writes.
func (p *progress) step(i, n int, name string) {
	p.stage(fmt.Sprintf("step %d/%d %s: write, verify", i, n, name), i-1, n)
}

// planStep returns what shows a step of a dry run: its checks on an
// overlay with verify, else the go.mod it computes.
func (p *progress) planStep(verify bool) func(i, n int, name string) {
	what := "go.mod"
	if verify {
		what = "check on an overlay"
	}
	return func(i, n int, name string) {
		p.stage(fmt.Sprintf("step %d/%d %s: %s", i, n, name, what), i-1, n)
	}
}

// clear erases the line before other output.
func (p *progress) clear() {
	if p == nil || !p.drawn {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "\r\033[K")
	p.drawn = false
}
