package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
)

// profiling holds the hidden --cpuprofile and --trace flags, which record
// where a command spends its time (go tool pprof, go tool trace): for
// measuring migrate on a real tree, not for everyday use.
type profiling struct {
	cpu, trace string
	timings    bool
	stops      []func() error
}

func (p *profiling) addFlags(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.StringVar(&p.cpu, "cpuprofile", "", "write a CPU profile to `FILE`")
	f.StringVar(&p.trace, "trace", "", "write an execution trace to `FILE`")
	f.BoolVar(&p.timings, "timings", false, "print how long each stage took, when the command ends")
	f.MarkHidden("cpuprofile")
	f.MarkHidden("trace")
	f.MarkHidden("timings")
}

// timer returns the stage timer of --timings, which prints to w when the
// command ends, or nil.
func (p *profiling) timer(w io.Writer) *stageTimer {
	if !p.timings {
		return nil
	}
	t := &stageTimer{start: time.Now(), took: map[string]time.Duration{}}
	p.stops = append(p.stops, func() error { t.print(w); return nil })
	return t
}

// stageTimer adds up the time between the stages a command announces
// (the progress stages): where a run spends its time, stage by stage.
type stageTimer struct {
	mu    sync.Mutex
	start time.Time
	stage string    // the current stage
	since time.Time // when it began
	order []string
	took  map[string]time.Duration
}

// mark ends the current stage and begins name.
func (t *stageTimer) mark(name string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if name == t.stage {
		return
	}
	t.end(time.Now())
	t.stage, t.since = name, time.Now()
}

func (t *stageTimer) end(now time.Time) {
	if t.stage == "" {
		return
	}
	if _, ok := t.took[t.stage]; !ok {
		t.order = append(t.order, t.stage)
	}
	t.took[t.stage] += now.Sub(t.since)
}

// print writes one line: each stage's time, in the order first seen, and
// the total, which includes what came before the first stage (flags,
// rule sets) and after the last.
func (t *stageTimer) print(w io.Writer) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	t.end(now)
	t.stage = ""
	parts := []string{}
	for _, s := range t.order {
		parts = append(parts, fmt.Sprintf("%s %.2fs", s, t.took[s].Seconds()))
	}
	fmt.Fprintf(w, "migrate: timings: %s; total %.2fs\n", strings.Join(parts, ", "), now.Sub(t.start).Seconds())
}

// start begins what the flags ask for.
func (p *profiling) start() error {
	if p.cpu != "" {
		f, err := os.Create(p.cpu)
		if err != nil {
			return usagef("--cpuprofile: %v", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		p.stops = append(p.stops, func() error { pprof.StopCPUProfile(); return f.Close() })
	}
	if p.trace != "" {
		f, err := os.Create(p.trace)
		if err != nil {
			return usagef("--trace: %v", err)
		}
		if err := trace.Start(f); err != nil {
			f.Close()
			return fmt.Errorf("--trace: %w", err)
		}
		p.stops = append(p.stops, func() error { trace.Stop(); return f.Close() })
	}
	return nil
}

// stop ends the profiles and writes them out.
func (p *profiling) stop() error {
	var errs []error
	for _, s := range p.stops {
		errs = append(errs, s())
	}
	p.stops = nil
	return errors.Join(errs...)
}
