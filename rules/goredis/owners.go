package goredis

import (
	"go/types"
	"sync"
)

// owners maps the methods of an old go-redis package to the exported types
// whose method sets hold them: the command methods are declared on
// unexported types (cmdable, statefulCmdable, baseClient) and promoted into
// Client, ClusterClient, Ring, Tx, Conn and Pipeline, which is how the API
// lists (ctxmethods.txt) name them. Rules are shared by the files of a run,
// which are rewritten in parallel, and the index of a package is computed
// once.
type owners struct {
	byPkg sync.Map // *types.Package -> map[*types.Func][]string
}

// of returns the names of the exported types of fn's package whose method
// sets hold fn.
func (o *owners) of(fn *types.Func) []string {
	idx, ok := o.byPkg.Load(fn.Pkg())
	if !ok {
		idx, _ = o.byPkg.LoadOrStore(fn.Pkg(), indexMethods(fn.Pkg()))
	}
	return idx.(map[*types.Func][]string)[fn]
}

func indexMethods(pkg *types.Package) map[*types.Func][]string {
	idx := map[*types.Func][]string{}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || !tn.Exported() {
			continue
		}
		t := tn.Type()
		if !types.IsInterface(t) {
			t = types.NewPointer(t)
		}
		ms := types.NewMethodSet(t)
		for i := range ms.Len() {
			fn := ms.At(i).Obj().(*types.Func)
			idx[fn] = append(idx[fn], name)
		}
	}
	return idx
}
