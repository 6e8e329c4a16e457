package goredis

import "github.com/migrate-tool/migrate/rules"

// Dependencies reports where go-redis values cross into or out of a
// dependency whose API is built on the old go-redis (a library of your
// own, or one the rule set does not move, as it moves redismock,
// go-redis/cache, redis_rate and bsm/redislock): see rules.Crossings. A
// rule file uses it with "go: go-redis-dependencies".
var Dependencies = rules.Crossings("go-redis-dependencies", library)

// library is go-redis as rules.Crossings sees it.
var library = rules.OldLibrary{
	Name:  "go-redis",
	Kind:  "client",
	Paths: map[string]string{pathV6: "v6", pathV7: "v7", pathV8: "v8"},
	New:   pathV9,
}
