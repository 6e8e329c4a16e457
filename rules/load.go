package rules

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// GoRuleFunc builds a rule written in Go for a "go: NAME" entry of a rule
// file.
type GoRuleFunc func(set *Set, spec *Spec) (Rule, error)

// ParseError is a problem in a rule file, with its position.
type ParseError struct {
	File string
	Line int
	Err  error
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// fileYAML is the top level of a rule file.
type fileYAML struct {
	Name     string       `yaml:"name"`
	Summary  string       `yaml:"summary"`
	Doc      string       `yaml:"doc"`
	From     string       `yaml:"from"`
	To       string       `yaml:"to"`
	Go       string       `yaml:"go"`
	Packages packageTable `yaml:"packages"`
	Modules  Modules      `yaml:"modules"`
	Rules    []*Spec      `yaml:"rules"`
	Phase    *Phase       `yaml:"phase"`
}

var (
	setNameRE = regexp.MustCompile(`^[a-z][a-z0-9.-]*$`)
	goVerRE   = regexp.MustCompile(`^1\.[0-9]+(\.[0-9]+)?$`)
)

// LoadFile reads and validates the rule file at path.
func LoadFile(path string, goRules map[string]GoRuleFunc) (*Set, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read rule file: %w", err)
	}
	return Parse(src, path, goRules)
}

// Parse validates a rule file's contents. source names the file in errors.
func Parse(src []byte, source string, goRules map[string]GoRuleFunc) (*Set, error) {
	fail := func(line int, format string, args ...any) error {
		return &ParseError{File: source, Line: line, Err: fmt.Errorf(format, args...)}
	}
	var f fileYAML
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, yamlError(source, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, yamlError(source, err)
	}
	lines, keyLines := ruleLines(&root)
	if !setNameRE.MatchString(f.Name) {
		return nil, fail(topLine(&root, "name"), "rule set needs a \"name\" of lower-case letters, digits, '-' and '.' (got %q)", f.Name)
	}
	if f.Go != "" && !goVerRE.MatchString(f.Go) {
		return nil, fail(topLine(&root, "go"), "\"go\" must be a Go version like \"1.16\" (got %q)", f.Go)
	}
	if f.Phase != nil {
		if err := f.Phase.check(); err != nil {
			return nil, fail(topLine(&root, "phase"), "%v", err)
		}
	}
	if len(f.Rules) == 0 {
		return nil, fail(topLine(&root, "rules"), "rule set %q has no rules", f.Name)
	}
	set := &Set{
		Name: f.Name, From: f.From, To: f.To, Summary: f.Summary, Doc: f.Doc,
		Source: source, GoVersion: f.Go, Packages: f.Packages.paths(), Modules: f.Modules,
		labels: f.Packages.labels(), Phase: f.Phase,
	}
	if name, line, err := f.Packages.check(); err != nil {
		if line == 0 {
			line = entryLine(&root, "packages", name)
		}
		return nil, fail(line, "%v", err)
	}
	if err := f.Modules.check(); err != nil {
		return nil, fail(topLine(&root, "modules"), "%v", err)
	}
	ids := map[string]int{}
	for i, spec := range f.Rules {
		if i < len(lines) {
			spec.Line, spec.keyLines = lines[i], keyLines[i]
		}
		if spec.ID == "" {
			spec.ID = spec.defaultID()
		}
		if prev, dup := ids[spec.ID]; dup {
			return nil, fail(spec.Line, "rule id %q already used at line %d", spec.ID, prev)
		}
		ids[spec.ID] = spec.Line
		r, err := compile(set, f.Packages, spec, goRules)
		if err != nil {
			return nil, fail(spec.errLine(err), "rule %q: %v", spec.ID, err)
		}
		set.Rules = append(set.Rules, r)
		set.Specs = append(set.Specs, spec)
	}
	if spec, err := checkGroups(set.Specs); err != nil {
		return nil, fail(spec.keyLine("group"), "rule %q: %v", spec.ID, err)
	}
	return set, nil
}

// checkGroups verifies that no group is named like a rule: findings name
// the group, and "migrate explain" must not show two things under it.
func checkGroups(specs []*Spec) (*Spec, error) {
	ids := map[string]int{}
	for _, s := range specs {
		ids[s.ID] = s.Line
	}
	for _, s := range specs {
		if line, ok := ids[s.Group]; ok && s.Group != "" {
			return s, fmt.Errorf("group %q is the id of the rule at line %d: give the group another name", s.Group, line)
		}
	}
	return nil, nil
}

// compile turns a validated Spec into a Rule. A declarative rule sees the
// set's packages narrowed to its versions.
func compile(set *Set, pkgs packageTable, spec *Spec, goRules map[string]GoRuleFunc) (Rule, error) {
	if err := spec.checkOp(); err != nil {
		return nil, err
	}
	if err := spec.checkImportPaths(set.Packages); err != nil {
		return nil, err
	}
	op, arg := spec.Op()
	if op != "go" {
		narrowed, err := pkgs.narrow(spec.Versions)
		if err != nil {
			return nil, err
		}
		view := *set
		view.Packages = narrowed
		return compileDecl(&view, spec)
	}
	mk, ok := goRules[arg]
	if !ok {
		return nil, fmt.Errorf("unknown Go rule %q (known: %s)", arg, knownNames(goRules))
	}
	return mk(set, spec)
}

// yamlError converts a YAML error (which names a line in its text) into a
// ParseError.
func yamlError(source string, err error) error {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if m := regexp.MustCompile(`^line (\d+): (.*)$`).FindStringSubmatch(msg); m != nil {
		fmt.Sscan(m[1], &line)
		msg = m[2]
	}
	if msg == "EOF" {
		msg = "empty rule file"
	}
	return &ParseError{File: source, Line: line, Err: errors.New(msg)}
}

// topLine returns the line of a top-level key, or 1.
func topLine(root *yaml.Node, key string) int {
	if len(root.Content) == 0 {
		return 1
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i].Line
		}
	}
	return 1
}

// entryLine returns the line of key in the top-level map top, or the
// line of top.
func entryLine(root *yaml.Node, top, key string) int {
	if len(root.Content) == 0 {
		return 1
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != top {
			continue
		}
		entries := m.Content[i+1].Content
		for j := 0; j+1 < len(entries); j += 2 {
			if entries[j].Value == key {
				return entries[j].Line
			}
		}
	}
	return topLine(root, top)
}

// ruleLines returns the line of each entry of the top-level "rules" list,
// and of each key in it.
func ruleLines(root *yaml.Node) ([]int, []map[string]int) {
	if len(root.Content) == 0 {
		return nil, nil
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "rules" {
			continue
		}
		var lines []int
		var keys []map[string]int
		for _, r := range m.Content[i+1].Content {
			lines = append(lines, r.Line)
			km := map[string]int{}
			for j := 0; j+1 < len(r.Content); j += 2 {
				km[r.Content[j].Value] = r.Content[j].Line
			}
			keys = append(keys, km)
		}
		return lines, keys
	}
	return nil, nil
}

func knownNames[V any](m map[string]V) string {
	var names []string
	for k := range m {
		names = append(names, k)
	}
	if len(names) == 0 {
		return "none"
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
