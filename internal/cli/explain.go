package cli

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/migrate-tool/migrate/rules"
	"github.com/migrate-tool/migrate/rules/builtin"
)

func newExplainCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "explain NAME|RULES.yaml",
		Short: "Say what a rule set changes, with a before/after example per rule",
		Long: `Explain describes a rule set from its data: what it migrates, the go.mod
changes, and each rule with what it does and its before/after example. It
works the same for built-in sets and your own rule files.`,
		Example: `  migrate explain ioutil
  migrate explain rules/httpx.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := env.workDir()
			if err != nil {
				return err
			}
			sets, err := builtin.Resolve(dir, args)
			if err != nil {
				return err
			}
			explain(env.Stdout, sets[0])
			return nil
		},
	}
}

func explain(w io.Writer, s *rules.Set) {
	fmt.Fprintf(w, "%s: %s -> %s\n", s.Name, s.From, s.To)
	if s.Summary != "" {
		fmt.Fprintf(w, "%s\n", s.Summary)
	}
	if s.Doc != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(s.Doc))
	}
	if s.GoVersion != "" {
		fmt.Fprintf(w, "\nNeeds go %s or later in go.mod.\n", s.GoVersion)
	}
	explainModules(w, s.Modules)
	fmt.Fprintf(w, "\nRules (%d):\n", len(s.Specs))
	for _, spec := range s.Specs {
		fmt.Fprintf(w, "\n  %s/%s: %s\n", s.Name, spec.ID, spec.Describe())
		if spec.Group != "" {
			fmt.Fprintf(w, "    reported as %s/%s\n", s.Name, spec.Group)
		}
		if what := spec.ReportsWhat(); what != "" {
			todo := ""
			if spec.TODO {
				todo = ", with a // TODO(migrate) comment above the statement"
			}
			fmt.Fprintf(w, "    %s%s\n", what, todo)
		}
		if ex := spec.ExampleOrDerived(); ex != nil {
			fmt.Fprintf(w, "    before:\n%s\n    after:\n%s\n", indentBy(ex.Before, 6), indentBy(ex.After, 6))
		}
	}
}

func explainModules(w io.Writer, m rules.Modules) {
	if len(m.Add)+len(m.Retire)+len(m.Companions) == 0 {
		return
	}
	fmt.Fprintln(w, "\ngo.mod:")
	for _, p := range slices.Sorted(maps.Keys(m.Add)) {
		fmt.Fprintf(w, "  requires %s %s or later where the migrated code imports it\n", p, m.Add[p])
	}
	for _, p := range m.Retire {
		fmt.Fprintf(w, "  drops %s once nothing uses it\n", p)
	}
	for _, p := range slices.Sorted(maps.Keys(m.Companions)) {
		fmt.Fprintf(w, "  reports %s: %s\n", p, m.Companions[p])
	}
}

func indentBy(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pad)
}
