package gocmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRequireHandsOn checks that Require computes go.mod with the added
// modules required, and that UpdateModules starts from it, without a
// second go get, only when it was computed from the same go.mod and
// go.sum.
func TestRequireHandsOn(t *testing.T) {
	dir := t.TempDir()
	m := filepath.Join(dir, "m")
	oldMod := "module example.com/m\n\ngo 1.21\n\nreplace example.com/x => ../x\n"
	writeFile(t, filepath.Join(m, "go.mod"), oldMod)
	writeFile(t, filepath.Join(m, "a.go"), "package m\n\nimport _ \"example.com/x\"\n")
	writeFile(t, filepath.Join(dir, "x", "go.mod"), "module example.com/x\n\ngo 1.21\n")
	writeFile(t, filepath.Join(dir, "x", "x.go"), "package x\n")
	ctx := context.Background()
	env, err := NewEnv(ctx, m, append(os.Environ(), "GOPROXY=off", "GOWORK=off"))
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Dir: m, Env: env}
	add := map[string]string{"example.com/x": "v1.0.0"}
	req, err := r.Require(ctx, []byte(oldMod), nil, add)
	if err != nil {
		t.Fatal(err)
	}
	if req == nil || !strings.Contains(string(req.Mod), "example.com/x v1.0.0") {
		t.Fatalf("Require = %+v; want go.mod requiring example.com/x v1.0.0", req)
	}
	if again, err := r.Require(ctx, req.Mod, req.Sum, add); again != nil || err != nil {
		t.Errorf("Require on a go.mod that requires it already = %v, %v; want nil, nil", again, err)
	}
	// A mark in the go.mod the check computed shows where the update
	// started from.
	marked := *req
	marked.Mod = append(append([]byte{}, req.Mod...), "\n// computed by the check\n"...)
	ch, err := r.UpdateModules(ctx, []byte(oldMod), nil, add, "", &marked)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ch.Mod), "computed by the check") || strings.Join(ch.Added, " ") != "example.com/x@v1.0.0" {
		t.Errorf("UpdateModules did not start from the check's go.mod:\n%s\nadded %v", ch.Mod, ch.Added)
	}
	other := marked
	other.Base = []byte(oldMod + "\n// edited since\n")
	if ch, err = r.UpdateModules(ctx, []byte(oldMod), nil, add, "", &other); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(ch.Mod), "computed by the check") || !strings.Contains(string(ch.Mod), "example.com/x v1.0.0") {
		t.Errorf("UpdateModules started from a go.mod computed from another one:\n%s", ch.Mod)
	}
}
