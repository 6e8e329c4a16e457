package rewrite

import (
	"testing"

	"github.com/migrate-tool/migrate/internal/gocmd"
)

// TestOnlyAdds: the in-process check keeps the first load's packages only
// when the go.mod it requires the added modules in changes nothing they
// were loaded with.
func TestOnlyAdds(t *testing.T) {
	const base = "module example.com/m\n\ngo 1.21\n\nrequire example.com/a v1.0.0\n\nreplace example.com/r => ../r\n"
	for _, c := range []struct {
		name, after string
		want        bool
	}{
		{"adds a module", base + "\nrequire example.com/b v1.2.0\n", true},
		{"same requirements, another layout", "module example.com/m\n\ngo 1.21\n\nreplace example.com/r => ../r\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.2.0 // indirect\n)\n", true},
		{"raises a requirement", "module example.com/m\n\ngo 1.21\n\nrequire (\n\texample.com/a v1.1.0\n\texample.com/b v1.2.0\n)\n\nreplace example.com/r => ../r\n", false},
		{"raises the go line", "module example.com/m\n\ngo 1.22\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.2.0\n)\n\nreplace example.com/r => ../r\n", false},
		{"adds a toolchain line", base + "\ntoolchain go1.22.1\n\nrequire example.com/b v1.2.0\n", false},
		{"drops a replacement", "module example.com/m\n\ngo 1.21\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.2.0\n)\n", false},
		{"adds an exclusion", base + "\nrequire example.com/b v1.2.0\n\nexclude example.com/a v0.9.0\n", false},
	} {
		r := &runner{res: &Result{GoMod: []byte(base), Required: &gocmd.Required{Mod: []byte(c.after)}}}
		if got := r.onlyAdds(nil); got != c.want {
			t.Errorf("%s: onlyAdds = %v; want %v", c.name, got, c.want)
		}
	}
	if r := (&runner{res: &Result{GoMod: []byte(base)}}); !r.onlyAdds(nil) {
		t.Error("no module required: not only adds")
	}
}
