package rewrite

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
	"golang.org/x/tools/go/packages"

	"github.com/migrate-tool/migrate/internal/gocmd"
)

// typeError is one error of a package loaded for the check.
type typeError struct {
	pos token.Position // Filename relative to the module root, or "-"
	msg string         // on one line
	pkg string         // import path of the package it is in
	// refs are where the module declares what the statement of the error
	// uses (see uses), Filename relative to the module root.
	refs []token.Position
}

// Load modes of the check: the errors, and the type information that
// tells what the statement of an error uses (see uses), which costs a
// third more and is asked for only when an error is at no site reported
// for a person.
const (
	checkMode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
		packages.NeedImports | packages.NeedTypes | packages.NeedSyntax
	checkModeUses = checkMode | packages.NeedTypesInfo
)

// loadErrors loads the packages of the changed files, each in the build
// configuration its file was rewritten in, with overlay (nil: as they are
// on disk), and returns their errors, each once.
func (r *runner) loadErrors(ctx context.Context, typed []*typedFile, overlay map[string][]byte, flags []string, mode packages.LoadMode) ([]typeError, error) {
	byConfig, configs := r.changedPackages(typed)
	return r.checkedErrors(byConfig, configs, overlay, flags, mode, func() ([]typeError, error) {
		return r.loadErrorsOf(ctx, byConfig, configs, overlay, flags, mode)
	})
}

// loadErrorsOf is loadErrors of the packages of byConfig, without the
// cache.
func (r *runner) loadErrorsOf(ctx context.Context, byConfig map[string][]string, configs map[string]config, overlay map[string][]byte, flags []string, mode packages.LoadMode) ([]typeError, error) {
	listFlags := flags
	var out []typeError
	seen := map[string]bool{}
	for _, k := range slices.Sorted(maps.Keys(byConfig)) {
		pkgs, ok := r.checkInProcess(ctx, configs[k], byConfig[k], overlay, flags, mode)
		if !ok {
			r.progress("type-checking the rewrite with go list", 0, 0)
			if len(overlay) > 0 && len(listFlags) == len(flags) {
				file, cleanup, err := gocmd.WriteOverlay(overlay)
				if err != nil {
					return nil, fmt.Errorf("check the rewrite: %w", err)
				}
				defer cleanup()
				listFlags = append(slices.Clone(flags), "-overlay="+file)
			}
			var err error
			if pkgs, err = r.checkLoad(ctx, configs[k], byConfig[k], overlay, listFlags, mode); err != nil {
				return nil, err
			}
		}
		for _, p := range pkgs {
			for _, te := range r.errorsOf(p) {
				if key := posString(te.pos) + " " + te.msg; !seen[key] {
					seen[key] = true
					out = append(out, te)
				}
			}
		}
	}
	return out, nil
}

// changedPackages returns the patterns of the changed files' packages, by
// build configuration (its key), and the configurations.
func (r *runner) changedPackages(typed []*typedFile) (map[string][]string, map[string]config) {
	changed := map[string]bool{}
	for _, f := range r.res.Files {
		changed[f.Path] = true
	}
	byConfig := map[string][]string{}
	configs := map[string]config{}
	for _, tf := range typed {
		if !changed[tf.path] {
			continue
		}
		pat := tf.pkgPath
		if tf.config.adhoc {
			pat = tf.path
		}
		k := tf.config.key()
		configs[k] = tf.config
		if !slices.Contains(byConfig[k], pat) {
			byConfig[k] = append(byConfig[k], pat)
		}
	}
	return byConfig, configs
}

// checkLoad loads the packages of patterns in cfg, test variants
// included, the roots type-checked from source, their dependencies from
// export data. The overlay reaches the go command through -overlay among
// the flags, and the type checker through ParseFile: given to go/packages
// as its Overlay, it would type-check every dependency from source too,
// the standard library included, which takes seconds.
func (r *runner) checkLoad(ctx context.Context, cfg config, patterns []string, overlay map[string][]byte, flags []string, mode packages.LoadMode) ([]*packages.Package, error) {
	pcfg := &packages.Config{
		Context: ctx, Mode: mode, Dir: r.mod.Root, Tests: !cfg.adhoc,
		Env: cfg.env(r.goenv.For(gocmd.Packages)), BuildFlags: append(cfg.buildFlags(), flags...),
		ParseFile: func(fset *token.FileSet, name string, src []byte) (*ast.File, error) {
			if data, ok := overlay[name]; ok {
				src = data
			}
			return parser.ParseFile(fset, name, src, parser.AllErrors|parser.SkipObjectResolution)
		},
	}
	pkgs, err := loadEach(pcfg, patterns, cfg.adhoc)
	if err != nil {
		return nil, fmt.Errorf("check the rewrite: load packages: %s", gocmd.OneLine(err.Error(), err))
	}
	return slices.DeleteFunc(pkgs, func(p *packages.Package) bool { return strings.HasSuffix(p.ID, ".test") }), nil
}

// errorsOf returns the errors of p, each with the declarations its
// statement uses.
func (r *runner) errorsOf(p *packages.Package) []typeError {
	refs := map[string][]token.Position{}
	for _, e := range p.TypeErrors {
		refs[e.Fset.Position(e.Pos).String()] = r.uses(p, e.Pos)
	}
	var out []typeError
	for _, e := range packageErrors(p) {
		out = append(out, typeError{pos: r.errorPos(e.Pos), msg: oneLine(e.Msg), pkg: p.PkgPath, refs: refs[e.Pos]})
	}
	return out
}

