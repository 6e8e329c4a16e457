// Package analyzers turns rule sets into go/analysis analyzers, for go vet
// -vettool, go fix -fixtool and golangci-lint: one analyzer per built-in
// rule set, and one for the user's rule files.
//
// An analyzer's diagnostics are the old uses that its rule set rewrites
// and the sites it leaves for a person, at file:line:col. Each
// diagnostic in a file that the rewrite changes carries the same
// suggested fix: the whole rewrite of that file (imports and TODO comments
// included) as a few line hunks, computed by rewrite.RewritePackage, the
// engine of "migrate run". Applying any of them migrates the file;
// applying all of them (go fix) merges the identical edits into one. A
// generated file gets diagnostics and no fix; a site under a
// //migrate:ignore comment gets nothing.
package analyzers

import (
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"golang.org/x/mod/modfile"
	"golang.org/x/tools/go/analysis"

	"github.com/migrate-tool/migrate/internal/udiff"
	"github.com/migrate-tool/migrate/rewrite"
	"github.com/migrate-tool/migrate/rules"
	"github.com/migrate-tool/migrate/rules/builtin"
)

// Options configure the analyzers.
type Options struct {
	// Rules lists rule files (or built-in rule set names), separated by
	// commas, that the "rulefiles" analyzer applies. A relative path is taken
	// from the root of the module being analyzed. It is read when an
	// analyzer runs, after the driver parsed its flags.
	Rules string
}

// limits says what an analyzer, which sees one package in one build
// configuration, does not do that "migrate run" does.
const limits = `
The analyzer sees one package in the build configuration of the driver: it
does not rewrite files excluded by build tags, does not type-check the
rewritten code (migrate run does, and says which sites for a person will
not compile), and cannot change go.mod: after go fix, require the new
modules (go get) and run go mod tidy. Values of the old library that reach
the package through another package's API are seen through the type
information of that package (its export data), so the sites are the same
as the whole-module run's; a rule's facts (such as the client types of a
package) are computed from this package alone. A generated file gets
diagnostics and no fix: regenerate it. Each analyzer's fix is computed on
the original files: when several rule sets change one file, go fix may
apply one and ask to be run again.`

// All returns an analyzer for each built-in rule set, named by Name, then
// the "rulefiles" analyzer, which applies the rule files of opts.Rules.
func All(opts *Options) ([]*analysis.Analyzer, error) {
	var out []*analysis.Analyzer
	for _, n := range builtin.Names() {
		s, err := builtin.Load(n)
		if err != nil {
			return nil, err
		}
		out = append(out, ForSet(s))
	}
	return append(out, RuleFiles(opts)), nil
}

// ForSet returns the analyzer of one rule set.
func ForSet(s *rules.Set) *analysis.Analyzer {
	doc := s.Name + ": " + s.Summary
	if s.Doc != "" {
		doc += "\n\n" + strings.TrimSpace(s.Doc)
	}
	return &analysis.Analyzer{
		Name: Name(s.Name),
		Doc:  doc + "\n" + limits,
		URL:  "https://github.com/migrate-tool/migrate#use-in-ci-and-editors",
		Run: func(pass *analysis.Pass) (any, error) {
			return nil, Run(pass, []*rules.Set{s})
		},
	}
}

// RuleFiles returns the analyzer that applies the rule files of
// opts.Rules; with none it reports nothing.
func RuleFiles(opts *Options) *analysis.Analyzer {
	return &analysis.Analyzer{
		Name: "rulefiles",
		Doc:  "rulefiles: apply the rule files given with -rules=FILE[,FILE...] (relative to the module root)\n" + limits,
		URL:  "https://github.com/migrate-tool/migrate#use-in-ci-and-editors",
		Run: func(pass *analysis.Pass) (any, error) {
			if strings.TrimSpace(opts.Rules) == "" || len(pass.Files) == 0 {
				return nil, nil
			}
			root, ok := moduleRoot(pass.Fset.File(pass.Files[0].FileStart).Name())
			if !ok {
				return nil, nil // a test's main package, generated in the build cache
			}
			sets, err := builtin.Resolve(root, strings.Split(opts.Rules, ","))
			if err != nil {
				return nil, err
			}
			return nil, Run(pass, sets)
		},
	}
}

// Name turns a rule set's name into an analyzer's: the letters, digits and
// underscores of it ("go-redis-v9" is goredisv9), which a Go identifier
// allows.
func Name(set string) string {
	name := strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			return unicode.ToLower(r)
		}
		return -1
	}, set)
	if name == "" || unicode.IsDigit(rune(name[0])) {
		name = "set" + name
	}
	return name
}

