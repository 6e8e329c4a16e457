// Command benchgen writes a synthetic Go module for benchmarking migrate
// against go vet (scripts/bench.sh): a tree of packages of realistic code
// (types and methods, functions of 30 to 60 lines, generics, table tests,
// net/http handlers, encoding/json, worker pools) that import
// lower-numbered packages of the tree and the standard library, so that
// type-checking the module is real work. Exactly -affected packages have
// files that import and use io/ioutil in ways the ioutil rule set rewrites
// completely (ReadFile, WriteFile, ReadAll, Discard, TempDir, and ReadDir
// used only through Name and IsDir), so that a dry run changes exactly
// those files.
//
// Usage:
//
//	go run ./internal/benchgen -out DIR [-pkgs 300] [-files 6] [-affected 12]
//		[-lines 80] [-seed 1] [-module example.com/benchproj] [-manifest FILE]
//
// DIR must not exist or be empty. The defaults, those of scripts/bench.sh,
// give about 280,000 lines, which go build compiles in about a minute on 2
// cores; -pkgs 600 -lines 220 gives a million.
//
// The module has a "go 1.21" directive and no dependencies; it builds, its
// tests pass and it passes go vet. The output depends only on the flags:
// the same flags give the same bytes. -manifest writes the module-relative
// paths of the files that use io/ioutil, sorted, one a line, so that a
// benchmark can check the diff.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type options struct {
	out      string
	module   string
	pkgs     int
	files    int
	affected int
	lines    int
	seed     uint64
	manifest string
}

func main() {
	var o options
	flag.StringVar(&o.out, "out", "", "directory to write the module to (must not exist or be empty)")
	flag.StringVar(&o.module, "module", "example.com/benchproj", "module path")
	flag.IntVar(&o.pkgs, "pkgs", 300, "number of packages")
	flag.IntVar(&o.files, "files", 6, "files per package, the last one a _test.go file (at least 2)")
	flag.IntVar(&o.affected, "affected", 12, "number of packages that use io/ioutil")
	flag.IntVar(&o.lines, "lines", 80, "approximate lines per non-test file")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the pseudo-random choices")
	flag.StringVar(&o.manifest, "manifest", "", "write the files that use io/ioutil to this `FILE`")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: benchgen -out DIR [flags]\n\nWrites a synthetic Go module for benchmarking migrate.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		fail(fmt.Errorf("unexpected arguments %q", flag.Args()))
	}
	st, err := run(o)
	if err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stderr, "benchgen: %s: %d packages, %d files (%d tests), %d lines; %d files in %d packages use io/ioutil\n",
		o.out, o.pkgs, st.files, st.tests, st.lines, len(st.affectedFiles), o.affected)
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "benchgen: %v\n", err)
	os.Exit(2)
}

func (o *options) check() error {
	switch {
	case o.out == "":
		return errors.New("-out is required")
	case o.pkgs < 1:
		return errors.New("-pkgs must be at least 1")
	case o.files < 2:
		return errors.New("-files must be at least 2 (a source file and a test file)")
	case o.affected < 0 || o.affected > o.pkgs:
		return fmt.Errorf("-affected must be between 0 and -pkgs (%d)", o.pkgs)
	case o.lines < 1:
		return errors.New("-lines must be positive")
	case o.module == "" || strings.ContainsAny(o.module, " \t\n\"`\\"):
		return fmt.Errorf("-module %q is not a module path", o.module)
	}
	return nil
}

type stats struct {
	files, tests, lines int
	affectedFiles       []string
}

// run writes the module described by o.
func run(o options) (*stats, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if err := emptyDir(o.out); err != nil {
		return nil, err
	}
	p := newProject(o)
	st := &stats{}
	write := func(rel string, data []byte) error {
		path := filepath.Join(o.out, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return os.WriteFile(path, data, 0o644)
	}
	gomod := fmt.Sprintf("module %s\n\ngo 1.21\n", o.module)
	if err := write("go.mod", []byte(gomod)); err != nil {
		return nil, err
	}
	for i := range p.pkgs {
		files, err := p.render(i)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if err := write(f.rel, f.src); err != nil {
				return nil, err
			}
			st.files++
			st.lines += strings.Count(string(f.src), "\n")
			if strings.HasSuffix(f.rel, "_test.go") {
				st.tests++
			}
			if f.ioutil {
				st.affectedFiles = append(st.affectedFiles, f.rel)
			}
		}
	}
	sort.Strings(st.affectedFiles)
	if o.manifest != "" {
		data := strings.Join(st.affectedFiles, "\n")
		if data != "" {
			data += "\n"
		}
		if err := os.WriteFile(o.manifest, []byte(data), 0o644); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// emptyDir creates dir, or checks that it is an empty directory.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s is not empty", dir)
	}
	return nil
}
