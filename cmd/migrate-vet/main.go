// Command migrate-vet reports the old uses of migrate's rule sets and
// offers their rewrite as suggested fixes, under the go command:
//
//	go vet -vettool=$(command -v migrate-vet) ./...   # report
//	go fix -fixtool=$(command -v migrate-vet) ./...   # rewrite
//
// Each built-in rule set is an analyzer (ioutil, goredisv9, satoriuuid,
// ...; -NAME runs only the named ones). -rules=FILE[,FILE] adds rule
// files, relative to the module root, applied by the "rulefiles" analyzer.
// It speaks the unitchecker protocol: the go command runs it once per
// package.
package main

import (
	"flag"
	"log"

	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/migrate-tool/migrate/internal/analyzers"
)

func main() {
	opts := &analyzers.Options{}
	flag.StringVar(&opts.Rules, "rules", "", "rule files (or built-in rule set names) to apply too, separated by commas, relative to the module root")
	all, err := analyzers.All(opts)
	if err != nil {
		log.Fatal(err)
	}
	unitchecker.Main(all...)
}
