package status

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/migrate-tool/migrate/rules"
)

// A Step is one phase of a migration done in phases (see rules.Phase), or
// the cleanup of what a phase added, once the last phase is done.
type Step struct {
	// Label is "phase 1 of 2", or "cleanup".
	Label string `json:"label"`
	// Set is the phase's rule set; empty for a cleanup.
	Set string `json:"rule_set,omitempty"`
	// What says what the step does.
	What string `json:"what"`
	Done bool   `json:"done"`
	// Why says what in the module shows the step done, or not.
	Why string `json:"why"`
	// Next is the command that does the step, or for a cleanup what to do.
	Next string `json:"next"`
}

// IsCommand reports whether Next is a command to run rather than
// something to do by hand.
func (s Step) IsCommand() bool { return s.Set != "" }

// Chain returns the rule sets of the migration in phases that set takes
// part in, in order: the sets of known whose phase names it as next come
// before it, and the set its phase names (looked up with find) after it.
// A set that find does not know stays in the chain by name only. Chain
// returns nil when set takes part in no such migration.
func Chain(set *rules.Set, known []*rules.Set, find func(name string) (*rules.Set, error)) []*rules.Set {
	chain := []*rules.Set{set}
	named := func(name string) bool {
		return slices.ContainsFunc(chain, func(s *rules.Set) bool { return s.Name == name })
	}
	for prev := previous(chain[0], known); prev != nil && !named(prev.Name); prev = previous(prev, known) {
		chain = append([]*rules.Set{prev}, chain...)
	}
	for last := set; last.Phase != nil && last.Phase.Next != "" && !named(last.Phase.Next); {
		next, err := find(last.Phase.Next)
		if err != nil {
			next = &rules.Set{Name: last.Phase.Next}
		}
		chain = append(chain, next)
		last = next
	}
	if len(chain) == 1 {
		return nil
	}
	return chain
}

// previous returns the set of known whose phase names s as next.
func previous(s *rules.Set, known []*rules.Set) *rules.Set {
	for _, k := range known {
		if k.Phase != nil && k.Phase.Next == s.Name && k.Name != s.Name {
			return k
		}
	}
	return nil
}

// Steps says how far the module at root is in the migration that chain
// makes: a phase that adds a path is done while the path exists, a phase
// that does not is done when no Go file of the module (what the earlier
// phases added aside) imports one of its set's old paths, and a phase is
// done too when a later one is. A phase's cleanup is done once the last
// phase is and the path it added is gone.
func Steps(root string, chain []*rules.Set) []Step {
	var steps, cleanups []Step
	var added []string
	for i, s := range chain {
		st := Step{Label: fmt.Sprintf("phase %d of %d", i+1, len(chain)), Set: s.Name, What: s.Summary, Next: "migrate run --rules " + s.Name}
		switch p := s.Phase; {
		case p != nil && p.Adds != "":
			st.Done = exists(root, p.Adds)
			st.Why = presence(p.Adds, st.Done)
			added = append(added, p.Adds)
		case len(s.Rules) == 0:
			st.Why = "the rule set " + s.Name + " is not known here"
		default:
			file := importer(root, s.Paths(), added)
			st.Done = file == ""
			st.Why = "no file imports " + strings.Join(s.Paths(), " or ")
			if file != "" {
				st.Why = file + " still imports the old API"
			}
		}
		if p := s.Phase; p != nil && p.Name != "" {
			st.What = p.Name
		}
		steps = append(steps, st)
	}
	for i := len(steps) - 2; i >= 0; i-- {
		if !steps[i].Done && steps[i+1].Done {
			steps[i].Done, steps[i].Why = true, steps[i+1].Label+" is done"
		}
	}
	last := steps[len(steps)-1].Done
	for _, s := range chain {
		if p := s.Phase; p != nil && p.Cleanup != "" {
			there := exists(root, p.Adds)
			cleanups = append(cleanups, Step{Label: "cleanup", What: p.Cleanup, Next: p.Cleanup, Done: last && !there, Why: presence(p.Adds, there)})
		}
	}
	return append(steps, cleanups...)
}

// presence says whether a path is in the module.
func presence(path string, there bool) string {
	if there {
		return path + " is in the module"
	}
	return path + " is not in the module"
}

// exists reports whether the slash path rel exists under root.
func exists(root, rel string) bool {
	_, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel)))
	return err == nil
}

// importer returns the first Go file of the module at root (relative to
// it) that imports one of paths (one ending in "/..." also names the
// packages under it), leaving out the
// directories skip (relative slash paths), other modules, vendor and
// testdata; "" when there is none.
func importer(root string, paths, skip []string) string {
	found := ""
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || found != "" {
			return filepath.SkipDir
		}
		rel := filepath.ToSlash(relTo(root, path))
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "vendor" || name == "testdata" ||
				slices.Contains(skip, rel) || exists(path, "go.mod")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") && importsAny(path, paths) {
			found = rel
		}
		return nil
	})
	return found
}

func importsAny(file string, paths []string) bool {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
	if err != nil {
		return false
	}
	for _, spec := range f.Imports {
		p := rules.Unquote(spec.Path)
		if slices.ContainsFunc(paths, func(old string) bool {
			base, tree := strings.CutSuffix(old, "/...")
			return p == base || tree && strings.HasPrefix(p, base+"/")
		}) {
			return true
		}
	}
	return false
}

// SetPhases adds the steps of the migration in phases that the report's
// set takes part in: the files under a path a phase added leave the
// report (they are its cleanup's, not work of a phase), and the next step
// becomes that of the first step not done, unless it is the report's own
// set's, whose command stays.
func (r *Report) SetPhases(steps []Step, chain []*rules.Set) {
	r.Phases = steps
	var added []string
	for _, s := range chain {
		if s.Phase != nil && s.Phase.Adds != "" {
			added = append(added, s.Phase.Adds)
		}
	}
	files := map[string]*FileStatus{}
	for _, f := range r.Files {
		if !slices.ContainsFunc(added, func(a string) bool { return f.Path == a || strings.HasPrefix(filepath.ToSlash(f.Path), a+"/") }) {
			files[f.Path] = f
		}
	}
	r.Files, r.Done, r.ToDo, r.OldUses, r.Manual, r.Ignored = nil, 0, 0, 0, 0, 0
	r.tally(files)
	if next := r.nextStep(); next != nil && !slices.Contains(r.Sets, next.Set) {
		r.NextStep = next.Next
	}
}

// nextStep returns the first step not done, or nil.
func (r *Report) nextStep() *Step {
	for i := range r.Phases {
		if !r.Phases[i].Done {
			return &r.Phases[i]
		}
	}
	return nil
}
