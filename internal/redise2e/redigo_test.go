package redise2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/migrate-tool/migrate/internal/redistest"
)

// The redigo sample service and the hand fixes that finish its phase 2.
var (
	redigoApp   = filepath.Join("..", "..", "testdata", "redigoapp")
	redigoPatch = filepath.Join("..", "..", "testdata", "redigoapp.phase2.patch")
)

// redigoModules are the import paths' modules that phase 2 must drop.
var redigoModules = []string{"github.com/gomodule/redigo", "github.com/garyburd/redigo"}

// TestRedigoCompat is phase 1 of issue 14 on testdata/redigoapp: the
// service passes its tests against redis-server before; after "migrate
// run --rules redigo-compat", with no hand edit, it builds, vets (with its
// integration tag) and passes its tests with REDIS_CLIENT unset (go-redis
// behind the adapter) and =redigo (the rollback); a second run changes
// nothing; "migrate restore" gives every byte back.
func TestRedigoCompat(t *testing.T) {
	t.Parallel() // each on its own redis-server and copy
	bin := buildMigrate(t)
	addr := redistest.Start(t)
	dir := copyApp(t, redigoApp)
	env := redigoEnv(addr, "")
	before := snapshot(t, dir)
	timed(t, "before: go test", func() { goChecks(t, dir, env, "test") })

	var report string
	timed(t, "migrate run", func() { report = run(t, dir, env, bin, "run", "--rules", "redigo-compat") })
	t.Logf("migrate's report:\n%s", report)
	id := backupID(t, report)
	mod := readGoMod(t, dir)
	requireV9(t, mod)
	for _, old := range redigoModules[:1] {
		if !requires(mod, old) {
			t.Errorf("phase 1 dropped %s from go.mod: the call sites still use it", old)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "internal", "rediscompat")); err != nil {
		t.Errorf("phase 1 added no internal/rediscompat: %v", err)
	}
	for _, client := range []string{"", "redigo"} {
		t.Run("REDIS_CLIENT="+client, func(t *testing.T) {
			env := redigoEnv(addr, client)
			helloCalls(t, addr)
			timed(t, "after: build, vet, test", func() { goChecks(t, dir, env, "build", "vet", "test") })
			// go-redis greets each new connection with HELLO; redigo does not.
			switch n := helloCalls(t, addr); {
			case client == "" && n == 0:
				t.Error("with REDIS_CLIENT unset the tests ran on redigo: the server saw no HELLO")
			case client == "redigo" && n > 0:
				t.Errorf("with REDIS_CLIENT=redigo the server saw %d HELLO: go-redis ran, not the rollback", n)
			}
		})
	}
	secondRunChangesNothing(t, dir, env, bin, "redigo-compat")
	restoreEveryByte(t, dir, env, bin, id, before)
}

// TestRedigoFull is phase 2 of issue 14 on a fresh copy of
// testdata/redigoapp: after "migrate run --rules redigo --no-test" go.mod
// requires go-redis v9 (at least v9.17.3) and no redigo; every error
// left by go build and go vet (with the integration tag) lies at a site
// migrate reported; with the hand fixes of testdata/redigoapp.phase2.patch
// applied to the reported sites, the service builds, vets and passes its
// tests against redis-server; a second run changes nothing; restore gives
// every byte back. It fails, saying so, while the rule set does not exist.
func TestRedigoFull(t *testing.T) {
	t.Parallel() // each on its own redis-server and copy
	bin, dir, env := redigoPhase2Setup(t)
	before := snapshot(t, dir)
	timed(t, "before: go test", func() { goChecks(t, dir, env, "test") })

	id, migrated := phase2(t, dir, env, bin, before)
	for _, old := range redigoModules {
		if requires(readGoMod(t, dir), old) {
			t.Errorf("go.mod still requires %s after phase 2", old)
		}
	}
	handFixes(t, dir, env, bin)
	writeTree(t, dir, migrated) // as the run left it, for restore
	restoreEveryByte(t, dir, env, bin, id, before)
}

