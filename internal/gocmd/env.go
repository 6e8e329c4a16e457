package gocmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Mode is what a go command that migrate runs for itself may do with the
// module's go.mod; it decides the command's environment.
type Mode int

const (
	// Packages reads or builds packages (list, load, build, vet, test) the
	// way the user's own go build would, in their workspace if there is
	// one, with -mod=vendor where the module (or workspace) vendors and
	// -mod=readonly otherwise: it never writes go.mod or go.sum.
	Packages Mode = iota
	// ModGraph reads the module's own requirements (go list -m, go mod why):
	// GOWORK=off and -mod=readonly.
	ModGraph
	// ModFile edits a copy of go.mod given with -modfile (go get, go mod
	// tidy, go mod vendor -o): GOWORK=off, since the go command rejects
	// -modfile in workspace mode, and no -mod.
	ModFile
)

// Env is the environment of the go commands migrate runs for itself in one
// module: the user's, with GOTOOLCHAIN=local (no command switches or
// downloads a toolchain), GOWORK settled, and -mod and -modfile taken out
// of GOFLAGS and set per command by Mode. Everything else the user set is
// kept: GOFLAGS' other flags (-tags...), GOOS, GOPROXY, GOPRIVATE...
type Env struct {
	base    []string // the user's environment without GOFLAGS, GOWORK, GOTOOLCHAIN
	flags   []string // the user's GOFLAGS without -mod and -modfile
	work    string   // the go.work file in use, "" for none
	vendor  bool     // packages build from vendor/
	scratch bool     // Packages commands may update go.mod: -mod=mod
	// build is the go command's version and build configuration as go
	// env reports them (GOVERSION, GOOS, GOARCH...), in buildVars order.
	build []string
}

// buildVars are the go env settings, besides GOFLAGS and GOWORK, that
// decide what the packages' code and types are: Fingerprint reports them.
var buildVars = []string{"GOVERSION", "GOROOT", "GOOS", "GOARCH", "CGO_ENABLED", "GOEXPERIMENT"}

// NewEnv settles the environment of the go commands run for the module at
// root, from the user's environment (nil: os.Environ()). It asks the go
// command for GOFLAGS and GOWORK, which may also come from the go env file
// (go env -w) or, for GOWORK, from a go.work file above root.
func NewEnv(ctx context.Context, root string, user []string) (*Env, error) {
	if user == nil {
		user = os.Environ()
	}
	cmd := exec.CommandContext(ctx, "go", append([]string{"env", "-json", "GOFLAGS", "GOWORK"}, buildVars...)...)
	cmd.Dir = root
	cmd.Env = InDir(setenv(slices.Clone(user), "GOTOOLCHAIN", "local"), root)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("read the go environment in %s: %s", root, OneLine(stderr.String(), err))
	}
	var got map[string]string
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		return nil, fmt.Errorf("read the go environment in %s: go env -json: %w", root, err)
	}
	e := &Env{base: unsetenv(user, "GOFLAGS", "GOWORK", "GOTOOLCHAIN"), flags: dropModFlags(got["GOFLAGS"])}
	for _, v := range buildVars {
		e.build = append(e.build, v+"="+got[v])
	}
	vendorRoot := root
	if work := got["GOWORK"]; work != "" && work != "off" {
		e.work = work
		vendorRoot = filepath.Dir(work) // a workspace vendors beside go.work
	}
	_, err := os.Stat(filepath.Join(vendorRoot, "vendor", "modules.txt"))
	e.vendor = err == nil
	return e, nil
}

// Workspace returns the go.work file the module's packages build in, or ""
// when they build as a module of their own.
func (e *Env) Workspace() string { return e.work }

// Scratch returns a copy of e for a scratch copy of a module, such as a
// golden case extracted in a temporary directory, whose go.mod need not
// be tidy: its Packages commands run with -mod=mod and may update go.mod
// and go.sum. Never use it on the user's module.
func (e *Env) Scratch() *Env {
	c := *e
	c.scratch = true
	return &c
}

// Fingerprint returns what, besides the code, decides how the go command
// builds the module's packages: the go version and build configuration
// (GOOS, GOARCH, CGO_ENABLED, GOEXPERIMENT, GOROOT), GOFLAGS (-tags...),
// the workspace and vendor mode, and every GO* and CGO_* variable of the
// environment (GOAMD64, CGO_CFLAGS...). Two runs with the same fingerprint
// and the same files load the same packages: a key of a result cache.
// The runtime's own settings (GOGC, GOMAXPROCS...) change how fast a run
// goes, not what it loads, and are left out.
func (e *Env) Fingerprint() []string {
	out := slices.Clone(e.build)
	for _, kv := range e.For(Packages) {
		name, _, _ := strings.Cut(kv, "=")
		if (strings.HasPrefix(kv, "GO") || strings.HasPrefix(kv, "CGO_")) && !runtimeOnly[name] {
			out = append(out, kv)
		}
	}
	slices.Sort(out)
	return out
}

// runtimeOnly are the GO* variables that only tune the Go runtime of the
// processes (migrate's, the go command's), never what a build sees.
// GODEBUG is not one: it can change go/types and the go command.
var runtimeOnly = map[string]bool{"GOGC": true, "GOMEMLIMIT": true, "GOMAXPROCS": true, "GOTRACEBACK": true}

// Vendor reports whether the packages build from a vendor directory.
func (e *Env) Vendor() bool { return e.vendor }

// For returns the environment of a command of mode m.
func (e *Env) For(m Mode) []string {
	flags, work := slices.Clone(e.flags), "off"
	switch m {
	case Packages:
		flags = append(flags, "-mod="+e.packagesMod())
		if e.work != "" {
			work = e.work
		}
	case ModGraph:
		flags = append(flags, "-mod=readonly")
	}
	env := slices.Clone(e.base)
	env = append(env, "GOTOOLCHAIN=local", "GOWORK="+work, "GOFLAGS="+strings.Join(flags, " "))
	return env
}

func (e *Env) packagesMod() string {
	switch {
	case e.scratch:
		return "mod"
	case e.vendor:
		return "vendor"
	}
	return "readonly"
}

// dropModFlags returns the flags of a GOFLAGS value other than -mod and
// -modfile, which migrate sets itself.
func dropModFlags(goflags string) []string {
	var keep []string
	for _, f := range strings.Fields(goflags) {
		name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		if name != "mod" && name != "modfile" {
			keep = append(keep, f)
		}
	}
	return keep
}

// setenv returns env with key set to value, replacing earlier settings.
// InDir returns env (nil: the process's) for a command run in dir, with
// PWD set to dir: os/exec sets it only when a command has no Env of its
// own, and a PWD left over from the caller's directory makes the go
// command fall back to the directory's real path, so that a module
// reached through a symbolic link is listed under another path than the
// one migrate walks.
func InDir(env []string, dir string) []string {
	if env == nil {
		env = os.Environ()
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return setenv(env, "PWD", dir)
}

func setenv(env []string, key, value string) []string {
	return append(unsetenv(env, key), key+"="+value)
}

// unsetenv returns env without the settings of keys.
func unsetenv(env []string, keys ...string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return slices.Contains(keys, k)
	})
}
