package jwtrule

import (
	"go/ast"
	"go/types"
	"slices"
	"strings"

	"github.com/migrate-tool/migrate/rules"
)

// SigningMethods reports the uses of a signing method type of the module:
// the rule file's implements rule reports its declaration, and a value of
// it handed where a jwt.SigningMethod is wanted stops compiling too.
var SigningMethods = &rules.GoRule{
	Name: "jwt-signing-methods",
	Doc: "the uses of a type of the module that implements jwt-go's SigningMethod (a composite literal, " +
		"a conversion, new(T)) are reported with a TODO: in v5 Sign returns []byte and Verify takes []byte",
	Paths: old,
	Run:   runSigningMethods,
}

const msgSigning = "{type} implements jwt-go's SigningMethod: in v5 Sign returns ([]byte, error) and Verify takes " +
	"the signature as []byte, so it is no jwt.SigningMethod until its methods change"

func runSigningMethods(p *rules.Pass) error {
	recvs := receiverIdents(p.AST())
	ast.Inspect(p.AST(), func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || recvs[id] {
			return true
		}
		if tn, ok := p.Info().Uses[id].(*types.TypeName); ok && isSigningMethod(tn) {
			p.Report(id.Pos(), expandType(msgSigning, tn.Name()), true)
		}
		return true
	})
	return nil
}

// receiverIdents returns the identifiers of the file's method receiver
// types.
func receiverIdents(f *ast.File) map[*ast.Ident]bool {
	ids := map[*ast.Ident]bool{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
			ast.Inspect(fd.Recv, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok {
					ids[id] = true
				}
				return true
			})
		}
	}
	return ids
}

// isSigningMethod reports whether tn, a type declared outside jwt-go,
// implements jwt-go's SigningMethod with a value or a pointer receiver.
func isSigningMethod(tn *types.TypeName) bool {
	if tn.Pkg() == nil || isOldPath(tn.Pkg().Path()) || types.IsInterface(tn.Type()) {
		return false
	}
	for _, imp := range tn.Pkg().Imports() {
		if !slices.Contains(old, imp.Path()) {
			continue
		}
		sm, ok := imp.Scope().Lookup("SigningMethod").(*types.TypeName)
		if !ok {
			return false
		}
		iface, ok := sm.Type().Underlying().(*types.Interface)
		return ok && (types.Implements(tn.Type(), iface) || types.Implements(types.NewPointer(tn.Type()), iface))
	}
	return false
}

func expandType(msg, name string) string {
	return strings.ReplaceAll(msg, "{type}", name)
}
