package rules_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"testing"

	"github.com/migrate-tool/migrate/rules"
)

const oldAPI = `package old

type Doer interface{ Do() }

type base struct{ Addr string }

func (base) Do()  {}
func (base) Ping() {}

type Client struct {
	base
	Size int
}

type Other struct{ Size int }

func (Other) Do() {}

func New() *Client { return nil }

var Default = New()
`

// TestMatcher checks what a Matcher answers for package-level objects,
// methods (declared on an embedded type, or by an interface the type
// implements) and fields (direct or promoted), and that same-named objects
// of other types or packages are not matched.
func TestMatcher(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "old.go", oldAPI, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := (&types.Config{Importer: importer.Default()}).Check("example.com/old", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	obj := func(typ, name string) types.Object {
		if typ == "" {
			return pkg.Scope().Lookup(name)
		}
		o, _, _ := types.LookupFieldOrMethod(pkg.Scope().Lookup(typ).Type(), true, pkg, name)
		return o
	}
	ref := func(name, member string) rules.Ref {
		return rules.Ref{Paths: []string{"example.com/old"}, Pkg: "old", Name: name, Member: member}
	}
	m := rules.NewMatcher(ref("New", ""), ref("Client", "Do"), ref("Client", "Addr"), ref("Client", "Size"),
		rules.Ref{Paths: []string{"example.com/v2"}, Pkg: "v2", Name: "Default"})
	for _, c := range []struct {
		typ, name string
		want      string
	}{
		{"", "New", "old.New"},
		{"Client", "Do", "old.Client.Do"},     // promoted from base
		{"Doer", "Do", "old.Client.Do"},       // declared by an interface Client implements
		{"Client", "Addr", "old.Client.Addr"}, // promoted field
		{"Client", "Size", "old.Client.Size"},
		{"Other", "Size", ""},  // same name, another type
		{"Other", "Do", ""},    // a method of another type
		{"Client", "Ping", ""}, // not named
		{"", "Default", ""},    // named in another package
	} {
		r, ok := m.Match(obj(c.typ, c.name))
		if got := r.String(); !ok && c.want != "" || ok && got != c.want {
			t.Errorf("Match(%s.%s) = %v, %v; want %q", c.typ, c.name, got, ok, c.want)
		}
	}
	if _, ok := m.Match(nil); ok {
		t.Error("Match(nil) matched")
	}
	// "*" names any method of a type.
	star := rules.NewMatcher(ref("Other", "*"))
	if r, ok := star.Match(obj("Other", "Do")); !ok || r.String() != "old.Other.*" {
		t.Errorf("Match(Other.Do) with old.Other.* = %v, %v; want old.Other.*", r, ok)
	}
	if _, ok := star.Match(obj("Client", "Do")); ok {
		t.Error("old.Other.* matched Client.Do")
	}
}
