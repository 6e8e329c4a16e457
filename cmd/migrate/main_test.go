package main

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/migrate-tool/migrate/internal/cli"
)

// asMigrateEnv makes the test binary run as migrate itself.
const asMigrateEnv = "MIGRATE_TEST_AS_MAIN"

var update = flag.Bool("update", false, "update the scripts' golden files")

func TestMain(m *testing.M) {
	if os.Getenv(asMigrateEnv) == "1" { // the crash test's child process
		os.Exit(cli.Main(os.Args[1:], cli.StdIO()))
	}
	testscript.Main(m, map[string]func(){
		"migrate": func() { os.Exit(cli.Main(os.Args[1:], cli.StdIO())) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: the real
// binary, the real go command and git, in a temporary directory.
func TestScripts(t *testing.T) {
	vet := buildVet(t)
	testscript.Run(t, testscript.Params{
		Dir: "../../testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("MIGRATE_VET", vet)
			return setupEnv(env)
		},
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
	})
}

// buildVet builds cmd/migrate-vet, which the go command runs as a
// program (-vettool, -fixtool), once for the scripts: $MIGRATE_VET.
func buildVet(t *testing.T) string {
	bin := filepath.Join(t.TempDir(), "migrate-vet")
	if out, err := exec.Command("go", "build", "-o", bin, "../migrate-vet").CombinedOutput(); err != nil {
		t.Fatalf("build migrate-vet: %v\n%s", err, out)
	}
	return bin
}

// setupEnv gives the scripts a working go command that never reaches the
// network, and a git identity.
func setupEnv(env *testscript.Env) error {
	for _, k := range []string{"GOCACHE", "GOMODCACHE", "GOROOT", "GOPATH"} {
		out, err := exec.Command("go", "env", k).Output()
		if err != nil {
			return err
		}
		env.Setenv(k, strings.TrimSpace(string(out)))
	}
	goroot := env.Getenv("GOROOT")
	env.Setenv("PATH", filepath.Join(goroot, "bin")+string(os.PathListSeparator)+env.Getenv("PATH"))
	env.Setenv("HOME", env.WorkDir)
	repo, err := filepath.Abs("../..")
	if err != nil {
		return err
	}
	env.Setenv("REPO", repo)
	env.Setenv("GOPROXY", "off")
	env.Setenv("GOTOOLCHAIN", "local")
	env.Setenv("GOFLAGS", "-mod=mod")
	env.Setenv("GOWORK", "off")
	env.Setenv("GIT_AUTHOR_NAME", "migrate test")
	env.Setenv("GIT_AUTHOR_EMAIL", "test@example.com")
	env.Setenv("GIT_COMMITTER_NAME", "migrate test")
	env.Setenv("GIT_COMMITTER_EMAIL", "test@example.com")
	// status and check keep results in a cache directory of their own for
	// each script, outside $WORK (HOME), where a script's git would see it.
	cache, err := os.MkdirTemp("", "migrate-cache-")
	if err != nil {
		return err
	}
	env.Defer(func() { os.RemoveAll(cache) })
	env.Setenv("MIGRATE_CACHE", cache)
	return nil
}
