package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/migrate-tool/migrate/rewrite/rewritetest"
	"github.com/migrate-tool/migrate/rules"
	"github.com/migrate-tool/migrate/rules/builtin"
)

func newRulesCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "Work with rule files: test them",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newRulesTestCmd(env))
	return cmd
}

func newRulesTestCmd(env *Env) *cobra.Command {
	var update bool
	cmd := &cobra.Command{
		Use:   "test RULES.yaml [CASE.txtar...]",
		Short: "Run golden cases for a rule file",
		Long: `Test runs golden cases for a rule file with the harness the built-in rule
sets use. By default the cases are the testdata/NAME*.txtar files beside
RULES.yaml (NAME is its base name).

A case is a txtar archive: a small module (go.mod, the files before the
rewrite, stub packages of the old and new client wired in with replace
directives), the expected files after the rewrite as want/PATH sections,
and the expected findings, one per line, in a "findings" section. A case
passes when the output equals want, is gofmt-clean, the module then passes
"go vet", and a second run changes nothing. --update writes the
expectations from the actual output (review them before you commit).

Settings go in the archive's comment, one "key: value" a line: args
(patterns or files, default ./...), tags and goos (for the compile check),
rules (other rule sets to apply; default the rule file under test).`,
		Example: `  migrate rules test rules/httpx.yaml
  migrate rules test rules/httpx.yaml rules/testdata/httpx_get.txtar --update`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRulesTest(cmd, env, args[0], args[1:], update)
		},
	}
	cmd.Flags().BoolVar(&update, "update", false, "write want/ and findings from the actual output")
	return cmd
}

func runRulesTest(cmd *cobra.Command, env *Env, rulePath string, cases []string, update bool) error {
	wd, err := env.workDir()
	if err != nil {
		return err
	}
	if !filepath.IsAbs(rulePath) {
		rulePath = filepath.Join(wd, rulePath)
	}
	if _, err := rules.LoadFile(rulePath, builtin.GoRules()); err != nil {
		return err
	}
	if len(cases) == 0 {
		base := strings.TrimSuffix(filepath.Base(rulePath), filepath.Ext(rulePath))
		cases, _ = filepath.Glob(filepath.Join(filepath.Dir(rulePath), "testdata", base+"*.txtar"))
		if len(cases) == 0 {
			return fmt.Errorf("rules test: no cases in %s: write testdata/%s*.txtar beside the rule file (see migrate rules test --help)", filepath.Join(filepath.Dir(rulePath), "testdata"), base)
		}
	}
	resolve := func(dir string, names []string) ([]*rules.Set, error) {
		if len(names) == 1 && strings.TrimSpace(names[0]) == "" {
			s, err := rules.LoadFile(rulePath, builtin.GoRules())
			return []*rules.Set{s}, err
		}
		return builtin.Resolve(dir, names)
	}
	passed, failed := 0, 0
	for _, path := range cases {
		ok, err := runCase(cmd, env, wd, path, resolve, update)
		if err != nil {
			return err
		}
		if ok {
			passed++
		} else {
			failed++
		}
	}
	fmt.Fprintf(env.Stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return &noError{}
	}
	return nil
}

// runCase runs one case in a temporary directory and prints its outcome.
func runCase(cmd *cobra.Command, env *Env, wd, path string, resolve rewritetest.Resolver, update bool) (bool, error) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(wd, path)
	}
	c, err := rewritetest.Load(path)
	if err != nil {
		return false, err
	}
	dir, err := os.MkdirTemp("", "migrate-rules-test-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(dir)
	res, err := c.Run(cmd.Context(), dir, resolve, append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off"))
	name := displayPath(wd, path)
	if err != nil {
		fmt.Fprintf(env.Stdout, "FAIL %s\n    %v\n", name, err)
		return false, nil
	}
	if update {
		fmt.Fprintf(env.Stdout, "UPDATED %s\n", name)
		return true, c.Update(res)
	}
	if res.Passed() {
		fmt.Fprintf(env.Stdout, "PASS %s\n", name)
		return true, nil
	}
	fmt.Fprintf(env.Stdout, "FAIL %s\n", name)
	for _, p := range res.Problems {
		fmt.Fprintln(env.Stdout, indent(p))
	}
	return false, nil
}

func displayPath(wd, path string) string {
	if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}
