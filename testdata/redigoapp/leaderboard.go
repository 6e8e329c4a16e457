// Package leaderboard keeps players' scores, profiles and streaks in Redis
// and announces new high scores to its followers.
package leaderboard

import (
	"context"
	"errors"

	"github.com/gomodule/redigo/redis"
)

// ErrNoPlayer is returned for a player the board does not know.
var ErrNoPlayer = errors.New("leaderboard: no such player")

// Service is a leaderboard on a redis pool.
type Service struct {
	pool   *redis.Pool
	prefix string
}

// New returns a leaderboard whose keys start with prefix.
func New(pool *redis.Pool, prefix string) *Service {
	return &Service{pool: pool, prefix: prefix}
}

// Close closes the pool.
func (s *Service) Close() error {
	return s.pool.Close()
}

func (s *Service) key(name string) string { return s.prefix + name }

// SetScore sets a player's score.
func (s *Service) SetScore(ctx context.Context, player string, score float64) error {
	c := s.pool.Get()
	defer c.Close()
	_, err := c.Do("ZADD", s.key("scores"), score, player)
	return err
}

// Submit adds points to a player's score and returns the new score.
func (s *Service) Submit(ctx context.Context, player string, points float64) (float64, error) {
	c := s.pool.Get()
	defer c.Close()
	return redis.Float64(c.Do("ZINCRBY", s.key("scores"), points, player))
}

// Score returns a player's score, and false for an unknown player.
func (s *Service) Score(ctx context.Context, player string) (float64, bool, error) {
	c := s.pool.Get()
	defer c.Close()
	score, err := redis.Float64(c.Do("ZSCORE", s.key("scores"), player))
	if err == redis.ErrNil {
		return 0, false, nil
	}
	return score, err == nil, err
}

// Rank returns a player's rank, 0 for the best, or ErrNoPlayer.
func (s *Service) Rank(ctx context.Context, player string) (int, error) {
	c, err := s.pool.GetContext(ctx)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	rank, err := redis.Int(c.Do("ZREVRANK", s.key("scores"), player))
	if errors.Is(err, redis.ErrNil) {
		return 0, ErrNoPlayer
	}
	return rank, err
}

// Top returns the n best players, best first.
func (s *Service) Top(ctx context.Context, n int) ([]string, error) {
	c := s.pool.Get()
	defer c.Close()
	return redis.Strings(c.Do("ZREVRANGE", s.key("scores"), 0, n-1))
}

// Visit counts a visit of a player's page and returns the count.
func (s *Service) Visit(ctx context.Context, player string) (int64, error) {
	c := s.pool.Get()
	defer c.Close()
	return redis.Int64(c.Do("INCR", s.key("visits:"+player)))
}

// Ban bans a player from the board.
func (s *Service) Ban(ctx context.Context, player string) error {
	c := s.pool.Get()
	defer c.Close()
	_, err := c.Do("SADD", s.key("banned"), player)
	return err
}

// Banned reports whether a player is banned.
func (s *Service) Banned(ctx context.Context, player string) (bool, error) {
	c := s.pool.Get()
	defer c.Close()
	return redis.Bool(c.Do("SISMEMBER", s.key("banned"), player))
}

// SetNickname sets the name shown for a player.
func (s *Service) SetNickname(ctx context.Context, player, nick string) error {
	c := s.pool.Get()
	defer c.Close()
	_, err := c.Do("SET", s.key("nick:"+player), nick)
	return err
}

// Nickname returns the name shown for a player: the player's id when no
// nickname is set.
func (s *Service) Nickname(ctx context.Context, player string) (string, error) {
	c := s.pool.Get()
	defer c.Close()
	nick, err := redis.String(c.Do("GET", s.key("nick:"+player)))
	if err == redis.ErrNil {
		return player, nil
	}
	return nick, err
}

// Configure sets one of the board's settings.
func (s *Service) Configure(ctx context.Context, name, value string) error {
	c := s.pool.Get()
	defer c.Close()
	_, err := c.Do("HSET", s.key("settings"), name, value)
	return err
}

// Settings returns the board's settings.
func (s *Service) Settings(ctx context.Context) (map[string]string, error) {
	c := s.pool.Get()
	defer c.Close()
	return redis.StringMap(c.Do("HGETALL", s.key("settings")))
}

// Card is what a player's card shows.
type Card struct {
	Score  float64
	Rank   int
	Visits int64
}

// Card reads a player's card in one round trip.
func (s *Service) Card(ctx context.Context, player string) (Card, error) {
	c := s.pool.Get()
	defer c.Close()
	c.Send("ZSCORE", s.key("scores"), player)
	c.Send("ZREVRANK", s.key("scores"), player)
	c.Send("GET", s.key("visits:"+player))
	if err := c.Flush(); err != nil {
		return Card{}, err
	}
	var card Card
	var err error
	if card.Score, err = redis.Float64(c.Receive()); err == redis.ErrNil {
		return Card{}, ErrNoPlayer
	} else if err != nil {
		return Card{}, err
	}
	if card.Rank, err = redis.Int(c.Receive()); err != nil {
		return Card{}, err
	}
	if card.Visits, err = redis.Int64(c.Receive()); err != nil && err != redis.ErrNil {
		return Card{}, err
	}
	return card, nil
}

// Remove removes a player's score, visits and nickname at once.
func (s *Service) Remove(ctx context.Context, player string) error {
	c := s.pool.Get()
	defer c.Close()
	c.Send("MULTI")
	c.Send("ZREM", s.key("scores"), player)
	c.Send("DEL", s.key("visits:"+player), s.key("nick:"+player))
	_, err := c.Do("EXEC")
	return err
}

// Hold marks a player busy for ttl seconds, and reports false when the
// player is held already.
func (s *Service) Hold(ctx context.Context, player string, ttl int) (bool, error) {
	c := s.pool.Get()
	defer c.Close()
	_, err := redis.String(c.Do("SET", s.key("hold:"+player), "1", "NX", "EX", ttl))
	if err == redis.ErrNil {
		return false, nil
	}
	return err == nil, err
}

// HoldLeft returns the seconds left on a player's hold: -2 when there is
// none.
func (s *Service) HoldLeft(ctx context.Context, player string) (int, error) {
	c := s.pool.Get()
	defer c.Close()
	return redis.Int(c.Do("TTL", s.key("hold:"+player)))
}
