package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/migrate-tool/migrate/internal/udiff"
	"github.com/migrate-tool/migrate/rewrite"
)

// printSummary writes the human summary of a run to w. A run with nothing
// to report prints nothing.
func printSummary(w io.Writer, res *rewrite.Result, dryRun bool, runID string, quiet bool) {
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
	if runID != "" {
		fmt.Fprintf(w, "migrate: backed up as run %s; undo with: migrate restore %s\n", runID, runID)
	}
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
	Module   string          `json:"module"`
	Root     string          `json:"root"`
	DryRun   bool            `json:"dry_run"`
	RunID    string          `json:"run_id,omitempty"`
	Files    []fileReport    `json:"files"`
	Sites    map[string]int  `json:"sites"`
	Findings []findingReport `json:"findings"`
	Stats    rewrite.Stats   `json:"stats"`
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
}

func newRunReport(res *rewrite.Result, dryRun bool, runID string) *runReport {
	r := &runReport{Module: res.Module.Path, Root: res.Module.Root, DryRun: dryRun, RunID: runID,
		Files: []fileReport{}, Sites: res.Sites, Findings: []findingReport{}, Stats: res.Stats}
	for _, f := range res.Files {
		fr := fileReport{Path: f.Rel, Sites: f.Sites}
		if dryRun {
			fr.Diff = udiff.Unified(udiff.File{Path: f.Rel, Old: f.Old, New: f.New})
		}
		r.Files = append(r.Files, fr)
	}
	for _, f := range res.Findings {
		r.Findings = append(r.Findings, findingReport{File: f.Pos.Filename, Line: f.Pos.Line, Column: f.Pos.Column,
			Rule: f.Rule, Kind: string(f.Kind), Message: f.Message})
	}
	return r
}
