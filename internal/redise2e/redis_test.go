// Package redise2e proves the Redis rule sets against a real Redis: the
// sample services in testdata/redisapp, written against go-redis v7 and
// v8, pass their tests on a redis-server before and after migrate moves a
// copy of each to github.com/redis/go-redis/v9 (go-redis-v9); the redigo
// service in testdata/redigoapp does so through both phases of the redigo
// migration, redigo-compat and redigo (redigo_test.go).
//
// The test needs redis-server in PATH (Debian: apt-get install -y
// redis-server; .ci/run installs it) and fails without it. Modules come
// from the module cache only (GOPROXY=off): .ci/run fills it from
// testdata/modcache.
package redise2e

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	"github.com/migrate-tool/migrate/internal/redistest"
)

const (
	newModule  = "github.com/redis/go-redis/v9"
	minVersion = "v9.17.3" // the rule set's modules.add
)

var oldModules = []string{"github.com/go-redis/redis", "github.com/go-redis/redis/v7", "github.com/go-redis/redis/v8"}

// TestMigrateAgainstRedis migrates a copy of each sample service and runs
// its tests against redis-server before and after.
func TestMigrateAgainstRedis(t *testing.T) {
	start := time.Now()
	addr := redistest.Start(t)
	bin := buildMigrate(t)
	t.Logf("redis-server at %s and migrate built in %v", addr, time.Since(start).Round(time.Millisecond))
	for _, app := range []string{"v7", "v8"} {
		t.Run(app, func(t *testing.T) {
			t.Parallel()
			migrateApp(t, bin, addr, app)
		})
	}
}

func migrateApp(t *testing.T, bin, addr, app string) {
	dir := copyApp(t, filepath.Join("..", "..", "testdata", "redisapp", app))
	env := append(os.Environ(),
		"REDIS_ADDR="+addr,
		"GOPROXY=off", // modules come from the cache, filled by .ci/run
		"GOSUMDB=off", // go get of v9 hashes it from the cache, offline
		"GOFLAGS=",    // the module's own go.sum, read-only
		"GOWORK=off",  // the copy is a module of its own
		"GOTOOLCHAIN=local",
	)
	timed(t, "before: go test", func() { run(t, dir, env, "go", "test", "-count=1", "./...") })
	var report string
	timed(t, "migrate run", func() {
		report = run(t, dir, env, bin, "run", "--rules", "go-redis-v9", "--no-test")
	})
	t.Logf("migrate's report:\n%s", report)
	checkGoMod(t, dir)
	checkContexts(t, dir, report)
	timed(t, "after: go vet", func() { run(t, dir, env, "go", "vet", "./...") })
	timed(t, "after: go test", func() { run(t, dir, env, "go", "test", "-count=1", "./...") })
	if out := run(t, dir, env, bin, "run", "--rules", "go-redis-v9", "--dry-run"); strings.TrimSpace(out) != "" {
		t.Errorf("a second run is not a no-op:\n%s", out)
	}
}

// buildMigrate builds the migrate binary of this repository.
func buildMigrate(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "migrate")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/migrate")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/migrate: %v\n%s", err, out)
	}
	return bin
}

// copyApp copies a sample service into a temporary directory.
func copyApp(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// run runs a command in dir and returns its combined output; a failure
// fails the test.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return string(out)
}

func timed(t *testing.T, what string, fn func()) {
	t.Helper()
	start := time.Now()
	fn()
	t.Logf("%s: %v", what, time.Since(start).Round(time.Millisecond))
}

// checkGoMod checks that go.mod requires v9, at least at the rule set's
// version, and none of the old modules.
func checkGoMod(t *testing.T, dir string) {
	t.Helper()
	f := readGoMod(t, dir)
	found := false
	for _, r := range f.Require {
		for _, old := range oldModules {
			if r.Mod.Path == old {
				t.Errorf("go.mod still requires %s %s", old, r.Mod.Version)
			}
		}
		if r.Mod.Path == newModule {
			found = true
			if semver.Compare(r.Mod.Version, minVersion) < 0 {
				t.Errorf("go.mod requires %s %s, older than %s", newModule, r.Mod.Version, minVersion)
			}
		}
	}
	if !found {
		t.Errorf("go.mod does not require %s:\n%s", newModule, modfile.Format(f.Syntax))
	}
}

var todoSite = regexp.MustCompile(`(?m)^(\S+\.go):\d+:\d+: no context\.Context in scope`)

// checkContexts checks that context.TODO() was passed only where the
// report says no context was in scope (counted per file, since the report
// gives the lines before the rewrite): every other call got a real one.
func checkContexts(t *testing.T, dir, report string) {
	t.Helper()
	reported := map[string]int{}
	for _, m := range todoSite.FindAllStringSubmatch(report, -1) {
		reported[m[1]]++
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(file)
		if n := strings.Count(string(data), "context.TODO()"); n != reported[name] {
			t.Errorf("%s: %d context.TODO() in the code, %d reported", name, n, reported[name])
		}
	}
}
