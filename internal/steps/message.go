package steps

import (
	"fmt"
	"slices"
	"strings"

	"github.com/migrate-tool/migrate/rewrite"
)

// commitMessage describes a step for a reviewer: the rule sets, the files
// and sites changed, go.mod, verification, and what is left to do.
func commitMessage(o Options, s *StepReport) string {
	var b strings.Builder
	total := 0
	for _, n := range s.Sites {
		total += n
	}
	subject := s.Name
	if len(s.Files) > 1 {
		subject = fmt.Sprintf("%d files", len(s.Files))
		if o.Split == PerPackage {
			subject = s.Name + " (" + subject + ")"
		}
	}
	fmt.Fprintf(&b, "migrate %s: %s\n\n", strings.Join(setNames(o.Sets), ","), subject)
	fmt.Fprintf(&b, "Rewrote %d %s with migrate (rule sets: %s).\n", total, plural(total, "site", "sites"), strings.Join(setNames(o.Sets), ", "))
	writeSites(&b, s.Sites)
	b.WriteString("\nFiles:\n")
	for _, f := range s.Files {
		fmt.Fprintf(&b, "  %s\n", f)
	}
	if s.Modules != nil && (len(s.Modules.Added) > 0 || len(s.Modules.Removed) > 0) {
		b.WriteString("\ngo.mod:\n")
		for _, m := range s.Modules.Added {
			fmt.Fprintf(&b, "  + %s\n", m)
		}
		for _, m := range s.Modules.Removed {
			fmt.Fprintf(&b, "  - %s\n", m)
		}
		if s.Modules.Vendored {
			b.WriteString("  vendor/ synced (go mod vendor)\n")
		}
	}
	var follow, notes []string
	for _, f := range s.findings {
		if f.Kind == rewrite.Warning {
			notes = append(notes, f.String())
		} else {
			follow = append(follow, f.String())
		}
	}
	writeList(&b, "Left for manual follow-up:", follow)
	writeList(&b, "Notes:", notes)
	fmt.Fprintf(&b, "\nVerified: %s.\n", verifiedLine(s.Verify))
	if s.Verify != nil {
		for _, f := range s.Verify.Flaky {
			fmt.Fprintf(&b, "  %s\n", f)
		}
	}
	if s.Bench != nil {
		fmt.Fprintf(&b, "%s.\n", capitalize(s.Bench.Summary()))
		if s.Bench.Table != "" {
			b.WriteString("\n" + indentLines(s.Bench.Table, "  ") + "\n")
		}
	}
	fmt.Fprintf(&b, "Backup: run %s (migrate restore %s).\n", s.RunID, s.RunID)
	return b.String()
}

func writeSites(b *strings.Builder, sites map[string]int) {
	var keys []string
	for k := range sites {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(b, "  %s: %d\n", k, sites[k])
	}
}

func verifiedLine(v *VerifyReport) string {
	switch {
	case v == nil || v.Skipped:
		return "not verified (--no-test)"
	default:
		return v.Passed()
	}
}

// indentLines puts prefix before each non-empty line of s.
func indentLines(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// writeList writes a titled list, if it has items.
func writeList(b *strings.Builder, title string, items []string) {
	if len(items) == 0 {
		return
	}
	b.WriteString("\n" + title + "\n")
	for _, it := range items {
		fmt.Fprintf(b, "  %s\n", it)
	}
}
