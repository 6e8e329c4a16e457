package localmods

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// tree writes the archive's files under a new directory and returns it.
func tree(t *testing.T, archive string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range txtar.Parse([]byte(archive)).Files {
		name := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// describe lists the modules as "dir(why):patterns", dir relative to root.
func describe(t *testing.T, root string, mods []*Module) string {
	var out []string
	for _, m := range mods {
		rel, err := filepath.Rel(root, m.Dir)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filepath.ToSlash(rel)+"("+m.Why+"):"+strings.Join(m.Patterns, ","))
	}
	return strings.Join(out, " ")
}

const repo = `
-- .git/HEAD --
-- app/go.mod --
module example.com/app

require example.com/lib v0.0.0
require example.com/far v0.0.0

replace example.com/lib => ../lib
replace example.com/far => ../../far
replace example.com/old => ../stub
replace example.com/pinned v1.0.0 => ../pinned
-- app/a.go --
package app

import "example.com/old"
-- lib/go.mod --
module example.com/lib

require example.com/base v0.0.0

replace example.com/base => ./base
-- lib/base/go.mod --
module example.com/base
-- lib/base/b.go --
package base

import "example.com/old"
-- lib/l.go --
package lib

import "example.com/old"
-- other/go.mod --
module example.com/other
-- other/o.go --
package other

import "example.com/old"
-- pinned/go.mod --
module example.com/pinned
-- pinned/p.go --
package pinned

import "example.com/old"
-- stub/go.mod --
module example.com/old
`

func TestFind(t *testing.T) {
	root := tree(t, repo)
	for _, tc := range []struct {
		dir, gowork string
		patterns    []string
		want        string
	}{
		// The replace targets inside the repository, transitively, each
		// after what it requires; ../../far is outside and left alone,
		// ../stub (the old library itself) imports no old path, and
		// ../pinned is a copy of one version of a third-party module.
		{dir: "app", want: "lib/base(replace):./... lib(replace):./... app(here):./..."},
		{dir: "app", patterns: []string{"./cmd/..."}, want: "lib/base(replace):./... lib(replace):./... app(here):./cmd/..."},
		// A module below a pattern's directory, named by the pattern.
		{dir: ".", patterns: []string{"./other/..."}, gowork: "off", want: "other(pattern):./..."},
		{dir: "lib", patterns: []string{"./base"}, want: "lib/base(pattern):. "},
	} {
		mods, err := Find(Options{Dir: filepath.Join(root, tc.dir), Patterns: tc.patterns, GoWork: tc.gowork, Old: []string{"example.com/old"}})
		if err != nil {
			t.Fatalf("%s %v: %v", tc.dir, tc.patterns, err)
		}
		if got := describe(t, root, mods.Modules); got != strings.TrimSpace(tc.want) {
			t.Errorf("%s %v:\n got %s\nwant %s", tc.dir, tc.patterns, got, tc.want)
		}
	}
}

func TestFindWorkspace(t *testing.T) {
	root := tree(t, repo+`
-- go.work --
go 1.21

use (
	./app
	./other
)
`)
	for _, tc := range []struct {
		dir      string
		patterns []string
		want     string
	}{
		// From the workspace root, which has no go.mod: every module of
		// go.work below the pattern, and their replace targets.
		{dir: ".", want: "lib/base(replace):./... lib(replace):./... app(workspace):./... other(workspace):./..."},
		{dir: "app", patterns: []string{"./...", "../other/..."}, want: "lib/base(replace):./... lib(replace):./... app(here):./... other(workspace):./..."},
		{dir: "other", want: "other(here):./..."},
	} {
		mods, err := Find(Options{Dir: filepath.Join(root, tc.dir), Patterns: tc.patterns, Old: []string{"example.com/old"}})
		if err != nil {
			t.Fatalf("%s %v: %v", tc.dir, tc.patterns, err)
		}
		if got := describe(t, root, mods.Modules); got != tc.want {
			t.Errorf("%s %v:\n got %s\nwant %s", tc.dir, tc.patterns, got, tc.want)
		}
	}
}

func TestFindErrors(t *testing.T) {
	root := tree(t, repo)
	_, err := Find(Options{Dir: root, GoWork: "off"})
	if err == nil || !strings.Contains(err.Error(), "no go.mod") {
		t.Errorf("a directory with no go.mod: got %v, want an error saying no go.mod", err)
	}
}

// TestFindBadReplaceTarget checks that a local module whose go.mod does
// not parse stops the run with an error naming the file, rather than
// being skipped.
func TestFindBadReplaceTarget(t *testing.T) {
	root := tree(t, `
-- .git/HEAD --
-- app/go.mod --
module example.com/app

require example.com/lib v0.0.0

replace example.com/lib => ../lib
-- lib/go.mod --
module example.com/lib

require (
`)
	_, err := Find(Options{Dir: filepath.Join(root, "app"), GoWork: "off"})
	if err == nil || !strings.Contains(err.Error(), filepath.Join("lib", "go.mod")) {
		t.Errorf("got %v, want an error naming lib/go.mod", err)
	}
}
