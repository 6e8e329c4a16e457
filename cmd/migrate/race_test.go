package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRacingWriters runs each writing command of the real binary (run,
// restore, backups prune) while other writers race it: a second migrate
// (run, restore or prune) started at random moments, and an "editor" that
// saves random files of the module the way editors do (read, append a
// line, write a temp file, rename it over the file). Whatever the
// interleaving:
//   - every line the editor saved is in its file at the end, in order;
//   - what is not the editor's is either the original file or its
//     migration;
//   - a second migrate that ran while the first held the module is
//     refused with exit 2;
//   - restoring every run gives each file its original bytes back (apart
//     from the editor's lines, which --force saves in a run of their own).
//
// A writer that keeps a file open across migrate's rename and writes into
// it later is not simulated: no tool that replaces files can see that.
func TestRacingWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("races real processes; skipped with -short")
	}
	orig := t.TempDir()
	genModule(t, orig, 4, 5)
	want := snapshot(t, orig)
	migrated := migratedTree(t, orig)
	for si, sc := range raceScenarios() {
		for round := range 3 {
			t.Run(fmt.Sprintf("%s/%d", sc.name, round), func(t *testing.T) {
				dir := t.TempDir()
				copyTree(t, orig, dir)
				for _, args := range sc.before {
					if out, err := migrate(dir, args...); err != nil {
						t.Fatalf("migrate %v: %v\n%s", args, err, out)
					}
				}
				r := newRace(dir, rand.New(rand.NewPCG(uint64(si), uint64(round))))
				r.run(t, sc.cmd)
				r.checkFiles(t, want, migrated)
				if t.Failed() {
					t.Logf("the editor's saves:\n%s", strings.Join(r.log, "\n"))
				}
				restoreAll(t, dir)
				r.checkRestored(t, want)
			})
		}
	}
}

type raceScenario struct {
	name   string
	before [][]string // commands that prepare the module
	cmd    []string   // the command raced
}

func raceScenarios() []raceScenario {
	run := []string{"run", "--rules", "ioutil", "--no-test"}
	return []raceScenario{
		{name: "run", cmd: []string{"run", "--rules", "ioutil", "--per-file", "--test", "true"}},
		{name: "restore", before: [][]string{run}, cmd: []string{"restore"}},
		{name: "prune", before: [][]string{run, {"restore"}}, cmd: []string{"backups", "prune", "--keep", "0"}},
	}
}

// migratedTree returns the module orig after an undisturbed run.
func migratedTree(t *testing.T, orig string) map[string]entry {
	dir := t.TempDir()
	copyTree(t, orig, dir)
	if out, err := migrate(dir, "run", "--rules", "ioutil", "--no-test"); err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	return snapshot(t, dir)
}

// race is one command raced by an editor and a second migrate.
type race struct {
	dir   string
	rng   *rand.Rand
	files []string // the module's .go files, relative

	mu      sync.Mutex
	edits   map[string][]string // file -> the lines the editor added, in order
	log     []string            // each save, with when it started and ended
	racers  []racerResult
	mainPID atomic.Int64
	done    atomic.Bool
}

type racerResult struct {
	args   []string
	code   int
	out    string
	inside bool // started after the raced command held the module, ended before it did
}

func newRace(dir string, rng *rand.Rand) *race {
	r := &race{dir: dir, rng: rng, edits: map[string][]string{}}
	for name := range snapshotNames(dir) {
		if strings.HasSuffix(name, ".go") {
			r.files = append(r.files, name)
		}
	}
	slices.Sort(r.files)
	return r
}

func snapshotNames(dir string) map[string]bool {
	out := map[string]bool{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == ".migrate" {
			return filepath.SkipDir
		}
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out[rel] = true
		}
		return nil
	})
	return out
}

