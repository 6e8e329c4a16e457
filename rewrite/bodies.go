package rewrite

import (
	"context"
	"errors"
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/packages"
)

// Most of a first load's time goes to type-checking function bodies, and
// a rule looks at the bodies of its own file only (rules.View: a file's
// syntax and types; what needs the whole package is a Fact). So when no
// rule of the run requires a fact, the roots are type-checked with the
// bodies of the files the rules look at, and only the declarations of
// the others (withoutBodies). What that check cannot see is an error in
// a body left out: the package would have been listed as broken and its
// files left alone. The check of the rewrite type-checks those bodies
// anyway; when it finds any type error, or when nothing changed and there
// is no check, verifyBodies type-checks the stripped packages whole, and
// if one has an error the run starts again with every body
// (errWholeBodies), so that the result is the one a whole load gives.

// errWholeBodies is what verifyBodies returns when a package checked
// without some bodies does not type-check whole: Run starts again.
var errWholeBodies = errors.New("a package does not type-check with all its function bodies")

// withoutBodies returns a copy of f whose function declarations have no
// bodies, except those a declaration needs (init, generic functions and
// methods of generic types); f is not changed, and the copy shares its
// nodes.
func withoutBodies(f *ast.File) *ast.File {
	c := *f
	c.Decls = make([]ast.Decl, len(f.Decls))
	for i, d := range f.Decls {
		c.Decls[i] = d
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil || fd.Recv == nil && fd.Name.Name == "init" || fd.Type.TypeParams != nil || genericRecv(fd) {
			continue
		}
		nd := *fd
		nd.Body = nil
		c.Decls[i] = &nd
	}
	return &c
}

// genericRecv reports whether fd is a method of a generic type.
func genericRecv(fd *ast.FuncDecl) bool {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return false
	}
	t := fd.Recv.List[0].Type
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	switch t.(type) {
	case *ast.IndexExpr, *ast.IndexListExpr:
		return true
	}
	return false
}

// dropUnusedImports removes from p's errors the "imported and not used"
// of the files in stripped, whose uses may all have been in the bodies
// left out.
func dropUnusedImports(p *packages.Package, stripped map[string]bool) {
	unused := func(pos, msg string) bool {
		file, _, _ := strings.Cut(pos, ":")
		return stripped[file] && strings.HasPrefix(msg, `"`) && strings.HasSuffix(msg, " and not used")
	}
	var errs []packages.Error
	for _, e := range p.Errors {
		if e.Kind != packages.TypeError || !unused(e.Pos, e.Msg) {
			errs = append(errs, e)
		}
	}
	var tes []types.Error
	for _, te := range p.TypeErrors {
		if !te.Soft || !unused(te.Fset.Position(te.Pos).String(), te.Msg) {
			tes = append(tes, te)
		}
	}
	p.Errors, p.TypeErrors = errs, tes
}

// verifyBodies type-checks, whole, the packages the first loads checked
// without some function bodies, once a run, and returns errWholeBodies if
// one has a type error.
func (r *runner) verifyBodies(ctx context.Context) error {
	if r.bodiesVerified {
		return nil
	}
	r.bodiesVerified = true
	for _, fl := range r.loads {
		for _, p := range fl.stripped {
			if err := ctx.Err(); err != nil {
				return err
			}
			np := &packages.Package{ID: p.ID, Name: p.Name, PkgPath: p.PkgPath, Fset: p.Fset, Syntax: p.Syntax,
				Module: p.Module, TypesSizes: p.TypesSizes, Types: types.NewPackage(p.PkgPath, p.Name)}
			typeCheck(np, importerFunc(func(path string) (*types.Package, error) {
				if path == "unsafe" {
					return types.Unsafe, nil
				}
				if dep := p.Imports[path]; dep != nil && dep.Types != nil {
					return dep.Types, nil
				}
				return nil, errUnknownImport
			}), true)
			if len(np.Errors) > 0 {
				return errWholeBodies
			}
		}
	}
	return nil
}
