// Package golangci is migrate's golangci-lint module plugin: imported by
// a custom golangci-lint build (golangci-lint custom, .custom-gcl.yml), it
// registers the linter "migrate", whose analyzers are those of migrate-vet:
// one per built-in rule set, and the user's rule files. See the README,
// "Use in CI and editors".
package golangci

import (
	"fmt"
	"slices"
	"strings"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/migrate-tool/migrate/internal/analyzers"
	"github.com/migrate-tool/migrate/rules/builtin"
)

func init() {
	register.Plugin("migrate", New)
}

// Settings are the linter's settings in .golangci.yml
// (linters.settings.custom.migrate.settings).
type Settings struct {
	// Sets are the built-in rule sets to apply (ioutil, go-redis-v9,
	// ...); absent, all of them; empty, none.
	Sets []string `json:"sets"`
	// Rules are rule files to apply too, relative to the module root.
	Rules []string `json:"rules"`
}

// Plugin is the linter: the analyzers its settings select.
type Plugin struct{ settings Settings }

// New makes the linter from its raw settings.
func New(raw any) (register.LinterPlugin, error) {
	s, err := register.DecodeSettings[Settings](raw)
	if err != nil {
		return nil, fmt.Errorf("migrate linter settings: %w", err)
	}
	for _, n := range s.Sets {
		if !slices.Contains(builtin.Names(), n) {
			return nil, fmt.Errorf("migrate linter settings: unknown rule set %q (built-in: %s)", n, strings.Join(builtin.Names(), ", "))
		}
	}
	return &Plugin{settings: s}, nil
}

// BuildAnalyzers returns the analyzers of the selected rule sets, and the
// rulefiles analyzer when rule files are given.
func (p *Plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	names := p.settings.Sets
	if names == nil {
		names = builtin.Names()
	}
	var out []*analysis.Analyzer
	for _, n := range names {
		s, err := builtin.Load(n)
		if err != nil {
			return nil, err
		}
		out = append(out, analyzers.ForSet(s))
	}
	if len(p.settings.Rules) > 0 {
		out = append(out, analyzers.RuleFiles(&analyzers.Options{Rules: strings.Join(p.settings.Rules, ",")}))
	}
	return out, nil
}

// GetLoadMode says the analyzers need type information.
func (p *Plugin) GetLoadMode() string { return register.LoadModeTypesInfo }
