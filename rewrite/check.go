package rewrite

import (
	"context"
	"fmt"
	"go/token"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/migrate-tool/migrate/internal/gocmd"
	"github.com/migrate-tool/migrate/internal/udiff"
)

// NoCompile is what the check adds to the message of a site left for a
// person when the rewritten code has a type error there.
const NoCompile = "does not compile until fixed by hand"

// BreakError is Run's error when the rewritten code has type errors
// outside every site a rule left for a person: the rule set breaks code
// without saying so. Nothing is returned to show or write.
type BreakError struct {
	// Breaks are the type errors, by position, each with the rule whose
	// edit is at or nearest to it.
	Breaks []Break
}

// Break is one type error of the rewritten code that no site left for a
// person accounts for.
type Break struct {
	// Pos is the error's position in the rewritten file, relative to the
	// module root (Filename "-" when the go command gave none).
	Pos token.Position
	// Msg is the type checker's message, on one line.
	Msg string
	// Rule is the SET/ID of the rule whose edit is at or nearest to Pos,
	// and At where that rule acted, in the file as it was.
	Rule string
	At   token.Position
	// Exact tells that the edit covers Pos's line.
	Exact bool
}

// String says where the error is (in the rewritten file), what it is,
// and which rule's edit is at it or nearest (where the rule acted, in the
// file as it was).
func (b Break) String() string {
	s := posString(b.Pos) + ": " + b.Msg
	switch {
	case b.Rule == "":
	case b.Exact:
		s += fmt.Sprintf("; rule %s rewrote it, at %s in the original", b.Rule, posString(b.At))
	default:
		s += fmt.Sprintf("; the nearest edit is rule %s's, at %s in the original", b.Rule, posString(b.At))
	}
	return s
}

func (e *BreakError) Error() string {
	b := e.Breaks[0]
	more := ""
	if n := len(e.Breaks) - 1; n > 0 {
		more = fmt.Sprintf("; %d more type error", n)
		if n > 1 {
			more += "s"
		}
	}
	set, _, _ := strings.Cut(b.Rule, "/")
	ignore := "SET"
	if set != "" {
		ignore = set
	}
	return fmt.Sprintf("the rewrite would not compile: %s%s; nothing was written: fix the rule, or make it report such sites for a person (manual:), or keep the site as it is with a //migrate:ignore %s comment",
		b, more, ignore)
}

// comparePos orders positions by file, line and column.
func comparePos(a, b token.Position) int {
	if c := strings.Compare(a.Filename, b.Filename); c != 0 {
		return c
	}
	if a.Line != b.Line {
		return a.Line - b.Line
	}
	return a.Column - b.Column
}

func posString(p token.Position) string {
	if p.Line == 0 {
		return p.Filename
	}
	return fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
}

// check type-checks the packages of the changed files, test variants
// included, with the files' new contents (an overlay: nothing is written),
// against go.mod with the modules the rule sets add required (see
// checkModules). A type error at a site a rule left for a person marks
// that finding (NoCompile); any other, unless the code had it before the
// rewrite, makes Run fail with a *BreakError.
func (r *runner) check(ctx context.Context, typed []*typedFile) error {
	if len(r.res.Files) == 0 {
		return nil
	}
	r.progress("type-checking the rewrite", 0, 0)
	overlay, flags, err := r.checkModules(ctx)
	if err != nil {
		return fmt.Errorf("check the rewrite: %w", err)
	}
	maps.Copy(overlay, r.opts.Overlay)
	for _, f := range r.res.Files {
		overlay[f.Path] = f.New
	}
	tidied := r.startTidy(ctx)
	breaks, err := r.breaks(ctx, typed, overlay, flags)
	tidied(err == nil && len(breaks) == 0)
	if err != nil || len(breaks) == 0 {
		return err
	}
	// Errors the code had before the rewrite are not the rules' doing.
	before, err := r.loadErrors(ctx, typed, nil, nil, checkMode)
	if err != nil {
		return err
	}
	if breaks = r.dropPreexisting(breaks, before); len(breaks) > 0 {
		slices.SortStableFunc(breaks, func(a, b Break) int { return comparePos(a.Pos, b.Pos) })
		return &BreakError{Breaks: breaks}
	}
	return nil
}

