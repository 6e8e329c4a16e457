package redise2e

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	"github.com/migrate-tool/migrate/internal/udiff"
)

// snapshot reads every file of the service, the backups in .migrate
// aside, keyed by its slash path relative to dir.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".migrate" {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// writeTree writes the files of a snapshot under dir.
func writeTree(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for path, data := range files {
		dst := filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readGoMod(t *testing.T, dir string) *modfile.File {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func requires(f *modfile.File, path string) bool {
	for _, r := range f.Require {
		if r.Mod.Path == path {
			return true
		}
	}
	return false
}

// requireV9 checks that go.mod requires go-redis v9 at the rule sets'
// version or later.
func requireV9(t *testing.T, f *modfile.File) {
	t.Helper()
	for _, r := range f.Require {
		if r.Mod.Path == newModule {
			if semver.Compare(r.Mod.Version, minVersion) < 0 {
				t.Errorf("go.mod requires %s %s, older than %s", newModule, r.Mod.Version, minVersion)
			}
			return
		}
	}
	t.Errorf("go.mod does not require %s", newModule)
}

// A place is a file:line, with what was said there.
type place struct {
	file string
	line int
	msg  string
}

func (p place) pos() string { return fmt.Sprintf("%s:%d", p.file, p.line) }

// placeRE matches "file.go:line:col: message" in migrate's report and in
// the go command's output ("./file.go", "vet: file.go").
var placeRE = regexp.MustCompile(`(?m)^(?:vet: )?(?:\./)?([\w./-]+\.go):(\d+):\d+: (.*)$`)

func places(out string) []place {
	var ps []place
	for _, m := range placeRE.FindAllStringSubmatch(out, -1) {
		line, _ := strconv.Atoi(m[2])
		ps = append(ps, place{file: m[1], line: line, msg: m[3]})
	}
	return ps
}

// siteWindow is how many lines a build error may lie from a reported
// site: a site's statement, with its TODO comment, spans a few.
const siteWindow = 3

// sites are the line spans of the migrated files that hold a reported
// site.
type sites map[string][][2]int

// reportedSites reads the sites of migrate's report, whose lines are
// those of the files before the run, and maps them to the lines the
// files have after it.
func reportedSites(report string, before, after map[string][]byte) sites {
	s := sites{}
	maps := map[string]func(int, int) (int, int){}
	for _, p := range places(report) {
		m := maps[p.file]
		if m == nil {
			m = udiff.SpanMap(before[p.file], after[p.file])
			maps[p.file] = m
		}
		first, last := m(p.line, p.line)
		s[p.file] = append(s[p.file], [2]int{first, last}, [2]int{p.line, p.line})
	}
	return s
}

// near reports whether e lies within siteWindow lines of a reported site.
func (s sites) near(e place) bool {
	for _, span := range s[e.file] {
		if e.line >= span[0]-siteWindow && e.line <= span[1]+siteWindow {
			return true
		}
	}
	return false
}

// buildErrors returns the errors of go build and go vet with the
// integration tag, and, since go build stops after ten errors of a
// package and go vet after one, of the same builds with -gcflags=-e (all
// errors) and of the tests' compilation (go test -run ^$), with and
// without the tag.
func buildErrors(t *testing.T, dir string, env []string) []place {
	t.Helper()
	var errs []place
	seen := map[string]bool{}
	for _, args := range [][]string{
		{"build", "./..."},
		{"vet", "-tags=integration", "./..."},
		{"build", "-gcflags=-e", "./..."},
		{"build", "-tags=integration", "-gcflags=-e", "./..."},
		{"test", "-gcflags=-e", "-count=1", "-run=^$", "./..."},
		{"test", "-tags=integration", "-gcflags=-e", "-count=1", "-run=^$", "./..."},
	} {
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err == nil {
			continue
		}
		ps := places(string(out))
		if len(ps) == 0 {
			t.Fatalf("go %s failed with no file:line in its output: %v\n%s", strings.Join(args, " "), err, out)
		}
		t.Logf("go %s:\n%s", strings.Join(args, " "), out)
		for _, p := range ps {
			if k := p.pos() + p.msg; !seen[k] {
				seen[k] = true
				errs = append(errs, p)
			}
		}
	}
	return errs
}

// helloCalls returns how many HELLO commands the server has run since
// its statistics were last reset, and resets them: go-redis says HELLO on
// each new connection, redigo never does.
func helloCalls(t *testing.T, addr string) int {
	t.Helper()
	info := redisCommand(t, addr, "INFO", "commandstats")
	redisCommand(t, addr, "CONFIG", "RESETSTAT")
	m := regexp.MustCompile(`cmdstat_hello:calls=(\d+)`).FindStringSubmatch(info)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// redisCommand sends one command to the server and returns its reply's
// payload (a bulk or simple string), in RESP2, without a client library.
func redisCommand(t *testing.T, addr string, args ...string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	var req strings.Builder
	fmt.Fprintf(&req, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&req, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(c, req.String()); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	head, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	head = strings.TrimSuffix(head, "\r\n")
	switch head[0] {
	case '+':
		return head[1:]
	case '$':
		n, _ := strconv.Atoi(head[1:])
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			t.Fatal(err)
		}
		return string(buf[:n])
	}
	t.Fatalf("%s: unexpected reply %q", strings.Join(args, " "), head)
	return ""
}

// TestRedigoReportedSites checks the parsing that phase 2's check rests
// on: places in migrate's report and in the go command's output, and a
// build error near a reported site or not.
func TestRedigoReportedSites(t *testing.T) {
	before := map[string][]byte{"a.go": []byte("package a\n\nfunc f() {\n\tc := p.Get()\n\tdefer c.Close()\n\tc.Do(\"X\")\n}\n")}
	after := map[string][]byte{"a.go": []byte("package a\n\nfunc f() {\n\t// TODO(migrate): x\n\tc.Do(\"X\")\n}\n")}
	report := "a.go:6:2: the connection c is kept (redigo/conn)\nmigrate: 1 file changed\n"
	s := reportedSites(report, before, after)
	build := "# example.com/a\n./a.go:5:2: undefined: c\nvet: a.go:40:1: other\n"
	errs := places(build)
	if len(errs) != 2 || errs[0].pos() != "a.go:5" || errs[1].pos() != "a.go:40" {
		t.Fatalf("places(%q) = %+v", build, errs)
	}
	if !s.near(errs[0]) {
		t.Errorf("%s is at the reported site a.go:6 (now line 5)", errs[0].pos())
	}
	if s.near(errs[1]) {
		t.Errorf("%s is far from every reported site", errs[1].pos())
	}
}
