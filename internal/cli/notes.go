package cli

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	"github.com/migrate-tool/migrate/internal/gitx"
	"github.com/migrate-tool/migrate/rewrite"
)

// noteModules says what the diff leaves out: the go.mod and go.sum
// changes, which a real run makes with go get and go mod tidy, and the
// vendor directory, which it syncs with go mod vendor.
func noteModules(env *Env, res *rewrite.Result) {
	root := res.Module.Root
	files, vendor := "go.mod and go.sum", ""
	if _, err := os.Stat(filepath.Join(root, "vendor", "modules.txt")); err == nil {
		files, vendor = "go.mod, go.sum and vendor/", " && go mod vendor"
	}
	have := requiredVersions(filepath.Join(root, "go.mod"))
	for _, m := range slices.Sorted(maps.Keys(res.AddModules)) {
		want := res.AddModules[m]
		if v, ok := have[m]; ok && semver.Compare(v, want) >= 0 {
			// Already required at that version or later: go get would
			// downgrade it.
			fmt.Fprintf(env.Stderr, "migrate: the diff leaves out %s: go.mod already requires %s@%s; apply the diff, then run: go mod tidy%s\n", files, m, v, vendor)
			continue
		}
		fmt.Fprintf(env.Stderr, "migrate: the diff leaves out %s: the run requires %s@%s (go get) and tidies them; apply the diff, then run: go get %s@%s && go mod tidy%s\n",
			files, m, want, m, want, vendor)
	}
}

// requiredVersions returns the versions go.mod at path requires, by
// module; none when it cannot be read.
func requiredVersions(path string) map[string]string {
	out := map[string]string{}
	data, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	f, err := modfile.ParseLax(path, data, nil)
	if err != nil {
		return out
	}
	for _, r := range f.Require {
		out[r.Mod.Path] = r.Mod.Version
	}
	return out
}

// noteNestedModule tells how to apply the diff when the module is below
// the root of its git repository: its a/ b/ paths are relative to the
// module, and git apply reads them from the repository root (it silently
// skips them otherwise).
func noteNestedModule(env *Env, root string) {
	noteDiffRoot(env, root, "the module root")
}

// noteDiffRoot tells how to apply a diff whose paths are relative to
// root (what, e.g. "the module root") when root is below the root of its
// git repository.
func noteDiffRoot(env *Env, root, what string) {
	repo, err := gitx.Open(context.Background(), root)
	if err != nil {
		return
	}
	top, err1 := filepath.EvalSymlinks(repo.Top)
	mod, err2 := filepath.EvalSymlinks(root)
	if err1 != nil || err2 != nil || top == mod {
		return
	}
	rel, err := filepath.Rel(top, mod)
	if err != nil || strings.HasPrefix(rel, "..") {
		return
	}
	fmt.Fprintf(env.Stderr, "migrate: the diff's paths are relative to %s %s: apply it with git apply --directory=%s\n", what, rel, filepath.ToSlash(rel))
}
