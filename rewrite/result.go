package rewrite

import (
	"fmt"
	"go/token"
	"io/fs"

	"github.com/migrate-tool/migrate/internal/gocmd"
)

// Result is what a run computed.
type Result struct {
	// Module is the module the run worked in.
	Module *Module
	// Files are the changed files, sorted by path.
	Files []*FileChange
	// Findings are the sites and files left for a person, sorted by position.
	Findings []Finding
	// Sites counts rewritten sites per rule ("ioutil/read-all").
	Sites map[string]int
	// Uses are the sites rewritten, with positions and what the rule does:
	// the old uses that were (or, in a dry run, would be) migrated.
	Uses []Finding
	// Stats describe how much work the run did.
	Stats Stats
	// Scanned are the Go files in scope (absolute paths), sorted.
	Scanned []string
	// GoMod and GoSum are the module's go.mod and go.sum as the run read
	// them, at its start (GoSum is nil when there is none): what a write of
	// go.mod and go.sum expects to find, like FileChange.Old.
	GoMod, GoSum []byte
	// AddModules are the modules of the rule sets' modules.add that the
	// code imports once rewritten, each at its minimum version: what a
	// write requires in go.mod. A module the rule sets add that no file
	// imports is left out (a go get of it would still raise what it
	// requires, which go mod tidy does not lower again).
	AddModules map[string]string
	// Required is go.mod and go.sum with the modules the rule sets add
	// required, before tidy, as the check of the rewrite computed them; nil
	// when go.mod already required them. A write starts from it.
	Required *gocmd.Required
	// Tidied is go.mod and go.sum once AddModules are required and tidied
	// with every changed file in view (Options.Tidy): what a write in one
	// step computes, which it then starts from. Nil when not computed.
	Tidied *gocmd.Tidied
}

// Stats count the work of a run.
type Stats struct {
	FilesScanned  int `json:"files_scanned"`  // Go files whose imports were read
	FilesMatched  int `json:"files_matched"`  // files importing a path the rules touch
	PackagesTyped int `json:"packages_typed"` // packages type-checked
	Configs       int `json:"configs"`        // build configurations loaded
	// Packages whose results were found in Options.Cache, looked up and
	// not found, and not looked up (their results depend on more than the
	// key covers: cgo, embedded files, a build configuration of their own).
	CacheHits       int `json:"cache_hits,omitempty"`
	CacheMisses     int `json:"cache_misses,omitempty"`
	CacheUncachable int `json:"cache_uncachable,omitempty"`
}

// FileChange is one changed file.
type FileChange struct {
	// Path is the absolute path; Rel is relative to the module root.
	Path, Rel string
	// Old and New are the file's contents before and after. Old is nil
	// for a file a rule adds (rules.Site.Files): the write creates it,
	// with its directory.
	Old, New []byte
	// Mode is the file's permission bits (0 from RewritePackage).
	Mode fs.FileMode
	// Sites counts the rewritten sites in the file.
	Sites int
	// SitesByRule counts them per rule ("ioutil/read-all").
	SitesByRule map[string]int
}

// Kind classifies a finding.
type Kind string

// Finding kinds.
const (
	// Manual is a site a rule cannot rewrite exactly; a person must.
	Manual Kind = "manual"
	// Generated is a generated file left alone: regenerate it.
	Generated Kind = "generated"
	// Unhandled is a file that imports an old path but could not be
	// rewritten (cgo, //line directives, excluded in every configuration).
	Unhandled Kind = "unhandled"
	// Broken is a file left as it is because its package did not
	// type-check before the run: it is not migrated.
	Broken Kind = "broken"
	// Warning is something the user should know about a rewritten file.
	Warning Kind = "warning"
	// Ignored is a site left alone by a //migrate:ignore comment.
	Ignored Kind = "ignored"
	// Rewritable is a site a rule rewrites (Result.Uses).
	Rewritable Kind = "rewritable"
)

// Finding is one thing left for a person.
type Finding struct {
	// Pos is the position; its Filename is relative to the module root.
	Pos token.Position
	// Rule is SET/ID, or "" for findings about a whole file.
	Rule string
	// Kind classifies the finding.
	Kind Kind
	// Message says what is wrong and what to do; for a site or file left
	// for a person that does not compile once the rest is rewritten, it
	// ends with NoCompile.
	Message string
	// TypeError is then the first type error of the rewritten code there.
	TypeError string
}

// String formats the finding the go vet way: file:line:col: message.
func (f Finding) String() string {
	if f.Pos.Filename == "-" && f.Kind == Warning {
		// About a package or the run, not a place in a file.
		return "migrate: warning: " + f.Message
	}
	pos := f.Pos.Filename
	if f.Pos.Line > 0 {
		pos = fmt.Sprintf("%s:%d:%d", pos, f.Pos.Line, f.Pos.Column)
	}
	if f.Rule != "" {
		return fmt.Sprintf("%s: %s (%s)", pos, f.Message, f.Rule)
	}
	return fmt.Sprintf("%s: %s", pos, f.Message)
}
