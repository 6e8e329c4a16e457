package gocmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOverlayOutputNamesUserFiles checks that a build through an overlay
// names the user's file in its errors, not the overlay's replacement.
func TestOverlayOutputNamesUserFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/m\n\ngo 1.21\n")
	write("m.go", "package m\n\nvar X = 1\n")
	overlay, cleanup, err := WriteOverlay(map[string][]byte{
		filepath.Join(dir, "m.go"): []byte("package m\n\nvar X int = \"one\"\n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	env, err := NewEnv(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := (&Runner{Dir: dir, Env: env}).With("-overlay=" + overlay)
	res := r.Run(context.Background(), "build", "./...")
	if res.Err == nil {
		t.Fatalf("build passed; want the overlaid file's type error")
	}
	out := string(res.Output)
	if !strings.Contains(out, "m.go:3:") || strings.Contains(out, "migrate-overlay-") {
		t.Errorf("output = %q; want the error at m.go:3, with no overlay file named", out)
	}
}
