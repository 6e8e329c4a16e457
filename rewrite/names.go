package rewrite

import (
	"context"
	"slices"

	"golang.org/x/tools/go/packages"

	"github.com/migrate-tool/migrate/rules"
)

// packageNames finds the real package name of every import path the rule
// sets may add: from the type information already loaded, else by asking
// the go command from the module root. A path that cannot be resolved has
// no entry; a rule that needs it then fails with a message.
func packageNames(ctx context.Context, mod *Module, sets []*rules.Set, typed []*typedFile, env []string) (map[string]string, error) {
	names := map[string]string{}
	want := addedPaths(sets)
	seen := map[*packages.Package]bool{}
	for _, tf := range typed {
		collectNames(tf.pkg, names, seen)
	}
	var missing []string
	for _, p := range want {
		if _, ok := names[p]; !ok {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return names, nil
	}
	defer moveNames(sets, names) // for what the go command cannot name
	cfg := &packages.Config{Context: ctx, Mode: packages.NeedName, Dir: mod.Root, Env: env}
	pkgs, err := packages.Load(cfg, missing...)
	if err != nil {
		return nil, err
	}
	for _, p := range pkgs {
		if p.Name != "" && len(p.Errors) == 0 {
			names[p.PkgPath] = p.Name
		}
	}
	return names, nil
}

// addedPaths returns the import paths the rule sets may add.
func addedPaths(sets []*rules.Set) []string {
	want := []string{"context"} // the $ctx template variable may need it
	for _, s := range sets {
		// A name with several paths stands for old versions, which no rule
		// adds; NewPaths are those the set's Go rules may add.
		var paths []string
		for name := range s.Packages {
			if p := s.Packages.Path(name); p != "" {
				paths = append(paths, p)
			}
		}
		for _, p := range slices.Concat(paths, s.NewPaths()) {
			if !slices.Contains(want, p) {
				want = append(want, p)
			}
		}
	}
	return want
}

// moveNames names the destination of each import move that the loaded
// code cannot name yet (its module is not in go.mod before the run): the
// name the rule file gives, else the old package's name, which a move
// keeps by definition.
func moveNames(sets []*rules.Set, names map[string]string) {
	for _, s := range sets {
		for _, m := range s.Moves() {
			if _, ok := names[m.To]; ok {
				continue
			}
			if m.Name != "" {
				names[m.To] = m.Name
			} else if n, ok := names[m.From]; ok {
				names[m.To] = n
			}
		}
	}
}

func collectNames(p *packages.Package, names map[string]string, seen map[*packages.Package]bool) {
	if seen[p] {
		return
	}
	seen[p] = true
	if p.Types != nil {
		for _, imp := range p.Types.Imports() {
			names[imp.Path()] = imp.Name()
		}
	}
	for _, imp := range p.Imports {
		if imp.Name != "" {
			names[imp.PkgPath] = imp.Name
		}
	}
}
