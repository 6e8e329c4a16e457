package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/migrate-tool/migrate/internal/steps"
	"github.com/migrate-tool/migrate/internal/udiff"
	"github.com/migrate-tool/migrate/rewrite"
)

// printSummary writes the human summary of a run to w. A run with nothing
// to report prints nothing.
// printSummary prints the findings and the counts of a run; undo is the
// command that restores a backed-up run ("migrate restore").
func printSummary(w io.Writer, res *rewrite.Result, dryRun bool, rep *steps.Report, quiet bool, undo string) {
	for _, f := range res.Findings {
		fmt.Fprintln(w, f.String())
	}
	if quiet || len(res.Files) == 0 && len(res.Findings) == 0 {
		return
	}
	verb := "changed"
	if dryRun {
		verb = "would change"
	}
	fmt.Fprintf(w, "migrate: %d %s %s, %s\n", len(res.Files), plural(len(res.Files), "file", "files"), verb, sitesLine(res.Sites))
	if n := countKind(res.Findings, rewrite.Manual); n > 0 {
		fmt.Fprintf(w, "migrate: %d %s left for manual follow-up (listed above)\n", n, plural(n, "site", "sites"))
	}
	if n := countKind(res.Findings, rewrite.Broken); n > 0 {
		fmt.Fprintf(w, "migrate: %d %s not migrated: %s did not type-check before the run (listed above)\n", n, plural(n, "file", "files"), plural(n, "its package", "their packages"))
	}
	if rep == nil {
		return
	}
	printSteps(w, rep)
	printBench(w, rep)
	printFailed(w, rep, res)
	var ids []string
	for _, s := range rep.Steps {
		if s.Status == steps.Done {
			ids = append(ids, s.RunID)
		}
	}
	switch len(ids) {
	case 0:
	case 1:
		fmt.Fprintf(w, "migrate: backed up as run %s; undo with: %s %s\n", ids[0], undo, ids[0])
	default:
		fmt.Fprintf(w, "migrate: backed up as runs %s to %s, one a step; undo them all with: %s (one step: %s ID)\n", ids[0], ids[len(ids)-1], undo, undo)
	}
}

// printSteps lists each step of a split or verified run.
func printSteps(w io.Writer, rep *steps.Report) {
	if rep == nil {
		return
	}
	for _, s := range rep.Steps {
		if s.Verify != nil && s.Verify.Fallback != "" {
			fmt.Fprintf(w, "migrate: note: step %s: %s\n", s.Name, s.Verify.Fallback)
		}
	}
	if len(rep.Steps) == 1 && rep.Steps[0].Name == steps.WholeName {
		if v := rep.Steps[0].Verify; v != nil && !v.Skipped && v.OK {
			fmt.Fprintf(w, "migrate: verified%s: %s\n", where(rep.Steps[0]), v.Passed())
		}
	}
	for _, s := range rep.Steps {
		if s.Verify == nil {
			continue
		}
		for _, p := range s.Verify.Preexisting {
			fmt.Fprintf(w, "migrate: note: %s\n", indentAfterFirst(p))
		}
		for _, f := range s.Verify.Flaky {
			if !f.Before { // those are in the note above, with the output
				fmt.Fprintf(w, "migrate: note: %s\n", f)
			}
		}
	}
	for i, s := range rep.Steps {
		if s.Name == steps.WholeName && s.Status != steps.Failed && s.Status != steps.Interrupted && s.Commit == "" {
			printModules(w, s)
			continue
		}
		line := fmt.Sprintf("migrate: step %d/%d %s: %s", i+1, len(rep.Steps), s.Name, s.Status)
		if s.Verify != nil && !s.Verify.Skipped && s.Verify.OK {
			line += " (" + s.Verify.Passed() + ")"
		}
		if s.Commit != "" {
			line += ", committed " + s.Commit
		}
		fmt.Fprintln(w, line)
		if s.Status == steps.Failed {
			fmt.Fprintf(w, "migrate: %s; %s. Output:\n%s\n", s.Reason, undone(s), indent(failureOutput(s)))
		}
		printModules(w, s)
	}
}

// where says when a whole run's checks ran: before the write, on an
// overlay, or after it.
func where(s *steps.StepReport) string {
	switch {
	case s.Verify.Overlay && s.Status == steps.Checked:
		return " (on an overlay; nothing written)"
	case s.Verify.Overlay:
		return " before writing"
	}
	return " after writing"
}

// undone says what became of a failed step's files.
func undone(s *steps.StepReport) string {
	if s.Written {
		return "restored"
	}
	return "nothing written"
}

// printFailed counts the steps that failed verification, and says what
// became of their files.
func printFailed(w io.Writer, rep *steps.Report, res *rewrite.Result) {
	failed := rep.Failed()
	if len(failed) == 0 {
		return
	}
	defer hintNoCompile(w, res)
	restored := 0
	for _, s := range failed {
		if s.Written {
			restored++
		}
	}
	what := " and " + plural(len(failed), "was", "were") + " not written"
	switch {
	case restored > 0 && restored < len(failed):
		what = fmt.Sprintf(": %d restored, %d not written", restored, len(failed)-restored)
	case restored > 0:
		what = " and " + plural(len(failed), "was", "were") + " restored"
	}
	fmt.Fprintf(w, "migrate: %d of %d %s failed verification%s\n", len(failed), len(rep.Steps), plural(len(rep.Steps), "step", "steps"), what)
}

