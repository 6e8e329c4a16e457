package rules_test

import (
	"strings"
	"testing"

	"github.com/migrate-tool/migrate/rules"
	"github.com/migrate-tool/migrate/rules/builtin"
)

const header = "name: t\npackages:\n  a: example.com/a\n  b: example.com/b\nrules:\n"

// vheader declares a package with two versions (lines 3 to 5); its first
// rule starts on line 8.
const vheader = "name: t\npackages:\n  old:\n    v1: example.com/old\n    v2: example.com/old/v2\n  new: example.com/new\nrules:\n"

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
		{"unknown go rule", header + "  - go: nope\n", `unknown Go rule "nope" (known: go-redis-callbacks, go-redis-context-arg,`},
		{"duplicate id", header + "  - id: x\n    manual: a.X\n    message: m\n  - id: x\n    manual: a.Y\n    message: m\n", `t.yaml:9: rule id "x" already used at line 6`},
		{"bad go version", "name: t\ngo: latest\nrules:\n  - manual: a.X\n", `t.yaml:2: "go" must be a Go version`},
		{"move to parent", header + "  - move: example.com/a\n    to: ../../etc/evil\n", `t.yaml:7: rule "move:example.com/a": to: malformed import path "../../etc/evil": invalid path element ".."`},
		{"move to absolute", header + "  - move: example.com/a\n    to: /etc/evil\n", `t.yaml:7: rule "move:example.com/a": to: malformed import path "/etc/evil": empty path element`},
		{"move to dots", header + "  - move: example.com/a\n    to: ...\n", `t.yaml:7: rule "move:example.com/a": to: malformed import path "..."`},
		{"move from dots", header + "  - move: ./a\n    to: example.com/b\n", `t.yaml:6: rule "move:./a": malformed import path "./a"`},
		{"bad package path", "name: t\npackages:\n  a: example.com/a\n  b: ../b\nrules:\n  - manual: a.X\n    message: m\n", `t.yaml:4: package b: malformed import path "../b": invalid path element "..": give an import path such as example.com/mod/pkg`},
		{"bad package name", "name: t\npackages:\n  my-pkg: x\nrules:\n  - move: a\n    to: b\n", `package name "my-pkg" is not a Go identifier`},
		{"bad version path", "name: t\npackages:\n  old:\n    - example.com/old\n    - ../x\nrules:\n  - manual: old.X\n    message: m\n", `t.yaml:5: package old: malformed import path "../x"`},
		{"version twice", "name: t\npackages:\n  old: [example.com/old, example.com/old]\nrules:\n  - manual: old.X\n    message: m\n", `t.yaml:3: package old: example.com/old is listed twice`},
		{"bad version label", "name: t\npackages:\n  old:\n    v-1: example.com/old\nrules:\n  - manual: old.X\n    message: m\n", `t.yaml:4: package old: version label "v-1" is not a Go identifier`},
		{"version not a path", "name: t\npackages:\n  old:\n    v1: [a, b]\nrules:\n  - manual: old.X\n    message: m\n", `t.yaml:4: a package's versions map labels to import paths`},
		{"unknown version", vheader + "  - method: old.T.M\n    to: N\n    versions: [v3]\n", `t.yaml:10: rule "method:old.T.M": versions: "v3" names no version of a package with several (known: v1, v2)`},
		{"target with versions", vheader + "  - rename: old.X\n    to: old.Y\n", `t.yaml:9: rule "rename:old.X": to: "old.Y": package "old" stands for several import paths`},
		{"template with versions", vheader + "  - call: old.F($x)\n    to: old.G($x)\n", `t.yaml:9: rule "call:old.F": to: package "old" stands for several import paths`},
		{"versions on a go rule", header + "  - go: ioutil-readdir\n    versions: [v1]\n", `t.yaml:7: rule "go:ioutil-readdir": versions: applies only to declarative rules, not go`},
		{"when on a rename", header + "  - rename: a.X\n    to: b.Y\n    when: called\n", `t.yaml:8: rule "rename:a.X": when: applies only to manual rules`},
		{"bad when", header + "  - manual: a.F\n    message: m\n    when: sometimes\n", `t.yaml:8: rule "manual:a.F": when: "sometimes" is not one of called, result-used`},
		{"receiver of a func", header + "  - manual: a.F\n    message: m\n    receiver: a.T\n", `t.yaml:8: rule "manual:a.F": receiver: applies to a manual rule of a method`},
		{"group named like a rule", header + "  - id: x\n    manual: a.X\n    message: m\n  - id: y\n    group: x\n    manual: a.Y\n    message: m\n", `t.yaml:10: rule "y": group "x" is the id of the rule at line 6`},
		{"rename of any member", header + "  - method: a.T.*\n    to: N\n", `t.yaml:6: rule "method:a.T.*": "a.T.*": a rename names one member, not "*"`},
		{"insert-arg value", header + "  - insert-arg: a.T.M\n", `t.yaml:6: rule "insert-arg:a.T.M": insert-arg rule needs a "value"`},
		{"insert-arg hole", header + "  - insert-arg: a.T.M\n    value: $x\n", `t.yaml:7: rule "insert-arg:a.T.M": value: $x is not bound: an inserted value knows only $ctx`},
		{"insert-arg package", header + "  - insert-arg: a.T.M\n    value: zz.X()\n", `t.yaml:7: rule "insert-arg:a.T.M": value: package "zz" is not declared under "packages"`},
		{"insert-arg at", header + "  - insert-arg: a.T.M\n    value: nil\n    at: -1\n", `t.yaml:8: rule "insert-arg:a.T.M": at: -1 is not an argument index`},
		{"remove-field to", header + "  - remove-field: a.T.F\n    to: G\n", `t.yaml:6: rule "remove-field:a.T.F": remove-field rule takes no "to"`},
		{"implements message", header + "  - implements: a.I\n", `t.yaml:6: rule "implements:a.I": implements rule needs a "message"`},
		{"implements package", header + "  - id: i\n    implements: zz.I\n    message: m\n", `t.yaml:7: rule "i": "zz.I": package "zz" is not declared under "packages"`},
		{"implements member", header + "  - implements: a.T.M\n    message: m\n", `t.yaml:6: rule "implements:a.T.M": "a.T.M" is not of the form pkg.Name`},
		{"implements placeholder", header + "  - implements: a.I\n    message: \"{name} implements a.I\"\n", `t.yaml:7: rule "implements:a.I": message: {name} is not a placeholder of implements rules (known: {type}, {path}, {version})`},
		{"implements version label", header + "  - implements: a.I\n    message: \"{type} implements {version}\"\n", `t.yaml:7: rule "implements:a.I": message: {version} needs a label for each version under "packages" (v7: example.com/lib/v7); example.com/a has none`},
		{"implements to", header + "  - implements: a.I\n    message: m\n    to: b.I\n", `t.yaml:6: rule "implements:a.I": implements rule takes no "to"`},
		{"strings message", header + "  - strings: a\n", `t.yaml:6: rule "strings:a": strings rule needs a "message"`},
		{"strings package", header + "  - strings: zz\n    message: m\n", `t.yaml:6: rule "strings:zz": "zz": package "zz" is not declared under "packages" (declared: a, b); or give an import path`},
		{"strings path", header + "  - strings: ../x\n    message: m\n", `t.yaml:6: rule "strings:../x": malformed import path "../x"`},
		{"strings placeholder", header + "  - strings: a\n    message: \"{type} names a\"\n", `t.yaml:7: rule "strings:a": message: {type} is not a placeholder of strings rules (known: {string}, {path}, {version})`},
		{"strings version", vheader + "  - strings: example.com/other\n    message: \"{string} names {version}\"\n", `t.yaml:9: rule "strings:example.com/other": message: {version} needs a label for each version under "packages" (v7: example.com/lib/v7); example.com/other has none`},
		{"note message", header + "  - note: [a.F, a.T.M]\n", `t.yaml:6: rule "note:a.F, a.T.M": note rule needs a "message"`},
		{"note package", header + "  - id: n\n    note: [a.F, zz.G]\n    message: m\n", `t.yaml:7: rule "n": "zz.G": package "zz" is not declared under "packages"`},
		{"note form", header + "  - id: n\n    note: [a.T.M.X]\n    message: m\n", `t.yaml:7: rule "n": "a.T.M.X" is not of the form pkg.Name`},
		{"note placeholder", header + "  - id: n\n    note: a.F\n    message: \"{path} changed\"\n", `t.yaml:8: rule "n": message: {path}: note rules fill in no placeholders`},
		{"type to", header + "  - type: a.T\n    to: b.U.V\n", `t.yaml:7: rule "type:a.T": to: "b.U.V" is not of the form pkg.Name`},
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
// every rule has an example for "migrate explain": its own, or for a
// declarative rule one derived from its operation.
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
			if ex := spec.ExampleOrDerived(); ex == nil || ex.Before == "" || ex.After == "" {
				t.Errorf("%s/%s: no before/after example", s.Name, spec.ID)
			}
		}
	}
}

