package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/migrate-tool/migrate/rules/builtin"
)

func newListCmd(env *Env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the built-in rule sets",
		Long: `List the built-in rule sets, one a line: name, what it migrates from and
to, and a one-line summary. Pass a name to "migrate run --rules".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sets, err := builtin.All()
			if err != nil {
				return err
			}
			if asJSON {
				type entry struct {
					Name    string `json:"name"`
					From    string `json:"from"`
					To      string `json:"to"`
					Summary string `json:"summary"`
				}
				var out []entry
				for _, s := range sets {
					out = append(out, entry{s.Name, s.From, s.To, s.Summary})
				}
				return writeJSON(env.Stdout, out)
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			for _, s := range sets {
				fmt.Fprintf(tw, "%s\t%s -> %s\t%s\n", s.Name, s.From, s.To, s.Summary)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
