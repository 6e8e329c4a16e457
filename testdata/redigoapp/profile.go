package leaderboard

import (
	"context"

	"github.com/gomodule/redigo/redis"
)

// Profile is a player's profile, kept in a hash.
type Profile struct {
	Name    string `redis:"name"`
	Country string `redis:"country"`
	Level   int    `redis:"level"`
	Joined  int64
}

// SaveProfile stores a player's profile.
func (s *Service) SaveProfile(ctx context.Context, player string, p *Profile) error {
	c := s.pool.Get()
	defer c.Close()
	_, err := c.Do("HMSET", redis.Args{}.Add(s.key("profile:"+player)).AddFlat(p)...)
	return err
}

// LoadProfile reads a player's profile, or returns ErrNoPlayer.
func (s *Service) LoadProfile(ctx context.Context, player string) (*Profile, error) {
	c := s.pool.Get()
	defer c.Close()
	v, err := redis.Values(c.Do("HGETALL", s.key("profile:"+player)))
	if err != nil {
		return nil, err
	}
	if len(v) == 0 {
		return nil, ErrNoPlayer
	}
	var p Profile
	if err := redis.ScanStruct(v, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// streakScript adds one to a streak counter, capped at ARGV[1], and
// returns the new value.
var streakScript = redis.NewScript(1, `
local n = redis.call('INCR', KEYS[1])
if n > tonumber(ARGV[1]) then
	redis.call('SET', KEYS[1], ARGV[1])
	return tonumber(ARGV[1])
end
return n`)

// Streak extends a player's streak, at most to max, and returns it.
func (s *Service) Streak(ctx context.Context, player string, max int) (int, error) {
	c := s.pool.Get()
	defer c.Close()
	return redis.Int(streakScript.Do(c, s.key("streak:"+player), max))
}