// hintNoCompile says what to do when the checks could not pass because
// sites left for a person do not compile: the rest of the rewrite is fine,
// but go build, vet and test stop there.
func hintNoCompile(w io.Writer, res *rewrite.Result) {
	n := 0
	for _, f := range res.Findings {
		if strings.HasSuffix(f.Message, rewrite.NoCompile) {
			n++
		}
	}
	if n == 0 {
		return
	}
	fmt.Fprintf(w, "migrate: %d %s left for a person %s not compile until fixed by hand (listed above), so the checks may fail there: fix %s and run again, or write the rewrite unchecked with --no-test (the build then fails only at %s), or write the packages that pass with --per-package\n",
		n, plural(n, "site", "sites"), plural(n, "does", "do"), plural(n, "it", "them"), plural(n, "that site", "those sites"))
}

// printModules says how a step changed go.mod; of a dry run's step, only
// the notes.
func printModules(w io.Writer, s *steps.StepReport) {
	m := s.Modules
	if m == nil {
		return
	}
	if s.Status == steps.Checked || s.Status == steps.Failed && !s.Written {
		for _, n := range m.Notes {
			fmt.Fprintf(w, "migrate: %s\n", n)
		}
		return
	}
	for _, a := range m.Added {
		fmt.Fprintf(w, "migrate: go.mod: requires %s\n", a)
	}
	for _, r := range m.Removed {
		fmt.Fprintf(w, "migrate: go.mod: no longer requires %s\n", r)
	}
	if m.Vendored {
		fmt.Fprintln(w, "migrate: vendor/: synced with go.mod (go mod vendor)")
	}
	for _, n := range m.Notes {
		fmt.Fprintf(w, "migrate: %s\n", n)
	}
}

// indent puts four spaces before each line of s but the empty ones.
func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "    " + l
		}
	}
	return strings.Join(lines, "\n")
}

func sitesLine(sites map[string]int) string {
	total := 0
	var keys []string
	for k, n := range sites {
		total += n
		keys = append(keys, k)
	}
	if total == 0 {
		return "no site rewritten"
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %d", k, sites[k]))
	}
	return fmt.Sprintf("%d %s rewritten (%s)", total, plural(total, "site", "sites"), strings.Join(parts, ", "))
}

func countKind(fs []rewrite.Finding, k rewrite.Kind) int {
	n := 0
	for _, f := range fs {
		if f.Kind == k {
			n++
		}
	}
	return n
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// runReport is the --json output of run.
type runReport struct {
	Module   string              `json:"module"`
	Root     string              `json:"root"`
	DryRun   bool                `json:"dry_run"`
	Steps    []*steps.StepReport `json:"steps,omitempty"`
	Warnings []string            `json:"warnings,omitempty"`
	Duration int64               `json:"verify_and_write_ns,omitempty"`
	Files    []fileReport        `json:"files"`
	Sites    map[string]int      `json:"sites"`
	Findings []findingReport     `json:"findings"`
	Stats    rewrite.Stats       `json:"stats"`
}

type fileReport struct {
	Path  string `json:"path"`
	Sites int    `json:"sites"`
	Diff  string `json:"diff,omitempty"`
}

type findingReport struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Rule    string `json:"rule,omitempty"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
	// TypeError is the rewritten code's type error at a manual site: the
	// site does not compile until fixed by hand.
	TypeError string `json:"type_error,omitempty"`
}

func newRunReport(res *rewrite.Result, dryRun bool, rep *steps.Report) *runReport {
	r := &runReport{Module: res.Module.Path, Root: res.Module.Root, DryRun: dryRun,
		Files: []fileReport{}, Sites: res.Sites, Findings: []findingReport{}, Stats: res.Stats}
	if rep != nil {
		r.Steps, r.Duration, r.Warnings = rep.Steps, int64(rep.Duration), rep.Warnings
	}
	for _, f := range res.Files {
		fr := fileReport{Path: f.Rel, Sites: f.Sites}
		if dryRun {
			fr.Diff = udiff.Unified(udiff.File{Path: f.Rel, Old: f.Old, New: f.New})
		}
		r.Files = append(r.Files, fr)
	}
	for _, f := range res.Findings {
		r.Findings = append(r.Findings, findingReport{File: f.Pos.Filename, Line: f.Pos.Line, Column: f.Pos.Column,
			Rule: f.Rule, Kind: string(f.Kind), Message: f.Message, TypeError: f.TypeError})
	}
	return r
}

func indentAfterFirst(s string) string {
	first, rest, ok := strings.Cut(strings.TrimRight(s, "\n"), "\n")
	if !ok {
		return first
	}
	return first + "\n" + indent(rest)
}
