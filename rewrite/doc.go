// Package rewrite applies rule sets to Go code in memory.
//
// Run finds the module, scans every Go file's imports cheaply, loads with
// full type information only the packages whose files import a path the
// rules touch (in each build configuration those files need), applies the
// rules to each affected file once, on a decorated syntax tree so comments
// stay where they were, and returns the old and new bytes of each changed
// file with the findings. It never prints and never writes: the caller shows
// diffs and writes through the backup package.
package rewrite