// breaks loads the changed packages with overlay and returns their type
// errors at no site left for a person, marking the findings of the sites
// that have some.
func (r *runner) breaks(ctx context.Context, typed []*typedFile, overlay map[string][]byte, flags []string) ([]Break, error) {
	errs, err := r.loadErrors(ctx, typed, overlay, flags, checkMode)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		// One may be in a body the first load left out.
		if err := r.verifyBodies(ctx); err != nil {
			return nil, err
		}
	}
	r.wholeFileSites()
	breaks := r.classify(errs)
	if len(breaks) == 0 || !r.anyReported() {
		return breaks, nil
	}
	// Some may follow from a reported site elsewhere: load again, with what
	// each error's statement uses.
	if errs, err = r.loadErrors(ctx, typed, overlay, flags, checkModeUses); err != nil {
		return nil, err
	}
	return r.classify(errs), nil
}

// checkModules returns the start of the check's overlay: when the rule
// sets add modules that go.mod does not yet require, the go.mod and go.sum
// that require them (computed on a -modfile copy, and kept in the result
// for the write to start from), with the flags to read them by. An
// overlay, unlike -modfile, also works in a workspace. Where the module
// vendors, -mod=readonly: vendor/ follows the old go.mod.
func (r *runner) checkModules(ctx context.Context) (map[string][]byte, []string, error) {
	add := r.res.AddModules
	goc := &gocmd.Runner{Dir: r.mod.Root, Env: r.goenv}
	req, err := r.require(ctx, goc, add)
	if err != nil {
		var mods []string
		for _, m := range slices.Sorted(maps.Keys(add)) {
			mods = append(mods, m+"@"+add[m])
		}
		return nil, nil, fmt.Errorf("%w; the check reads the rewritten code against the modules the rule sets add, as the write does: make them reachable (GOPROXY, GOSUMDB), or download them first (go mod download %s)", err, strings.Join(mods, " "))
	}
	if req == nil {
		return map[string][]byte{}, nil, nil
	}
	r.res.Required = req
	files := map[string][]byte{filepath.Join(r.mod.Root, "go.mod"): req.Mod}
	if req.Sum != nil {
		files[filepath.Join(r.mod.Root, "go.sum")] = req.Sum
	}
	var flags []string
	if r.goenv.Vendor() {
		flags = []string{"-mod=readonly"}
	}
	return files, flags, nil
}

// wholeFileSites adds the files left for a person as a whole (generated
// files left alone, files migrate cannot reprint, files of packages that
// did not type-check) to the reported spans: until regenerated or migrated
// by hand, they and the code that uses them may not compile.
func (r *runner) wholeFileSites() {
	whole := func(file, rule string, pos token.Position) {
		fs := r.spans[file]
		if fs == nil {
			fs = &fileSpans{}
			r.spans[file] = fs
		}
		fs.reported = append(fs.reported, span{rule: rule, pos: pos, first: 1, last: math.MaxInt})
	}
	for _, f := range r.res.Findings {
		if f.Kind == Generated || f.Kind == Unhandled || f.Kind == Broken {
			whole(f.Pos.Filename, f.Rule, f.Pos)
		}
	}
	for _, file := range slices.Sorted(maps.Keys(r.brokenFiles)) {
		if pos := r.brokenFiles[file]; pos.Filename != file {
			whole(file, "", pos)
		}
	}
}

// anyReported reports whether a rule reported a site for a person.
func (r *runner) anyReported() bool {
	for _, fs := range r.spans {
		if len(fs.reported) > 0 {
			return true
		}
	}
	return false
}

// classify marks the findings whose sites have type errors and returns the
// errors at no such site, each with the nearest edit.
func (r *runner) classify(errs []typeError) []Break {
	lines := r.newLines()
	var breaks []Break
	for _, e := range errs {
		if r.atReportedSite(e, lines) {
			continue
		}
		breaks = append(breaks, r.nearestEdit(e, lines))
	}
	return breaks
}