// run starts args, races it until it exits, and waits for the racers.
func (r *race) run(t *testing.T, args []string) {
	cmd := migrateCmd(context.Background(), r.dir, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.mainPID.Store(int64(cmd.Process.Pid))
	var wg sync.WaitGroup
	editorSeed, racerSeed := r.rng.Uint64(), r.rng.Uint64()
	wg.Go(func() { r.editor(rand.New(rand.NewPCG(editorSeed, 1))) })
	wg.Go(func() { r.secondMigrate(rand.New(rand.NewPCG(racerSeed, 2))) })
	err := cmd.Wait()
	r.done.Store(true)
	wg.Wait()
	t.Logf("migrate %v: %v, %d racers, %d edits\n%s", args, err, len(r.racers), r.editCount(), lastLines(out.String(), 4))
	if code := cmd.ProcessState.ExitCode(); code < 0 || code > 2 {
		t.Errorf("migrate %v exited %d; want 0, 1 or 2\n%s", args, code, out.String())
	}
	for _, rr := range r.racers {
		t.Logf("racer %v: exit %d inside=%v: %s", rr.args, rr.code, rr.inside, lastLines(rr.out, 2))
		if rr.inside && rr.code != 2 {
			t.Errorf("second migrate %v ran while the first held the module: exit %d, want 2\n%s", rr.args, rr.code, rr.out)
		}
	}
}

func (r *race) editCount() int {
	n := 0
	for _, e := range r.edits {
		n += len(e)
	}
	return n
}

// editor saves a random file every few milliseconds, appending a line.
func (r *race) editor(rng *rand.Rand) {
	for n := 1; !r.done.Load(); n++ {
		time.Sleep(time.Duration(2+rng.IntN(15)) * time.Millisecond)
		name := r.files[rng.IntN(len(r.files))]
		line := fmt.Sprintf("// edit %d", n)
		t0 := time.Now()
		if saveAppend(filepath.Join(r.dir, name), line) {
			r.mu.Lock()
			r.log = append(r.log, fmt.Sprintf("%s %s %s..%s", name, line, t0.Format("05.000000"), time.Now().Format("05.000000")))
			r.mu.Unlock()
			r.mu.Lock()
			r.edits[name] = append(r.edits[name], line)
			r.mu.Unlock()
		}
	}
}

// saveAppend saves path with line appended, as an editor does: a temp
// file renamed over it.
func saveAppend(path, line string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	tmp := filepath.Join(filepath.Dir(path), ".editor-save.tmp")
	if err := os.WriteFile(tmp, append(data, line+"\n"...), 0o644); err != nil {
		return false
	}
	fi, err := os.Stat(path)
	if err == nil {
		os.Chmod(tmp, fi.Mode())
	}
	return os.Rename(tmp, path) == nil
}

// secondMigrate starts another writing command now and then.
func (r *race) secondMigrate(rng *rand.Rand) {
	cmds := [][]string{
		{"run", "--rules", "ioutil", "--no-test"},
		{"restore"},
		{"backups", "prune", "--keep", "100", "--force"},
	}
	for !r.done.Load() {
		time.Sleep(time.Duration(5+rng.IntN(40)) * time.Millisecond)
		args := cmds[rng.IntN(len(cmds))]
		held := r.held()
		cmd := migrateCmd(context.Background(), r.dir, args...)
		out, _ := cmd.CombinedOutput()
		res := racerResult{args: args, code: cmd.ProcessState.ExitCode(), out: string(out)}
		res.inside = held && !r.done.Load() && running(int(r.mainPID.Load()))
		r.mu.Lock()
		r.racers = append(r.racers, res)
		r.mu.Unlock()
	}
}

// held reports whether the raced command holds the module's lock: the
// lock file names its pid.
func (r *race) held() bool {
	data, err := os.ReadFile(filepath.Join(r.dir, ".migrate", "lock"))
	if err != nil {
		return false
	}
	return regexp.MustCompile(fmt.Sprintf(`\b%d\b`, r.mainPID.Load())).Match(data)
}

// running reports whether process pid has not exited yet: it exists and is
// not a zombie. The raced command releases its lock as it exits, before
// the test's Wait returns, so a second migrate may legitimately run in
// between; only one that ran while the first had not exited is "inside".
func running(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses: "pid (comm) S ...".
	i := bytes.LastIndexByte(data, ')')
	return i >= 0 && i+2 < len(data) && data[i+2] != 'Z' && data[i+2] != 'X'
}

var editLine = regexp.MustCompile(`(?m)^// edit \d+\n`)

// checkFiles checks that every file holds all its edits, in order, around
// either its original or its migrated content.
func (r *race) checkFiles(t *testing.T, want, migrated map[string]entry) {
	t.Helper()
	for _, name := range r.files {
		data, err := os.ReadFile(filepath.Join(r.dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		got := editLine.FindAllString(string(data), -1)
		wantEdits := r.edits[name]
		if strings.Join(got, "") != strings.Join(suffixNL(wantEdits), "") {
			t.Errorf("%s: the editor saved %q, the file holds %q", name, wantEdits, got)
		}
		rest := withoutEdits(data)
		if !bytes.Equal(rest, want[name].data) && !bytes.Equal(rest, migrated[name].data) {
			t.Errorf("%s: neither the original nor its migration:\n%s", name, data)
		}
	}
	for name := range snapshotNames(r.dir) {
		if strings.Contains(name, ".migrate-") || strings.HasSuffix(name, ".tmp") {
			t.Errorf("%s: temp file left behind", name)
		}
	}
}

// withoutEdits removes the editor's lines from data, and the blank line
// that a migrate run started after the raced one may have put before them
// (the rewrite prints trailing comments after an empty line).
func withoutEdits(data []byte) []byte {
	return append(bytes.TrimRight(editLine.ReplaceAll(data, nil), "\n"), '\n')
}

func suffixNL(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l + "\n"
	}
	return out
}

// checkRestored checks that, once every run is restored, each file is the
// original apart from the editor's lines.
func (r *race) checkRestored(t *testing.T, want map[string]entry) {
	t.Helper()
	for _, name := range r.files {
		data, err := os.ReadFile(filepath.Join(r.dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if rest := withoutEdits(data); !bytes.Equal(rest, want[name].data) {
			t.Errorf("%s: not the original after restoring every run:\n%s", name, data)
		}
	}
}

// restoreAll restores, newest first, every run not yet restored, saving
// files changed since (the editor's) as runs of their own.
func restoreAll(t *testing.T, dir string) {
	t.Helper()
	out, err := migrate(dir, "backups", "--json")
	if err != nil {
		if strings.Contains(out, "no backup") {
			return
		}
		t.Fatalf("backups: %v\n%s", err, out)
	}
	var runs []struct {
		ID      string `json:"id"`
		State   string `json:"state"`
		Command string `json:"command"`
	}
	if err := json.Unmarshal([]byte(out), &runs); err != nil {
		t.Fatalf("backups --json: %v\n%s", err, out)
	}
	slices.Reverse(runs)
	for _, run := range runs {
		if run.State == "restored" || strings.Contains(run.Command, "saved the files it overwrote") {
			continue
		}
		out, err := migrate(dir, "restore", "--force", run.ID)
		if err != nil {
			t.Errorf("restore --force %s (%s): %v\n%s", run.ID, run.State, err, out)
		}
		t.Logf("restore --force %s (%s, %s):\n%s", run.ID, run.State, run.Command, out)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