// TestRedigoPhases takes testdata/redigoapp through the whole migration
// as status plans it: redigo-compat, then redigo over the result (which
// leaves internal/rediscompat alone, and redigo in go.mod for it), the
// hand fixes, then the cleanup: with internal/rediscompat deleted and go
// mod tidy, go.mod keeps no redigo and the tests pass; status says at
// each step what is next, and at the end that nothing is.
func TestRedigoPhases(t *testing.T) {
	t.Parallel() // each on its own redis-server and copy
	bin, dir, env := redigoPhase2Setup(t)

	run(t, dir, env, bin, "run", "--rules", "redigo-compat", "--no-test")
	checkNext(t, dir, env, bin, "migrate run --rules redigo")
	phase2(t, dir, env, bin, snapshot(t, dir))
	if _, err := os.Stat(filepath.Join(dir, "internal", "rediscompat", "conn.go")); err != nil {
		t.Errorf("phase 2 removed the package of phase 1: %v", err)
	}
	handFixes(t, dir, env, bin)
	checkNext(t, dir, env, bin, "Delete internal/rediscompat once nothing imports it")

	if err := os.RemoveAll(filepath.Join(dir, "internal", "rediscompat")); err != nil {
		t.Fatal(err)
	}
	run(t, dir, env, "go", "mod", "tidy")
	mod := readGoMod(t, dir)
	requireV9(t, mod)
	for _, old := range redigoModules {
		if requires(mod, old) {
			t.Errorf("go.mod still requires %s after the cleanup", old)
		}
	}
	goChecks(t, dir, env, "build", "vet", "test")
	checkNext(t, dir, env, bin, "")
}

// requireRedigoSet fails the test, saying why, while migrate has no
// rule set redigo.
func requireRedigoSet(t *testing.T, bin string) {
	t.Helper()
	if out, err := exec.Command(bin, "explain", "redigo").CombinedOutput(); err != nil {
		t.Fatalf("the rule set redigo (phase 2 of issue 14) is not built in yet: migrate explain redigo: %v\n%s\n"+
			"This test runs phase 2 on testdata/redigoapp once the set exists (branches redigo-core and redigo-pool).",
			err, strings.TrimSpace(string(out)))
	}
}

// phase2 runs "migrate run --rules redigo --no-test" on the service, as
// it is before, and checks that go.mod requires go-redis v9, that every
// build error lies at a site the run reported, and that a second run
// changes nothing. It returns the run's backup id and the migrated files.
func phase2(t *testing.T, dir string, env []string, bin string, before map[string][]byte) (string, map[string][]byte) {
	t.Helper()
	var report string
	timed(t, "migrate run --rules redigo", func() { report = run(t, dir, env, bin, "run", "--rules", "redigo", "--no-test") })
	t.Logf("migrate's report:\n%s", report)
	id := backupID(t, report)
	requireV9(t, readGoMod(t, dir))
	migrated := snapshot(t, dir)
	sites := reportedSites(report, before, migrated)
	for _, e := range buildErrors(t, dir, env) {
		if !sites.near(e) {
			t.Errorf("%s: a build error at no site migrate reported: %s", e.pos(), e.msg)
		}
	}
	secondRunChangesNothing(t, dir, env, bin, "redigo")
	if keep := os.Getenv("REDIGO_E2E_KEEP"); keep != "" {
		writeTree(t, keep, migrated)
		t.Logf("the migrated service is in %s: copy it, delete its TODO(migrate) comment lines, fix the reported sites, and write the diff from the first copy to the fixed one (diff -ruN, paths a/FILE b/FILE) to %s", keep, redigoPatch)
	}
	return id, migrated
}

// handFixes makes the fixes a person makes at the reported sites: the
// TODO(migrate) comments go (so that the patch does not hang on their
// wording), then testdata/redigoapp.phase2.patch rewrites the sites.
// The service then builds, vets and passes its tests, and a run changes
// nothing.
func handFixes(t *testing.T, dir string, env []string, bin string) {
	t.Helper()
	dropTODOs(t, dir)
	applyPatch(t, dir, env, redigoPatch)
	timed(t, "after the hand fixes: build, vet, test", func() { goChecks(t, dir, env, "build", "vet", "test") })
	secondRunChangesNothing(t, dir, env, bin, "redigo")
}

// checkNext checks the next step of "migrate status --rules redigo
// --format markdown": the command or the sentence that starts with next,
// or, next empty, that nothing is left.
func checkNext(t *testing.T, dir string, env []string, bin, next string) {
	t.Helper()
	out := run(t, dir, env, bin, "status", "--rules", "redigo", "--format", "markdown")
	_, step, _ := strings.Cut(out, "## Next step\n")
	switch {
	case next == "" && !strings.Contains(out, "Nothing left to do: every phase is done."):
		t.Errorf("status says something is left:\n%s", out)
	case next != "" && !strings.HasPrefix(strings.TrimPrefix(strings.TrimSpace(step), "```sh\n"), next):
		t.Errorf("status's next step is not %q:\n%s", next, out)
	}
}

