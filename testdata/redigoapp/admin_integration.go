//go:build integration

package leaderboard

import (
	"context"

	"github.com/gomodule/redigo/redis"
)

// Seed sets many scores in one command, for load tests.
func (s *Service) Seed(ctx context.Context, scores map[string]float64) error {
	c := s.pool.Get()
	defer c.Close()
	args := redis.Args{}.Add(s.key("scores"))
	for player, score := range scores {
		args = args.Add(score, player)
	}
	_, err := c.Do("ZADD", args...)
	return err
}

// Active returns the number of connections the pool has open.
func (s *Service) Active() int {
	return s.pool.ActiveCount()
}
