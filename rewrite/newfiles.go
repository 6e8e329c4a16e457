package rewrite

import (
	"bytes"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/migrate-tool/migrate/rules"
)

// newFile is a file a rule's site adds, with the rule (SET/ID).
type newFile struct {
	rules.NewFile
	rule string
}

// addFiles turns the files the rules add into changes with no Old: the
// file is created. Two rules adding one path with different contents are a
// bug of the rule sets. A file that exists is left as it is (a second run
// changes nothing), with a warning when it differs from what the rule
// would write.
func (r *runner) addFiles(add []newFile) error {
	seen := map[string]newFile{}
	for _, nf := range add {
		if err := checkNewPath(nf.Path); err != nil {
			return fmt.Errorf("rule %s adds %q: %w; this is a bug in the rule set (nothing was written)", nf.rule, nf.Path, err)
		}
		if prev, ok := seen[nf.Path]; ok {
			if !bytes.Equal(prev.Data, nf.Data) {
				return fmt.Errorf("rules %s and %s add %s with different contents (nothing was written): the packages they apply to need different files there (two versions of the old library, say); run the rule set on one group of packages at a time, or give the second a rule file that puts its file elsewhere", prev.rule, nf.rule, nf.Path)
			}
			continue
		}
		seen[nf.Path] = nf
		if err := r.addFile(nf); err != nil {
			return err
		}
	}
	return nil
}

func (r *runner) addFile(nf newFile) error {
	abs := filepath.Join(r.mod.Root, filepath.FromSlash(nf.Path))
	old, err := os.ReadFile(abs)
	switch {
	case err == nil:
		if !bytes.Equal(old, nf.Data) {
			r.res.Findings = append(r.res.Findings, Finding{Pos: token.Position{Filename: nf.Path}, Rule: nf.rule, Kind: Warning,
				Message: "file exists and differs from what the rule set adds: left as it is (delete it and run again to get the rule set's version)"})
		}
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("rule %s adds %s: %w", nf.rule, nf.Path, err)
	}
	r.res.Files = append(r.res.Files, &FileChange{Path: abs, Rel: r.mod.rel(abs), New: nf.Data, Mode: 0o644})
	return nil
}

// checkNewPath verifies that p names a file inside the module.
func checkNewPath(p string) error {
	switch {
	case p == "" || path.IsAbs(p) || strings.Contains(p, `\`):
		return errors.New("not a slash-separated path relative to the module root")
	case path.Clean(p) != p || p == "." || strings.HasPrefix(p, "../"):
		return errors.New("not a clean path inside the module")
	case strings.HasPrefix(p, "vendor/") || strings.Contains("/"+p, "/testdata/"):
		return errors.New("under vendor/ or testdata/, which the go command does not build")
	}
	return nil
}

// newPackageName returns the package name of the import path ipath when a
// site of the file adds a Go file of that package to the module: its
// package clause, as the go command cannot name a package that does not
// exist yet.
func (f *fileCtx) newPackageName(ipath string) (string, bool) {
	for _, nf := range f.newFiles {
		if !strings.HasSuffix(nf.Path, ".go") || f.mod.Path+"/"+path.Dir(nf.Path) != ipath {
			continue
		}
		if file, err := parser.ParseFile(token.NewFileSet(), nf.Path, nf.Data, parser.PackageClauseOnly); err == nil {
			return file.Name.Name, true
		}
	}
	return "", false
}
