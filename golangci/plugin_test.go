package golangci_test

import (
	"os"
	"testing"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis/analysistest"

	_ "github.com/migrate-tool/migrate/golangci"
)

// build makes the linter as golangci-lint does, from its registered name
// and settings decoded from YAML into plain values.
func build(t *testing.T, settings map[string]any) register.LinterPlugin {
	t.Helper()
	newPlugin, err := register.GetPlugin("migrate")
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlugin(settings)
	if err != nil {
		t.Fatal(err)
	}
	if p.GetLoadMode() != register.LoadModeTypesInfo {
		t.Errorf("load mode %q, want %q", p.GetLoadMode(), register.LoadModeTypesInfo)
	}
	return p
}

// TestBuiltinSet runs the ioutil set the plugin builds: the old use is
// reported and fixed, the one under //migrate:ignore left alone.
func TestBuiltinSet(t *testing.T) {
	as, err := build(t, map[string]any{"sets": []any{"ioutil"}}).BuildAnalyzers()
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || as[0].Name != "ioutil" {
		t.Fatalf("analyzers %v, want [ioutil]", as)
	}
	analysistest.RunWithSuggestedFixes(t, "testdata/app", as[0], "./...")
}

// TestRuleFiles runs a rule file of the module, and no built-in set.
func TestRuleFiles(t *testing.T) {
	as, err := build(t, map[string]any{"sets": []any{}, "rules": []any{"discard.yaml"}}).BuildAnalyzers()
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || as[0].Name != "rulefiles" {
		t.Fatalf("analyzers %v, want [rulefiles]", as)
	}
	analysistest.RunWithSuggestedFixes(t, "testdata/rulefile", as[0], "./...")
}

// TestAllSets builds every built-in set when none is named.
func TestAllSets(t *testing.T) {
	as, err := build(t, nil).BuildAnalyzers()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, a := range as {
		names[a.Name] = true
	}
	for _, want := range []string{"ioutil", "goredisv9", "satoriuuid"} {
		if !names[want] {
			t.Errorf("no analyzer %s in %v", want, as)
		}
	}
}

// TestUnknownSet refuses a rule set that does not exist.
func TestUnknownSet(t *testing.T) {
	newPlugin, _ := register.GetPlugin("migrate")
	if _, err := newPlugin(map[string]any{"sets": []any{"nope"}}); err == nil {
		t.Error("unknown set accepted")
	}
	if _, err := newPlugin(map[string]any{"typo": 1}); err == nil {
		t.Error("unknown setting accepted")
	}
}

func TestMain(m *testing.M) {
	os.Setenv("GOFLAGS", "-mod=mod")
	os.Exit(m.Run())
}
