package rediscompat

import (
	"os"
	"testing"

	"github.com/migrate-tool/migrate/internal/redistest"
)

// redisAddr returns the address of a redis-server for the test: REDIS_ADDR
// if set, else one started on a free port of 127.0.0.1, stopped when the
// test ends.
func redisAddr(t *testing.T) string {
	t.Helper()
	if a := os.Getenv("REDIS_ADDR"); a != "" {
		return a
	}
	return redistest.Start(t)
}
