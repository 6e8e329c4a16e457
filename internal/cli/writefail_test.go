package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteFailureRestores makes a directory immutable (chattr +i, which
// stops root too) so that the second of three writes fails, and checks that
// the run exits 2 with a message naming the file, and that the file already
// written was restored.
func TestWriteFailureRestores(t *testing.T) {
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOPROXY", "off")
	dir := t.TempDir()
	write(t, dir, "go.mod", "module example.com/m\n\ngo 1.21\n")
	src := "package %s\n\nimport \"io/ioutil\"\n\nvar X = ioutil.Discard\n"
	for _, p := range []string{"a", "b", "c"} {
		os.Mkdir(filepath.Join(dir, p), 0o755)
		write(t, dir, p+"/"+p+".go", strings.ReplaceAll(src, "%s", p))
	}
	locked := filepath.Join(dir, "b")
	if out, err := exec.Command("chattr", "+i", locked).CombinedOutput(); err != nil {
		t.Skipf("chattr +i is not available on this file system (%v: %s); the backup package's fault-injection tests cover this path", err, out)
	}
	defer exec.Command("chattr", "-i", locked).Run()

	var stdout, stderr bytes.Buffer
	code := Main([]string{"run", "--rules", "ioutil"}, IO{Stdout: &stdout, Stderr: &stderr, Getwd: func() (string, error) { return dir, nil }})
	if code != ExitError {
		t.Fatalf("exit %d, want %d; stderr: %s", code, ExitError, stderr.String())
	}
	msg := stderr.String()
	if !strings.Contains(msg, "b/b.go") || !strings.Contains(msg, "already written were restored") {
		t.Errorf("message does not name the file or the restore: %q", msg)
	}
	for _, p := range []string{"a", "b", "c"} {
		if got := read(t, dir, p+"/"+p+".go"); got != strings.ReplaceAll(src, "%s", p) {
			t.Errorf("%s/%s.go was not restored:\n%s", p, p, got)
		}
	}
}
