// Package goredis holds the rules of the go-redis-v9 rule set that the
// rule-file format cannot express: they move code from
// github.com/go-redis/redis (v6), github.com/go-redis/redis/v7 and
// github.com/go-redis/redis/v8 to github.com/redis/go-redis/v9.
//
// Each rule is a rules.GoRule value (Rules lists them; the rule file names
// each one with "go: go-redis-ID"). Most changes apply whichever old
// version the code starts from (a v7 caller of XTrim needs the same rename
// as a v8 caller), so a rule matches the symbols of all three old packages
// through a rules.Matcher, and knows which versions a change applies to.
//
// A rule computes edits on the original, type-checked syntax tree; the
// engine applies them innermost first. Edits of one call by several rules
// compose: each one changes the node it receives (the context rule
// prepends an argument, xtrim-approx appends one, zadd-args rewraps the
// members counted from the end), so their order does not matter.
package goredis
