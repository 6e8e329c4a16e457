package protobufrule

import (
	"go/ast"
	"go/types"
	"path"
	"slices"
	"strings"

	"github.com/migrate-tool/migrate/rules"
)

// knownTypes maps the old known-type packages whose name changes to their
// new paths. ptypes/struct is structpb in both and only moves.
var knownTypes = map[string]string{
	"github.com/golang/protobuf/ptypes/any":               "google.golang.org/protobuf/types/known/anypb",
	"github.com/golang/protobuf/ptypes/timestamp":         timestamp,
	"github.com/golang/protobuf/ptypes/duration":          duration,
	"github.com/golang/protobuf/ptypes/empty":             "google.golang.org/protobuf/types/known/emptypb",
	"github.com/golang/protobuf/ptypes/wrappers":          "google.golang.org/protobuf/types/known/wrapperspb",
	"github.com/golang/protobuf/protoc-gen-go/descriptor": "google.golang.org/protobuf/types/descriptorpb",
	"github.com/golang/protobuf/protoc-gen-go/plugin":     "google.golang.org/protobuf/types/pluginpb",
}

// KnownTypeNames moves the known-type imports whose package name
// changes, and makes the uses of an unaliased one follow the new name
// (the import keeps its line and comment): any.Any becomes anypb.Any. An
// aliased import (tspb, or timestamppb itself) keeps its alias. Where the
// new name means something else at a use, the import is named after the
// old package instead. The old packages' File_* descriptor variables have
// no counterpart and are reported.
var KnownTypeNames = &rules.GoRule{
	Name: "protobuf-known-type-names",
	Doc: "ptypes/any, timestamp, duration, empty and wrappers move to types/known/anypb, timestamppb, durationpb, " +
		"emptypb and wrapperspb, protoc-gen-go/descriptor and plugin to types/descriptorpb and pluginpb; the uses of an " +
		"unaliased import follow the new package name (any.Any becomes anypb.Any), an alias is kept; the File_* descriptors are reported",
	Paths:         append(pathsOf(knownTypes), v1Proto),
	ImportersOnly: true,
	NewPaths:      append(valuesOf(knownTypes), v2Proto),
	Run:           runKnownTypeNames,
}

func pathsOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func valuesOf(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

func runKnownTypeNames(p *rules.Pass) error {
	foldProtoV2(p)
	for _, spec := range p.AST().Imports {
		to, ok := knownTypes[rules.Unquote(spec.Path)]
		if !ok {
			continue
		}
		pn := p.Info().PkgNameOf(spec)
		newName := path.Base(to)
		var uses []*ast.Ident
		if pn != nil && spec.Name == nil {
			uses = usesOfPackage(p, pn)
		}
		name := "" // unnamed: the uses take the new package's name
		if slices.ContainsFunc(uses, func(id *ast.Ident) bool { return !free(p, newName, to, id) }) {
			name, uses = newName, nil // named after the old package: timestamp "…/timestamppb"
		}
		if name == "" {
			p.Rewrite(spec.Pos(), rules.MoveRequalified(spec, to, newName))
		} else {
			p.Rewrite(spec.Pos(), rules.SetImportPath(spec, to, name))
		}
		for _, x := range uses {
			sel := p.Parents(x)[0].(*ast.SelectorExpr)
			if obj := p.Info().Uses[sel.Sel]; strings.HasPrefix(obj.Name(), "File_") {
				p.Report(sel.Sel.Pos(), obj.Name()+" has no counterpart in "+to+": use its File_google_protobuf_*_proto", true)
			}
			p.Rewrite(x.Pos(), rules.Rename(x, newName))
		}
	}
	return nil
}

// free reports whether name, at the use id, names nothing or the package
// at path.
func free(p *rules.Pass, name, path string, id *ast.Ident) bool {
	scope := p.Pkg().Scope().Innermost(id.Pos())
	if scope == nil {
		return false
	}
	_, obj := scope.LookupParent(name, id.Pos())
	if obj == nil {
		return true
	}
	pn, ok := obj.(*types.PkgName)
	return ok && pn.Imported().Path() == path
}

// usesOfPackage returns the package identifiers (the X of each pkg.Name)
// that refer to the import pn.
func usesOfPackage(p *rules.Pass, pn *types.PkgName) []*ast.Ident {
	var out []*ast.Ident
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && p.Info().Uses[x] == pn {
				out = append(out, x)
			}
		}
		return true
	})
	return out
}

// foldProtoV2 makes a file that imports v1 proto and v2 proto under
// another name (protov2, protoV2) use the v1 import's name for both (trap
// 1): each protov2.X becomes proto.X, and the v2 import, with no use left,
// goes. A v2 import named like the v1 one is merged by the engine.
func foldProtoV2(p *rules.Pass) {
	var v1, v2 *types.PkgName
	for _, spec := range p.AST().Imports {
		pn := p.Info().PkgNameOf(spec)
		if pn == nil || spec.Name != nil && (spec.Name.Name == "_" || spec.Name.Name == ".") {
			continue
		}
		switch rules.Unquote(spec.Path) {
		case v1Proto:
			v1 = pn
		case v2Proto:
			if v2 == nil {
				v2 = pn
			}
		}
	}
	if v1 == nil || v2 == nil || v1.Name() == v2.Name() {
		return
	}
	uses := usesOfPackage(p, v2)
	for _, x := range uses {
		if scope := p.Pkg().Scope().Innermost(x.Pos()); scope == nil {
			return
		} else if _, obj := scope.LookupParent(v1.Name(), x.Pos()); obj != v1 {
			return // v1's name means something else there
		}
	}
	for _, x := range uses {
		sel := p.Parents(x)[0].(*ast.SelectorExpr)
		p.Rewrite(sel.Sel.Pos(), p.ReplaceUse(sel.Sel, v2Proto, sel.Sel.Name))
	}
}
