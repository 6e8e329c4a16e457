package cli

import (
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"runtime/trace"

	"github.com/spf13/cobra"
)

// profiling holds the hidden --cpuprofile and --trace flags, which record
// where a command spends its time (go tool pprof, go tool trace): for
// measuring migrate on a real tree, not for everyday use.
type profiling struct {
	cpu, trace string
	stops      []func() error
}

func (p *profiling) addFlags(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.StringVar(&p.cpu, "cpuprofile", "", "write a CPU profile to `FILE`")
	f.StringVar(&p.trace, "trace", "", "write an execution trace to `FILE`")
	f.MarkHidden("cpuprofile")
	f.MarkHidden("trace")
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