// goChecks runs, for each of steps, go build, go vet or go test on the
// service, each without and with its integration tag.
func goChecks(t *testing.T, dir string, env []string, steps ...string) {
	t.Helper()
	for _, step := range steps {
		for _, tags := range []string{"", "integration"} {
			args := []string{step, "-tags=" + tags}
			if step == "test" {
				args = append(args, "-count=1")
			}
			run(t, dir, env, "go", append(args, "./...")...)
		}
	}
}

// redigoEnv is the environment of the service's go commands and of
// migrate: the server's address, modules from the cache only, and
// REDIS_CLIENT set to client ("" unsets it).
// redigoPhase2Setup returns what a phase-2 test starts from: the migrate
// binary (which must know the redigo rule set), a fresh copy of
// testdata/redigoapp, and the environment that points it at a redis-server
// of its own.
func redigoPhase2Setup(t *testing.T) (bin, dir string, env []string) {
	t.Helper()
	bin = buildMigrate(t)
	requireRedigoSet(t, bin)
	return bin, copyApp(t, redigoApp), redigoEnv(redistest.Start(t), "")
}

func redigoEnv(addr, client string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REDIS_CLIENT=") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"REDIS_ADDR="+addr,
		"GOPROXY=off", // modules come from the cache, filled by .ci/run
		"GOSUMDB=off",
		"GOFLAGS=",
		"GOWORK=off",
		"GOTOOLCHAIN=local",
	)
	if client != "" {
		env = append(env, "REDIS_CLIENT="+client)
	}
	return env
}

var backupRE = regexp.MustCompile(`backed up as run (\S+);`)

// backupID returns the id of the run's backup from its report.
func backupID(t *testing.T, report string) string {
	t.Helper()
	m := backupRE.FindStringSubmatch(report)
	if m == nil {
		t.Fatalf("migrate's report names no backup ('backed up as run ID'):\n%s", report)
	}
	return m[1]
}

// secondRunChangesNothing checks that a dry run of set prints no diff.
func secondRunChangesNothing(t *testing.T, dir string, env []string, bin, set string) {
	t.Helper()
	cmd := exec.Command(bin, "run", "--rules", set, "--dry-run")
	cmd.Dir, cmd.Env = dir, env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("second run (--dry-run) of %s: %v\n%s", set, err, stderr.String())
	}
	if len(out) > 0 {
		t.Errorf("a second run of %s is not a no-op; it would change:\n%s", set, out)
	}
	if m := wouldChange.FindStringSubmatch(stderr.String()); m != nil && m[1] != "0" {
		t.Errorf("a second run of %s says that %s files would change:\n%s", set, m[1], stderr.String())
	}
}

var wouldChange = regexp.MustCompile(`(?m)^migrate: (\d+) files? would change`)

// restoreEveryByte restores the run id and checks that the service is
// byte for byte as it was before (the backups in .migrate aside).
func restoreEveryByte(t *testing.T, dir string, env []string, bin, id string, before map[string][]byte) {
	t.Helper()
	run(t, dir, env, bin, "restore", id)
	after := snapshot(t, dir)
	for path, data := range before {
		got, ok := after[path]
		switch {
		case !ok:
			t.Errorf("after restore: %s is missing", path)
		case string(got) != string(data):
			t.Errorf("after restore: %s differs from the original", path)
		}
	}
	for path := range after {
		if _, ok := before[path]; !ok {
			t.Errorf("after restore: %s is left over", path)
		}
	}
}

// applyPatch applies the hand fixes with git apply, which the copy's
// directory is no repository for.
func applyPatch(t *testing.T, dir string, env []string, patch string) {
	t.Helper()
	abs, err := filepath.Abs(patch)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(abs); err != nil {
		t.Fatalf("no hand fixes for phase 2: %v (write them as a patch against the migrated service; REDIGO_E2E_KEEP=DIR keeps a copy to edit)", err)
	}
	cmd := exec.Command("git", "apply", "-p1", abs)
	cmd.Dir, cmd.Env = dir, append(env, "GIT_CEILING_DIRECTORIES="+filepath.Dir(dir))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git apply %s: %v\n%s\nThe rewrite changed the code at the hand fixes: run with REDIGO_E2E_KEEP=DIR and update %s.", patch, err, out, patch)
	}
}

var todoLine = regexp.MustCompile(`(?m)^[ \t]*// TODO\(migrate\):.*\n`)

// dropTODOs deletes the TODO(migrate) comment lines of the service's Go
// files, as a person does who fixes the sites.
func dropTODOs(t *testing.T, dir string) {
	t.Helper()
	for path, data := range snapshot(t, dir) {
		if strings.HasSuffix(path, ".go") && todoLine.Match(data) {
			writeTree(t, dir, map[string][]byte{path: todoLine.ReplaceAll(data, nil)})
		}
	}
}
