// Package rewrite applies rule sets to Go code in memory.
//
// Run finds the module, scans every Go file's imports cheaply, loads with
// full type information only the packages whose files import a path the
// rules touch (in each build configuration those files need), applies the
// rules to each affected file once, on a decorated syntax tree so comments
// stay where they were, type-checks the rewritten packages in memory, and
// returns the old and new bytes of each changed file with the findings. It
// never prints and never writes: the caller shows diffs and writes through
// the backup package.
//
// The check loads the packages of the changed files, test variants
// included, with the new contents overlaid, against go.mod with the
// modules the rule sets add already required. A type error in the
// statement of a site a rule left for a person (or in a statement using
// something declared there: a method value, an interface) marks that
// finding "does not compile until fixed by hand"; any other type error the
// code did not have before is a silent breakage, and Run returns a
// *BreakError naming it and the rule whose edit is at or nearest to it.
package rewrite
