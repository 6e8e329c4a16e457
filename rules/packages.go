package rules

import (
	"fmt"
	"go/token"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Packages maps the names that rule references and templates use ("redis"
// in redis.Client.Get) to the import paths they stand for: one path, or
// the several versions of one library, in the order the rule file lists
// them. A rule naming redis.X matches the object X in each of them.
type Packages map[string][]string

// Path returns the one import path of name, or "" when name is not
// declared or stands for several paths.
func (p Packages) Path(name string) string {
	if len(p[name]) != 1 {
		return ""
	}
	return p[name][0]
}

// checkTarget verifies that a package that code is rewritten to use (in a
// call template or an inserted value) is declared with one import path:
// the path the rewritten code imports.
func (p Packages) checkTarget(name string) error {
	switch paths := p[name]; {
	case len(paths) == 0:
		return fmt.Errorf("package %q is not declared under \"packages\"", name)
	case len(paths) > 1:
		return fmt.Errorf("package %q stands for several import paths: name a package with one", name)
	}
	return nil
}

// packageYAML is one entry of a rule file's "packages": a path, a list of
// paths, or a map from labels to paths ("v7: github.com/go-redis/redis/v7"),
// the labels naming the versions for a rule's "versions".
type packageYAML struct {
	paths  []string
	labels []string // "" where the entry gives none
	lines  []int    // the line of each path
}

func (p *packageYAML) UnmarshalYAML(v *yaml.Node) error {
	switch v.Kind {
	case yaml.ScalarNode:
		p.add("", v)
		return nil
	case yaml.SequenceNode:
		for _, e := range v.Content {
			if e.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: a package's list holds import paths", e.Line)
			}
			p.add("", e)
		}
		return nil
	case yaml.MappingNode:
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, e := v.Content[i], v.Content[i+1]
			if e.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: a package's versions map labels to import paths (v7: example.com/lib/v7)", e.Line)
			}
			p.add(k.Value, e)
		}
		return nil
	}
	return fmt.Errorf("line %d: a package is an import path, a list of them, or a map of labels to them", v.Line)
}

func (p *packageYAML) add(label string, path *yaml.Node) {
	p.paths = append(p.paths, path.Value)
	p.labels = append(p.labels, label)
	p.lines = append(p.lines, path.Line)
}

// stringList is a YAML value that is one string or a list of strings.
type stringList []string

func (s *stringList) UnmarshalYAML(v *yaml.Node) error {
	switch v.Kind {
	case yaml.ScalarNode:
		*s = stringList{v.Value}
		return nil
	case yaml.SequenceNode:
		var l []string
		if err := v.Decode(&l); err != nil {
			return err
		}
		*s = l
		return nil
	}
	return fmt.Errorf("line %d: want a string or a list of strings", v.Line)
}

// packageTable is the validated "packages" of a rule file.
type packageTable map[string]*packageYAML

// check validates the table in name order. It returns the first bad
// entry's name with its error, and the line of the bad path (0 for an
// error in the name).
func (t packageTable) check() (string, int, error) {
	for _, name := range slices.Sorted(maps.Keys(t)) {
		p := t[name]
		if !token.IsIdentifier(name) {
			return name, 0, fmt.Errorf("package name %q is not a Go identifier", name)
		}
		if len(p.paths) == 0 {
			return name, 0, fmt.Errorf("package %s: give an import path, or a list of the versions' paths", name)
		}
		seen := map[string]bool{}
		for i, path := range p.paths {
			if err := checkImportPath(path); err != nil {
				return name, p.lines[i], fmt.Errorf("package %s: %w", name, err)
			}
			if l := p.labels[i]; l != "" && !token.IsIdentifier(l) {
				return name, p.lines[i], fmt.Errorf("package %s: version label %q is not a Go identifier (v7, say)", name, l)
			}
			for _, k := range []string{path, p.labels[i]} {
				if k != "" && seen[k] {
					return name, p.lines[i], fmt.Errorf("package %s: %s is listed twice", name, k)
				}
				seen[k] = true
			}
		}
	}
	return "", 0, nil
}

// paths returns the import paths of each name.
func (t packageTable) paths() Packages {
	out := Packages{}
	for name, p := range t {
		out[name] = p.paths
	}
	return out
}

// labels maps each labelled version's import path to its label.
func (t packageTable) labels() map[string]string {
	out := map[string]string{}
	for _, p := range t {
		for i, path := range p.paths {
			if p.labels[i] != "" {
				out[path] = p.labels[i]
			}
		}
	}
	return out
}

// narrow returns the packages as a rule limited to versions sees them: each
// name with several paths keeps those that versions names (by label or
// path), or all when versions names none of them. Every entry of versions
// must name a version of some package.
func (t packageTable) narrow(versions []string) (Packages, error) {
	out := t.paths()
	used := map[string]bool{}
	for name, p := range t {
		if len(p.paths) < 2 {
			continue
		}
		var kept []string
		for i, path := range p.paths {
			if slices.Contains(versions, path) || p.labels[i] != "" && slices.Contains(versions, p.labels[i]) {
				kept = append(kept, path)
				used[path], used[p.labels[i]] = true, true
			}
		}
		if len(kept) > 0 {
			out[name] = kept
		}
	}
	for _, v := range versions {
		if !used[v] {
			return nil, fmt.Errorf("versions: %q names no version of a package with several (%s)", v, t.versionNames())
		}
	}
	return out, nil
}

// versionNames lists the labels (or paths) of the packages with several
// versions, for errors.
func (t packageTable) versionNames() string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(t)) {
		p := t[name]
		if len(p.paths) < 2 {
			continue
		}
		for i, path := range p.paths {
			if p.labels[i] != "" {
				out = append(out, p.labels[i])
			} else {
				out = append(out, path)
			}
		}
	}
	if len(out) == 0 {
		return "no package lists versions"
	}
	return "known: " + strings.Join(out, ", ")
}
