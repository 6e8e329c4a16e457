package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildID: the ID selfVersion reads is the one the go command reports.
func TestBuildID(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Skipf("go tool buildid: %v", err)
	}
	f, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := buildID(f), strings.TrimSpace(string(out)); got != want {
		t.Fatalf("buildID = %q, want %q", got, want)
	}
	if selfVersion() == "" {
		t.Fatal("selfVersion is empty")
	}
}

// TestRulesFingerprint: a rule file's bytes, and which sets are named,
// change it.
func TestRulesFingerprint(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "mine.yaml")
	if err := os.WriteFile(file, []byte("name: mine\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	base := rulesFingerprint(dir, []string{"ioutil", "mine.yaml"})
	if base == "" {
		t.Fatal("empty fingerprint")
	}
	if got := rulesFingerprint(dir, []string{"ioutil", file}); got == base {
		t.Error("the same file by another name: same fingerprint")
	}
	for name, names := range map[string][]string{
		"another built-in set": {"go-redis-v9", "mine.yaml"},
		"one set fewer":        {"mine.yaml"},
		"another order":        {"mine.yaml", "ioutil"},
	} {
		if rulesFingerprint(dir, names) == base {
			t.Errorf("%s: same fingerprint", name)
		}
	}
	if err := os.WriteFile(file, []byte("name: mine\n# edited\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	if rulesFingerprint(dir, []string{"ioutil", "mine.yaml"}) == base {
		t.Error("rule file edited: same fingerprint")
	}
	if rulesFingerprint(dir, []string{"missing.yaml"}) != "" {
		t.Error("a missing rule file has a fingerprint")
	}
}
