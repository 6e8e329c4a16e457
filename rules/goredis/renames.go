package goredis

import (
	"go/ast"
	"go/types"
	"slices"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// A renaming renames the uses of an object of the old packages: a
// package-level name, a method of the client types, or a field.
type renaming struct {
	kind     objKind
	to       string
	versions []int
	types    []string // method and field: the types that have it
}

type objKind int

const (
	pkgLevel objKind = iota
	method
	field
)

// clientTypes are the types whose methods are commands: the concrete
// clients (which promote the methods of the unexported cmdable types) and
// the interfaces.
var clientTypes = []string{"Client", "ClusterClient", "Ring", "Tx", "Conn", "Pipeline", "SentinelClient", "Cmdable", "StatefulCmdable", "Pipeliner", "UniversalClient"}

// renames are the plain renames of the API, each for the old versions
// that have the old name.
var renames = map[string]renaming{
	// v8 -> v9 (and v6, v7 callers of the same names)
	"XTrim":                    {method, "XTrimMaxLen", []int{6, 7, 8}, clientTypes},
	"StringStringMapCmd":       {pkgLevel, "MapStringStringCmd", []int{6, 7, 8}, nil},
	"NewStringStringMapCmd":    {pkgLevel, "NewMapStringStringCmd", []int{6, 7, 8}, nil},
	"NewStringStringMapResult": {pkgLevel, "NewMapStringStringResult", []int{6, 7, 8}, nil},
	"StringIntMapCmd":          {pkgLevel, "MapStringIntCmd", []int{6, 7, 8}, nil},
	"NewStringIntMapCmd":       {pkgLevel, "NewMapStringIntCmd", []int{6, 7, 8}, nil},
	"NewStringIntMapCmdResult": {pkgLevel, "NewMapStringIntCmdResult", []int{6, 7, 8}, nil},
	"ProcessContext":           {method, "Process", []int{7}, clientTypes},
	"DoContext":                {method, "Do", []int{7}, clientTypes},
	"WatchContext":             {method, "Watch", []int{7}, clientTypes},
	"ExecContext":              {method, "Exec", []int{7}, clientTypes},
	"XInfoGroups":              {pkgLevel, "XInfoGroup", []int{7}, nil},
	"DbSize":                   {method, "DBSize", []int{6, 7}, clientTypes},
	"ForEachNode":              {method, "ForEachShard", []int{6, 7}, []string{"ClusterClient"}},
	"FlushDb":                  {method, "FlushDB", []int{6}, clientTypes},
	"GeoRadiusRO":              {method, "GeoRadius", []int{6}, clientTypes},
	"GeoRadiusByMemberRO":      {method, "GeoRadiusByMember", []int{6}, clientTypes},
	"String":                   {method, "Text", []int{6}, []string{"Cmd"}},
	"Id":                       {field, "ID", []int{6}, []string{"ClusterNode", "XPendingExt"}},
}

// optionRenames are the pool options renamed in v9, in every options type.
var optionRenames = map[string]renaming{
	"IdleTimeout": {field, "ConnMaxIdleTime", []int{6, 7, 8}, optionTypes},
	"MaxConnAge":  {field, "ConnMaxLifetime", []int{6, 7, 8}, optionTypes},
}

// renamer renames the uses of the objects of a table.
type renamer struct {
	base
	table map[string]renaming
}

func newRenames(b base) rules.Rule { return &renamer{b.with(6, 7, 8), renames} }

func newOptionFields(b base) rules.Rule { return &renamer{b.with(6, 7, 8), optionRenames} }

func (r *renamer) Apply(f rules.File) error {
	info := f.Info()
	ast.Inspect(f.AST(), func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		obj, _ := oldObj(info, id)
		if obj == nil || !r.matches(obj) || f.Ignored(r, id.Pos()) {
			return true
		}
		if d, ok := f.Dst(id).(*dst.Ident); ok {
			d.Name = r.table[obj.Name()].to
			f.Rewrote(r, id.Pos())
		}
		return true
	})
	return nil
}

// matches reports whether obj is an object the table renames.
func (r *renamer) matches(obj types.Object) bool {
	rn, ok := r.table[obj.Name()]
	if !ok || rn.to == "" || !slices.Contains(rn.versions, version(obj.Pkg())) {
		return false
	}
	switch obj := obj.(type) {
	case *types.Func:
		if rn.kind == method {
			return isMethodOf(obj, obj.Name(), rn.types...)
		}
		return rn.kind == pkgLevel && obj.Parent() == obj.Pkg().Scope()
	case *types.Var:
		return rn.kind == field && obj.IsField() && isField(obj, rn.versions, rn.types...)
	case *types.TypeName:
		return rn.kind == pkgLevel && obj.Parent() == obj.Pkg().Scope()
	}
	return false
}
