package gocmd

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// settings returns the values env gives the keys, the last one winning,
// as the go command reads them.
func settings(env []string, keys ...string) map[string]string {
	got := map[string]string{}
	for _, kv := range env {
		for _, k := range keys {
			if v, ok := strings.CutPrefix(kv, k+"="); ok {
				got[k] = v
			}
		}
	}
	return got
}

func TestEnv(t *testing.T) {
	dir := t.TempDir()
	mod := filepath.Join(dir, "m")
	writeFile(t, filepath.Join(mod, "go.mod"), "module example.com/m\n\ngo 1.21\n")
	user := append(os.Environ(), "GOFLAGS=-mod=mod -tags=integration --modfile=/x/go.mod -trimpath",
		"GOTOOLCHAIN=auto", "GOWORK=", "GOPROXY=off", "GONOSUMDB=example.com/private", "GOOS=linux")
	keys := []string{"GOFLAGS", "GOTOOLCHAIN", "GOWORK", "GOPROXY", "GONOSUMDB", "GOOS"}
	kept := map[string]string{"GOTOOLCHAIN": "local", "GOPROXY": "off", "GONOSUMDB": "example.com/private", "GOOS": "linux"}
	with := func(m map[string]string) map[string]string {
		out := maps.Clone(kept)
		maps.Copy(out, m)
		return out
	}
	check := func(t *testing.T, e *Env, m Mode, want map[string]string) {
		t.Helper()
		if got := settings(e.For(m), keys...); !maps.Equal(got, want) {
			t.Errorf("For(%d) = %v\nwant %v", m, got, want)
		}
	}
	ctx := context.Background()

	e, err := NewEnv(ctx, mod, user)
	if err != nil {
		t.Fatal(err)
	}
	check(t, e, Packages, with(map[string]string{"GOFLAGS": "-tags=integration -trimpath -mod=readonly", "GOWORK": "off"}))
	check(t, e, ModGraph, with(map[string]string{"GOFLAGS": "-tags=integration -trimpath -mod=readonly", "GOWORK": "off"}))
	check(t, e, ModFile, with(map[string]string{"GOFLAGS": "-tags=integration -trimpath", "GOWORK": "off"}))
	check(t, e.Scratch(), Packages, with(map[string]string{"GOFLAGS": "-tags=integration -trimpath -mod=mod", "GOWORK": "off"}))

	writeFile(t, filepath.Join(mod, "vendor", "modules.txt"), "")
	if e, err = NewEnv(ctx, mod, user); err != nil {
		t.Fatal(err)
	}
	check(t, e, Packages, with(map[string]string{"GOFLAGS": "-tags=integration -trimpath -mod=vendor", "GOWORK": "off"}))
	check(t, e, ModGraph, with(map[string]string{"GOFLAGS": "-tags=integration -trimpath -mod=readonly", "GOWORK": "off"}))

	// In a workspace, packages build in it, where the module's vendor/
	// does not count; go.mod is read and edited outside it.
	work := filepath.Join(dir, "go.work")
	writeFile(t, work, "go 1.21\n\nuse ./m\n")
	if e, err = NewEnv(ctx, mod, user); err != nil {
		t.Fatal(err)
	}
	if e.Workspace() != work {
		t.Errorf("Workspace() = %q, want %q", e.Workspace(), work)
	}
	check(t, e, Packages, with(map[string]string{"GOFLAGS": "-tags=integration -trimpath -mod=readonly", "GOWORK": work}))
	check(t, e, ModFile, with(map[string]string{"GOFLAGS": "-tags=integration -trimpath", "GOWORK": "off"}))

	// GOWORK=off from the user turns the workspace off.
	if e, err = NewEnv(ctx, mod, append(slices.Clone(user), "GOWORK=off")); err != nil {
		t.Fatal(err)
	}
	check(t, e, Packages, with(map[string]string{"GOFLAGS": "-tags=integration -trimpath -mod=vendor", "GOWORK": "off"}))
}

// TestFingerprint checks that the cache keys' view of the environment
// follows what a build sees (GOAMD64, GODEBUG) and not how fast the
// runtime goes (GOGC, GOMAXPROCS, GOMEMLIMIT, GOTRACEBACK).
func TestFingerprint(t *testing.T) {
	mod := t.TempDir()
	writeFile(t, filepath.Join(mod, "go.mod"), "module example.com/m\n\ngo 1.21\n")
	fingerprint := func(extra ...string) []string {
		t.Helper()
		e, err := NewEnv(context.Background(), mod, append(os.Environ(), extra...))
		if err != nil {
			t.Fatal(err)
		}
		return e.Fingerprint()
	}
	base := fingerprint()
	for _, kv := range []string{"GOGC=400", "GOMAXPROCS=1", "GOMEMLIMIT=1GiB", "GOTRACEBACK=all"} {
		if got := fingerprint(kv); !slices.Equal(got, base) {
			t.Errorf("%s changes the fingerprint: %v", kv, got)
		}
	}
	for _, kv := range []string{"GOAMD64=v3", "GODEBUG=gotypesalias=0", "CGO_CFLAGS=-O1"} {
		if got := fingerprint(kv); slices.Equal(got, base) {
			t.Errorf("%s leaves the fingerprint as it is", kv)
		}
	}
}