// moduleRoot returns the directory of the go.mod above file.
func moduleRoot(file string) (string, bool) {
	for d := filepath.Dir(file); ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, true
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}

// readModule returns the module path and go version of the go.mod above
// file, or "" if there is none.
func readModule(file string) (path, goVersion string) {
	root, ok := moduleRoot(file)
	if !ok {
		return "", ""
	}
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", ""
	}
	f, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil || f.Module == nil {
		return "", ""
	}
	if f.Go != nil {
		goVersion = f.Go.Version
	}
	return f.Module.Mod.Path, goVersion
}

// Run applies the rule sets to the pass's package and reports the old
// uses and the sites for a person, with the rewrite of each changed file
// as the suggested fix of its diagnostics.
func Run(pass *analysis.Pass, sets []*rules.Set) error {
	pkg := &rewrite.Package{Fset: pass.Fset, Files: pass.Files, Types: pass.Pkg, Info: pass.TypesInfo, ReadFile: pass.ReadFile}
	if m := pass.Module; m != nil {
		pkg.Module, pkg.GoVersion = m.Path, m.GoVersion
	} else if len(pass.Files) > 0 {
		// A driver that does not say (some golangci-lint versions): the
		// go.mod above the package.
		pkg.Module, pkg.GoVersion = readModule(pass.Fset.File(pass.Files[0].FileStart).Name())
	}
	res, err := rewrite.RewritePackage(pkg, sets)
	if err != nil {
		return err
	}
	r := &reporter{pass: pass, files: map[string]*token.File{}, clauses: map[string]token.Pos{}, fixes: map[string][]analysis.SuggestedFix{}, generated: map[string]bool{}}
	for _, f := range pass.Files {
		tf := pass.Fset.File(f.FileStart)
		r.files[tf.Name()], r.clauses[tf.Name()] = tf, f.Package
	}
	for _, f := range res.Findings {
		if f.Kind == rewrite.Generated {
			r.generated[f.Pos.Filename] = true
		}
	}
	for _, c := range res.Files {
		r.fixes[c.Path] = []analysis.SuggestedFix{fileFix(r.files[c.Path], c, sets)}
	}
	for _, u := range res.Uses {
		r.report(u)
	}
	for _, f := range res.Findings {
		switch f.Kind {
		case rewrite.Manual, rewrite.Unhandled:
			r.report(f)
		}
	}
	return nil
}

// reporter turns findings into diagnostics.
type reporter struct {
	pass      *analysis.Pass
	files     map[string]*token.File // by name
	clauses   map[string]token.Pos   // each file's package clause
	fixes     map[string][]analysis.SuggestedFix
	generated map[string]bool
}

func (r *reporter) report(f rewrite.Finding) {
	name := f.Pos.Filename
	tf := r.files[name]
	if tf == nil {
		return
	}
	pos := r.clauses[name]
	if f.Pos.Line > 0 {
		pos = tf.Pos(f.Pos.Offset)
	}
	msg := f.Message
	if f.Rule != "" {
		msg += " (" + f.Rule + ")"
	}
	if r.generated[name] {
		msg += "; in a generated file, left alone: regenerate it"
	}
	r.pass.Report(analysis.Diagnostic{Pos: pos, Category: f.Rule, Message: msg, SuggestedFixes: r.fixes[name]})
}

// fileFix is the rewrite of one file as a suggested fix: one text edit a
// hunk of its line diff.
func fileFix(tf *token.File, c *rewrite.FileChange, sets []*rules.Set) analysis.SuggestedFix {
	var names []string
	for _, s := range sets {
		names = append(names, s.Name)
	}
	fix := analysis.SuggestedFix{Message: fmt.Sprintf("migrate %s with %s", filepath.Base(c.Path), strings.Join(names, ", "))}
	oldStarts, newStarts := lineStarts(c.Old), lineStarts(c.New)
	for _, e := range udiff.Edits(c.Old, c.New) {
		fix.TextEdits = append(fix.TextEdits, analysis.TextEdit{
			Pos:     tf.Pos(oldStarts[e.OldStart]),
			End:     tf.Pos(oldStarts[e.OldEnd]),
			NewText: c.New[newStarts[e.NewStart]:newStarts[e.NewEnd]],
		})
	}
	return fix
}

// lineStarts returns the offset of each line of b, lines split after each
// "\n", and then len(b).
func lineStarts(b []byte) []int {
	starts := []int{0}
	for i, c := range b {
		if c == '\n' && i+1 < len(b) {
			starts = append(starts, i+1)
		}
	}
	if len(b) == 0 {
		return starts
	}
	return append(starts, len(b))
}