// TestNoteAlias checks that a list of references can be written once and
// reused with a YAML alias, as the notes about one set of constructors do.
func TestNoteAlias(t *testing.T) {
	src := header + "  - {id: x, note: &ctors [a.New, a.NewRing], message: m}\n  - {id: y, note: *ctors, message: n}\n"
	set, err := rules.Parse([]byte(src), "t.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(set.Specs[1].Note, " "); got != "a.New a.NewRing" {
		t.Errorf("note of y = %q, want the list of x", got)
	}
}

// TestVersions checks that a rule naming a package with several versions
// looks at each of them, or at those its "versions" name, by label or
// path, and that a rule of a group is reported under the group.
func TestVersions(t *testing.T) {
	src := vheader + `  - {id: all, method: old.T.M, to: N}
  - {id: two, versions: [v2], method: old.T.M, to: N}
  - {id: by-path, versions: [example.com/old], field: old.T.F, to: G, group: fields}
`
	set, err := rules.Parse([]byte(src), "t.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ id, paths string }{
		{"all", "example.com/old example.com/old/v2"},
		{"two", "example.com/old/v2"},
		{"fields", "example.com/old"},
	}
	for i, w := range want {
		r := set.Rules[i]
		if r.ID() != w.id || strings.Join(r.Paths(), " ") != w.paths {
			t.Errorf("rule %d: id %q, paths %q; want %q, %q", i, r.ID(), r.Paths(), w.id, w.paths)
		}
	}
	if got := strings.Join(set.Packages["old"], " "); got != "example.com/old example.com/old/v2" {
		t.Errorf("packages: old = %q", got)
	}
}
