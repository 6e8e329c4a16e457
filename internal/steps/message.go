package steps

import (
	"fmt"
	"slices"
	"strings"
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
	if len(s.Findings) > 0 {
		b.WriteString("\nLeft for manual follow-up:\n")
		for _, f := range s.Findings {
			fmt.Fprintf(&b, "  %s\n", f)
		}
	}
	fmt.Fprintf(&b, "\nVerified: %s.\n", verifiedLine(s.Verify))
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
		return strings.Join(v.Checks, ", ") + " passed"
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