// packageErrors returns p's errors, without the compiler's report of its
// type errors: go list -export compiles the package too, and says again,
// in its own words, what the type checker said.
func packageErrors(p *packages.Package) []packages.Error {
	if len(p.TypeErrors) == 0 {
		return p.Errors
	}
	return slices.DeleteFunc(slices.Clone(p.Errors), func(e packages.Error) bool {
		return e.Kind == packages.ListError && strings.HasPrefix(e.Msg, "# ")
	})
}

// errorPos parses a go/packages error position, "file:line:col" or
// "file:line", making file relative to the module root.
func (r *runner) errorPos(s string) token.Position {
	if s == "" || s == "-" {
		return token.Position{Filename: "-"}
	}
	var nums []int
	rest := s
	for range 2 {
		i := strings.LastIndexByte(rest, ':')
		if i < 0 {
			break
		}
		n, err := strconv.Atoi(rest[i+1:])
		if err != nil {
			break
		}
		nums, rest = append([]int{n}, nums...), rest[:i]
	}
	p := token.Position{Filename: relPos(r.mod, rest)}
	if len(nums) > 0 {
		p.Line = nums[0]
	}
	if len(nums) > 1 {
		p.Column = nums[1]
	}
	return p
}

// oneLine joins the lines of a type checker message ("have (...)\n\twant
// (...)") into one.
func oneLine(msg string) string {
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	if len(lines) == 1 {
		return lines[0]
	}
	return lines[0] + " (" + strings.Join(lines[1:], ", ") + ")"
}

// uses returns where the module declares what a type error at pos
// involves: the name at pos and the functions called around it (their
// declarations and the named types of their types), and the types of what
// the value goes into (the left side of an assignment, a literal's field),
// up to the enclosing statement. An error there may follow from a site
// left for a person that declares one of them: a method value whose
// signature changed, an interface that spells out old methods. Packages
// are left out: an import reported for a person stands for no error.
func (r *runner) uses(p *packages.Package, pos token.Pos) []token.Position {
	if p.TypesInfo == nil {
		return nil
	}
	for _, f := range p.Syntax {
		if f.FileStart <= pos && pos <= f.FileEnd {
			path, _ := astutil.PathEnclosingInterval(f, pos, pos)
			d := &declared{info: p.TypesInfo, fset: p.Fset, mod: r.mod, seen: map[types.Type]bool{}}
			d.path(path)
			return d.out
		}
	}
	return nil
}

// path collects what the nodes of path, innermost first, involve, up to
// the first statement, declaration, spec or field.
func (d *declared) path(path []ast.Node) {
	if len(path) > 0 {
		d.name(path[0], true)
	}
	for _, n := range path {
		switch n := n.(type) {
		case *ast.CallExpr:
			d.name(ast.Unparen(n.Fun), true)
		case *ast.KeyValueExpr:
			d.name(n.Key, false)
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				d.name(l, false)
			}
		case *ast.ValueSpec:
			for _, id := range n.Names {
				d.name(id, false)
			}
		}
		if node, _, _ := siteNode([]ast.Node{n}); node != nil {
			return
		}
	}
}

// name collects the object n names (an identifier, or a selector's
// selected name): its type's named types, and with decl its declaration.
func (d *declared) name(n ast.Node, decl bool) {
	if sel, ok := n.(*ast.SelectorExpr); ok {
		n = sel.Sel
	}
	id, ok := n.(*ast.Ident)
	if !ok {
		return
	}
	obj := d.info.ObjectOf(id)
	if obj == nil {
		return
	}
	if _, ok := obj.(*types.PkgName); ok {
		return
	}
	if decl {
		d.add(obj.Pos())
	}
	d.typ(obj.Type())
}

// declared collects the positions, in the module, of objects and of the
// named types their types are built from.
type declared struct {
	info *types.Info
	fset *token.FileSet
	mod  *Module
	seen map[types.Type]bool
	out  []token.Position
}

func (d *declared) add(pos token.Pos) {
	if !pos.IsValid() {
		return
	}
	p := d.fset.Position(pos)
	if !strings.HasPrefix(p.Filename, d.mod.Root+string(filepath.Separator)) {
		return
	}
	p.Filename = d.mod.rel(p.Filename)
	d.out = append(d.out, p)
}

// typ adds the named types t is built from: through pointers, slices,
// arrays, maps, channels and signatures, not through named types'
// underlying types.
func (d *declared) typ(t types.Type) {
	if t == nil || d.seen[t] {
		return
	}
	d.seen[t] = true
	switch t := t.(type) {
	case *types.Named:
		d.add(t.Obj().Pos())
	case *types.Alias:
		d.add(t.Obj().Pos())
		d.typ(types.Unalias(t))
	case *types.Pointer:
		d.typ(t.Elem())
	case *types.Slice:
		d.typ(t.Elem())
	case *types.Array:
		d.typ(t.Elem())
	case *types.Map:
		d.typ(t.Key())
		d.typ(t.Elem())
	case *types.Chan:
		d.typ(t.Elem())
	case *types.Signature:
		for _, tup := range []*types.Tuple{t.Params(), t.Results()} {
			for v := range tup.Variables() {
				d.typ(v.Type())
			}
		}
	}
}
