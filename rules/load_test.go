package rules_test

import (
	"strings"
	"testing"

	"github.com/migrate-tool/migrate/rules"
	"github.com/migrate-tool/migrate/rules/builtin"
)

const header = "name: t\npackages:\n  a: example.com/a\n  b: example.com/b\nrules:\n"

// TestParseErrors checks that each malformed rule file is refused with the
// line of the problem and a message that says what to do.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"empty", "", "t.yaml: empty rule file"},
		{"bad name", "name: Bad Name\nrules:\n  - manual: a.X\n", `t.yaml:1: rule set needs a "name"`},
		{"no rules", "name: t\nrules: []\n", `t.yaml:2: rule set "t" has no rules`},
		{"unknown key", header + "  - renam: a.X\n    to: b.Y\n", "t.yaml:6: field renam not found"},
		{"no op", header + "  - id: x\n    to: b.Y\n", "t.yaml:6: rule \"x\": rule has no operation"},
		{"two ops", header + "  - rename: a.X\n    method: a.T.M\n    to: b.Y\n", "several operations (rename, method)"},
		{"missing to", header + "  - rename: a.X\n", `t.yaml:6: rule "rename:a.X": rename rule needs a "to"`},
		{"undeclared pkg", header + "  - id: r\n    rename: c.X\n    to: b.Y\n", `t.yaml:7: rule "r": "c.X": package "c" is not declared`},
		{"bad to", header + "  - id: r\n    rename: a.X\n    to: zz.Y\n", `t.yaml:8: rule "r": to: "zz.Y": package "zz" is not declared`},
		{"method form", header + "  - method: a.X\n    to: Y\n", `is not of the form pkg.Type.Member`},
		{"method to", header + "  - method: a.T.X\n    to: b.Y\n", `to: "b.Y" is not a Go identifier`},
		{"template parse", header + "  - call: a.F($x\n    to: b.G($x)\n", `template "a.F($x" does not parse`},
		{"unbound hole", header + "  - call: a.F($x)\n    to: b.G($y)\n", `to: $y is not bound by the call pattern`},
		{"receiver missing", header + "  - call: $c.M()\n    to: $c.N()\n", `needs "receiver: pkg.Type"`},
		{"manual message", header + "  - manual: a.X\n", `manual rule needs a "message"`},
		{"unknown go rule", header + "  - go: nope\n", `unknown Go rule "nope" (known: go-redis, ioutil-readdir)`},
		{"duplicate id", header + "  - id: x\n    manual: a.X\n    message: m\n  - id: x\n    manual: a.Y\n    message: m\n", `t.yaml:9: rule id "x" already used at line 6`},
		{"bad go version", "name: t\ngo: latest\nrules:\n  - manual: a.X\n", `t.yaml:2: "go" must be a Go version`},
		{"move to parent", header + "  - move: example.com/a\n    to: ../../etc/evil\n", `t.yaml:7: rule "move:example.com/a": to: malformed import path "../../etc/evil": invalid path element ".."`},
		{"move to absolute", header + "  - move: example.com/a\n    to: /etc/evil\n", `t.yaml:7: rule "move:example.com/a": to: malformed import path "/etc/evil": empty path element`},
		{"move to dots", header + "  - move: example.com/a\n    to: ...\n", `t.yaml:7: rule "move:example.com/a": to: malformed import path "..."`},
		{"move from dots", header + "  - move: ./a\n    to: example.com/b\n", `t.yaml:6: rule "move:./a": malformed import path "./a"`},
		{"bad package path", "name: t\npackages:\n  a: example.com/a\n  b: ../b\nrules:\n  - manual: a.X\n    message: m\n", `t.yaml:4: package b: malformed import path "../b": invalid path element "..": give an import path such as example.com/mod/pkg`},
		{"bad package name", "name: t\npackages:\n  my-pkg: x\nrules:\n  - move: a\n    to: b\n", `package name "my-pkg" is not a Go identifier`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := rules.Parse([]byte(c.src), "t.yaml", builtin.GoRules())
			if err == nil {
				t.Fatalf("no error; want %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q\nwant it to contain %q", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

// TestBuiltinsLoad checks that every built-in rule set loads, and that
// every rule carries an example for "migrate explain".
func TestBuiltinsLoad(t *testing.T) {
	sets, err := builtin.All()
	if err != nil {
		t.Fatal(err)
	}
	if len(sets) == 0 {
		t.Fatal("no built-in rule sets")
	}
	for _, s := range sets {
		if s.Summary == "" || s.From == "" || s.To == "" {
			t.Errorf("%s: summary, from and to are required for migrate list", s.Name)
		}
		for _, spec := range s.Specs {
			if spec.Example == nil || spec.Example.Before == "" || spec.Example.After == "" {
				t.Errorf("%s/%s: no before/after example", s.Name, spec.ID)
			}
		}
	}
}
