package steps

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/migrate-tool/migrate/backup"
	"github.com/migrate-tool/migrate/rewrite"
	"github.com/migrate-tool/migrate/rules"
)

const moveRules = `name: client
packages:
  old: example.com/oldclient
modules:
  add:
    example.com/client/v9: v9.1.0
  retire: [example.com/oldclient]
rules:
  - move: example.com/oldclient
    to: example.com/client/v9
`

// clientModule writes a module that imports example.com/oldclient, with
// the old and the new client beside it, wired in with replace.
func clientModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	client := "package client\n\ntype Client struct{}\n\nfunc New() *Client { return &Client{} }\n"
	writeFiles(t, dir, map[string]string{
		"app/go.mod": "module example.com/app\n\ngo 1.21\n\nrequire example.com/oldclient v1.0.0\n\n" +
			"replace example.com/oldclient => ../old\n\nreplace example.com/client/v9 => ../new\n",
		"app/app.go": "package app\n\nimport \"example.com/oldclient\"\n\nvar C = client.New()\n",
		"old/go.mod": "module example.com/oldclient\n\ngo 1.21\n",
		"old/c.go":   client,
		"new/go.mod": "module example.com/client/v9\n\ngo 1.21\n",
		"new/c.go":   client,
	})
	return filepath.Join(dir, "app")
}

// TestGoModChangedAfterLoad edits go.mod between the load and the write:
// the write refuses it, as it would any file changed since it was read,
// and nothing is left written.
func TestGoModChangedAfterLoad(t *testing.T) {
	root := clientModule(t)
	set, err := rules.Parse([]byte(moveRules), "rules.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	// GOFLAGS=-mod=mod, from a shell profile, must not matter either.
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	ctx := context.Background()
	res, err := rewrite.Run(ctx, rewrite.Options{Dir: root, Sets: []*rules.Set{set}, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 {
		t.Fatalf("rewrite changed %d files, want 1", len(res.Files))
	}
	oldGo := string(res.Files[0].Old)
	edited := string(mustRead(t, filepath.Join(root, "go.mod"))) + "\n// edited meanwhile\n"
	writeFiles(t, root, map[string]string{"go.mod": edited})

	_, err = Apply(ctx, Options{Result: res, Sets: []*rules.Set{set}, Verify: Verify{Skip: true}, Env: env})
	var changed *backup.ChangedError
	if !errors.As(err, &changed) || changed.Path != "go.mod" {
		t.Fatalf("Apply = %v; want a *backup.ChangedError for go.mod", err)
	}
	if got := string(mustRead(t, filepath.Join(root, "go.mod"))); got != edited {
		t.Errorf("go.mod is now\n%s\nwant the edited one\n%s", got, edited)
	}
	if got := string(mustRead(t, filepath.Join(root, "app.go"))); got != oldGo {
		t.Errorf("app.go is now\n%s\nwant it as it was\n%s", got, oldGo)
	}
	if _, err := os.Stat(filepath.Join(root, "go.sum")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("go.sum: %v; want none written", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestGoModAcrossSteps runs a module change file by file: each step's
// go.mod write expects the go.mod the last committed step left, and a
// step that fails verification and is restored leaves it as it was.
func TestGoModAcrossSteps(t *testing.T) {
	root := clientModule(t)
	writeFiles(t, root, map[string]string{
		"b.go": "package app\n\nimport \"example.com/oldclient\"\n\nvar D = client.New()\n",
		"c.go": "package app\n\nimport \"example.com/oldclient\"\n\nvar E = client.New()\n",
	})
	set, err := rules.Parse([]byte(moveRules), "rules.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "GOPROXY=off", "GOWORK=off")
	ctx := context.Background()
	res, err := rewrite.Run(ctx, rewrite.Options{Dir: root, Sets: []*rules.Set{set}, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	// The second step (b.go) fails its check, the others pass.
	check := Verify{Command: "! grep -q client/v9 b.go"}
	rep, err := Apply(ctx, Options{Result: res, Sets: []*rules.Set{set}, Split: PerFile, Verify: check, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	var got []Status
	for _, s := range rep.Steps {
		got = append(got, s.Status)
	}
	if want := []Status{Done, Failed, Done}; !slices.Equal(got, want) {
		t.Fatalf("steps: %v; want %v", got, want)
	}
	mod := string(mustRead(t, filepath.Join(root, "go.mod")))
	for _, want := range []string{"example.com/client/v9 v9.1.0", "example.com/oldclient v1.0.0"} {
		if !strings.Contains(mod, want) {
			t.Errorf("go.mod does not require %s (b.go still imports the old client):\n%s", want, mod)
		}
	}
}
