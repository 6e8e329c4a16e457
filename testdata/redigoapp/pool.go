package leaderboard

import (
	"time"

	"github.com/gomodule/redigo/redis"
)

// NewPool returns a pool of connections to the redis-server at addr, on
// database db.
func NewPool(addr string, db int) *redis.Pool {
	return &redis.Pool{
		MaxIdle:     8,
		MaxActive:   32,
		IdleTimeout: 4 * time.Minute,
		Dial: func() (redis.Conn, error) {
			return redis.Dial("tcp", addr, redis.DialDatabase(db))
		},
	}
}
