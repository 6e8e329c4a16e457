// Package goredis holds the rules of the go-redis-v9 rule set that the
// rule-file format cannot express: they move code from
// github.com/go-redis/redis (v6), github.com/go-redis/redis/v7 and
// github.com/go-redis/redis/v8 to github.com/redis/go-redis/v9.
//
// Most changes apply whichever old version the code starts from (a v7
// caller of XTrim needs the same rename as a v8 caller), so each rule
// matches the objects of all three old packages by type, and knows which
// versions a change applies to. The rule file names each rule with
// "go: go-redis" and its id; see Rule.
//
// The rules match on the original, type-checked syntax tree and edit the
// decorated tree. Edits of one call by several rules compose: each rule
// changes the current node in place (the context rule prepends an
// argument, xtrim-approx appends one, zadd-args rewraps the members counted
// from the end), so the order in which they run does not matter.
package goredis