// newLines returns, for each file with spans, the function that maps a
// span of its original lines to the lines it became.
func (r *runner) newLines() map[string]func(first, last int) (int, int) {
	m := map[string]func(int, int) (int, int){}
	for _, f := range r.res.Files {
		m[f.Rel] = udiff.SpanMap(f.Old, f.New)
	}
	return m
}

func mapSpan(lines map[string]func(int, int) (int, int), file string, s span) (int, int) {
	if m := lines[file]; m != nil {
		return m(s.first, s.last)
	}
	return s.first, s.last
}

// atReportedSite reports whether e lies in the statement of a site left for
// a person, or its statement uses something declared at one, and if so
// marks that site's findings.
func (r *runner) atReportedSite(e typeError, lines map[string]func(int, int) (int, int)) bool {
	hit := false
	for _, at := range append([]token.Position{e.pos}, e.refs...) {
		fs := r.spans[at.Filename]
		if fs == nil {
			continue
		}
		for _, s := range fs.reported {
			if first, last := mapSpan(lines, at.Filename, s); first <= at.Line && at.Line <= last {
				r.markNoCompile(s, e.msg)
				hit = true
			}
		}
	}
	return hit
}

// markNoCompile adds NoCompile to the findings of the site s, once; a
// file listed as broken says so already.
func (r *runner) markNoCompile(s span, msg string) {
	for i := range r.res.Findings {
		f := &r.res.Findings[i]
		if f.Kind != Warning && f.Kind != Broken && f.Rule == s.rule && f.Pos == s.pos && f.TypeError == "" {
			f.TypeError = msg
			f.Message += "; " + NoCompile
		}
	}
}

// nearestEdit returns e as a Break with the rule whose edit is nearest to
// it: in its file, by lines; else the first edit of its package (an
// unchanged file broken by a change in another); else the first edit.
func (r *runner) nearestEdit(e typeError, lines map[string]func(int, int) (int, int)) Break {
	b := Break{Pos: e.pos, Msg: e.msg}
	best := -1
	if fs := r.spans[e.pos.Filename]; fs != nil && e.pos.Line > 0 {
		for _, s := range fs.edits {
			first, last := mapSpan(lines, e.pos.Filename, s)
			d := max(first-e.pos.Line, e.pos.Line-last, 0)
			if best < 0 || d < best {
				best, b.Rule, b.At, b.Exact = d, s.rule, s.pos, d == 0
			}
		}
	}
	if best >= 0 {
		return b
	}
	pkg := strings.TrimSuffix(e.pkg, "_test") // an external test package breaks with its package
	for _, name := range slices.Sorted(maps.Keys(r.spans)) {
		fs := r.spans[name]
		if len(fs.edits) == 0 || (fs.pkg != pkg && b.Rule != "") {
			continue
		}
		b.Rule, b.At = fs.edits[0].rule, fs.edits[0].pos
		if fs.pkg == pkg {
			break
		}
	}
	return b
}

// dropPreexisting removes the breaks that the code had before the rewrite:
// the same message in the same file, on the line the old line became.
func (r *runner) dropPreexisting(breaks []Break, before []typeError) []Break {
	lineMaps := map[string]func(int) int{}
	for _, f := range r.res.Files {
		lineMaps[f.Rel] = udiff.LineMap(f.Old, f.New)
	}
	had := map[string]bool{}
	for _, e := range before {
		p := e.pos
		if m := lineMaps[p.Filename]; m != nil && p.Line > 0 {
			p.Line = m(p.Line)
		}
		had[fmt.Sprintf("%s:%d %s", p.Filename, p.Line, e.msg)] = true
	}
	return slices.DeleteFunc(breaks, func(b Break) bool {
		return had[fmt.Sprintf("%s:%d %s", b.Pos.Filename, b.Pos.Line, b.Msg)]
	})
}
