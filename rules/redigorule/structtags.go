package redigorule

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"strconv"
	"strings"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// StructTags adds the redis tags go-redis needs to read and write a
// struct as a hash.
var StructTags = &rules.GoRule{
	Name: "redigo-struct-tags",
	Doc: "a struct declared in the package and passed to Args.AddFlat or ScanStruct gets redis:\"Field\" on each exported " +
		"field without a redis tag name, since go-redis (HSet, Cmd.Scan) reads and writes tagged fields only while redigo " +
		"used the field name; the hash keeps its field names. A struct declared in another package, a struct that embeds " +
		"another (redigo flattened it, go-redis does not) and fields declared together (A, B string) are reported",
	Paths:    paths,
	Requires: []*rules.Fact{hashStructs, compatPackage},
	Run:      runStructTags,
}

// hashStructs is, for a package, the named struct types its code passes
// to AddFlat or ScanStruct: the types whose fields go-redis must see
// tagged.
var hashStructs = &rules.Fact{
	Name: "redigo-hash-structs",
	Doc:  "the named struct types a package passes to redigo's Args.AddFlat or ScanStruct",
	Compute: func(pkg *rules.Package) (any, error) {
		set := map[*types.TypeName]bool{}
		for _, f := range pkg.Syntax {
			ast.Inspect(f, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					if tn, _ := hashStructArg(pkg.Info, call); tn != nil {
						set[tn] = true
					}
				}
				return true
			})
		}
		return set, nil
	},
}

// hashStructArg returns the named struct type that call, an AddFlat or
// ScanStruct call, flattens or fills, and the argument.
func hashStructArg(info *types.Info, call *ast.CallExpr) (*types.TypeName, ast.Expr) {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil, nil
	}
	fn, ok := info.Uses[sel.Sel].(*types.Func)
	if !ok || fn.Pkg() == nil || !rules.MatchPath(fn.Pkg().Path(), paths) {
		return nil, nil
	}
	i := -1
	switch recv := fn.Type().(*types.Signature).Recv(); {
	case fn.Name() == "AddFlat" && recv != nil:
		i = 0
	case fn.Name() == "ScanStruct" && recv == nil:
		i = 1
	}
	if i < 0 || i >= len(call.Args) {
		return nil, nil
	}
	t := info.TypeOf(call.Args[i])
	if ptr, ok := t.(*types.Pointer); ok {
		t = ptr.Elem()
	}
	n, ok := t.(*types.Named)
	if !ok {
		return nil, nil
	}
	if _, isStruct := n.Underlying().(*types.Struct); !isStruct {
		return nil, nil
	}
	return n.Obj(), call.Args[i]
}

func runStructTags(p *rules.Pass) error {
	if inCompat(p) {
		return nil // phase 1\'s package stays on redigo until it is deleted
	}
	set := p.Fact(hashStructs).(map[*types.TypeName]bool)
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if tn, arg := hashStructArg(p.Info(), n); tn != nil && tn.Pkg() != p.Pkg() && !allTagged(tn) {
				p.Report(arg.Pos(), fmt.Sprintf("%s is declared in package %s: go-redis reads and writes only fields tagged "+
					"redis:\"...\" (redigo used the field names); add redis:\"Field\" to each of its exported fields there", tn.Name(), tn.Pkg().Path()), true)
			}
		case *ast.TypeSpec:
			if tn, ok := p.Info().Defs[n.Name].(*types.TypeName); ok && set[tn] {
				if st, ok := n.Type.(*ast.StructType); ok {
					tagFields(p, tn, st)
				}
			}
		}
		return true
	})
	return nil
}

// allTagged reports whether every exported field of tn's struct has a
// redis tag with a name, and none is embedded.
func allTagged(tn *types.TypeName) bool {
	st := tn.Type().Underlying().(*types.Struct)
	for i := range st.NumFields() {
		f := st.Field(i)
		if f.Embedded() {
			return false
		}
		if name, _, _ := strings.Cut(reflect.StructTag(st.Tag(i)).Get("redis"), ","); f.Exported() && name == "" {
			return false
		}
	}
	return true
}

// tagFields tags the exported fields of st that have no redis tag name.
func tagFields(p *rules.Pass, tn *types.TypeName, st *ast.StructType) {
	for _, f := range st.Fields.List {
		if len(f.Names) == 0 {
			p.Report(f.Pos(), fmt.Sprintf("%s embeds %s: redigo flattened its fields into the hash, go-redis ignores them; "+
				"declare the fields in %s (with redis tags) or read and write them separately", tn.Name(), types.ExprString(f.Type), tn.Name()), true)
			continue
		}
		var untagged []string
		for _, id := range f.Names {
			if id.IsExported() && tagName(f) == "" && !tagSkips(f) {
				untagged = append(untagged, id.Name)
			}
		}
		switch {
		case len(untagged) == 0:
		case len(f.Names) > 1:
			p.Report(f.Pos(), fmt.Sprintf("%s declares %s together: go-redis reads and writes only fields tagged redis:\"...\"; "+
				"declare each on its own line with redis:\"%s\" (its name in the hash)", tn.Name(), strings.Join(untagged, ", "), untagged[0]), true)
		default:
			p.Rewrite(f.Pos(), addTag(f, untagged[0]))
		}
	}
}

// tagName returns the name part of f's redis tag.
func tagName(f *ast.Field) string {
	name, _, _ := strings.Cut(fieldTag(f).Get("redis"), ",")
	return name
}

// tagSkips reports whether f's redis tag is "-": both libraries skip it.
func tagSkips(f *ast.Field) bool { return fieldTag(f).Get("redis") == "-" }

func fieldTag(f *ast.Field) reflect.StructTag {
	if f.Tag == nil {
		return ""
	}
	s, err := strconv.Unquote(f.Tag.Value)
	if err != nil {
		return ""
	}
	return reflect.StructTag(s)
}

// addTag returns the edit that gives f the tag redis:"name", keeping its
// other tags and the redis tag's options.
func addTag(f *ast.Field, name string) rules.Edit {
	tag := string(fieldTag(f))
	redis, hasRedis := fieldTag(f).Lookup("redis")
	var value string
	switch {
	case hasRedis:
		// redis:",omitempty" becomes redis:"Name,omitempty".
		value = strings.Replace(tag, `redis:"`+redis+`"`, `redis:"`+name+redis+`"`, 1)
	case tag == "":
		value = `redis:"` + name + `"`
	default:
		value = tag + ` redis:"` + name + `"`
	}
	return rules.Replace(f, func(old dst.Node) dst.Node {
		field := old.(*dst.Field)
		lit := "`" + value + "`"
		if strings.Contains(value, "`") {
			lit = strconv.Quote(value)
		}
		field.Tag = &dst.BasicLit{Kind: token.STRING, Value: lit}
		return field
	})
}
