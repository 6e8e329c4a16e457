// Package counter is a small service on go-redis v7, for the end-to-end
// test of the go-redis-v9 rule set (internal/redise2e): rate-limited page
// counters, a job queue, a leaderboard, an event stream, profiles in
// hashes and notifications over pub/sub. Some methods take a context, as
// request handlers would, and some do not, as v7 code often does not.
package counter

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-redis/redis/v7"
)

// ErrLimited is returned by Hit when the rate limit is reached.
var ErrLimited = errors.New("rate limited")

// Service holds the client.
type Service struct {
	rdb   *redis.Client
	limit int64
}

// New connects to addr, database db, with a per-minute limit of hits.
func New(addr string, db int, limit int64) *Service {
	rdb := redis.NewClient(&redis.Options{
		Addr:        addr,
		DB:          db,
		IdleTimeout: time.Minute,
		OnConnect: func(cn *redis.Conn) error {
			return cn.ClientSetName("counter").Err()
		},
	})
	return &Service{rdb: rdb, limit: limit}
}

// Close closes the client.
func (s *Service) Close() error { return s.rdb.Close() }

// Hit counts a page view, within the per-minute limit of the user.
func (s *Service) Hit(ctx context.Context, user, page string) (int64, error) {
	key := fmt.Sprintf("limit:%s:%d", user, time.Now().Unix()/60)
	var incr *redis.IntCmd
	_, err := s.rdb.TxPipelined(func(p redis.Pipeliner) error {
		incr = p.Incr(key)
		p.Expire(key, time.Minute)
		return nil
	})
	if err != nil {
		return 0, err
	}
	if incr.Val() > s.limit {
		return 0, ErrLimited
	}
	return s.rdb.WithContext(ctx).HIncrBy("views", page, 1).Result()
}

// Views returns the view counts of all pages.
func (s *Service) Views() (map[string]int64, error) {
	var cmd *redis.StringStringMapCmd = s.rdb.HGetAll("views")
	m, err := cmd.Result()
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for k, v := range m {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, nil
}

// Push queues jobs.
func (s *Service) Push(ctx context.Context, jobs ...string) error {
	args := make([]interface{}, len(jobs))
	for i, j := range jobs {
		args[i] = j
	}
	return s.rdb.RPush("jobs", args...).Err()
}

// Pop takes the next job, waiting up to wait.
func (s *Service) Pop(wait time.Duration) (string, error) {
	v, err := s.rdb.BLPop(wait, "jobs").Result()
	if err == redis.Nil {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return v[1], nil
}

// Move moves n points from one player to another, under WATCH.
func (s *Service) Move(ctx context.Context, from, to string, n float64) error {
	return s.rdb.Watch(func(tx *redis.Tx) error {
		have, err := tx.ZScore("board", from).Result()
		if err != nil && err != redis.Nil {
			return err
		}
		if have < n {
			return fmt.Errorf("%s has %v points, not %v", from, have, n)
		}
		_, err = tx.TxPipelined(func(p redis.Pipeliner) error {
			p.ZIncrBy("board", -n, from)
			p.ZIncr("board", &redis.Z{Score: n, Member: to})
			return nil
		})
		return err
	}, "board")
}

// Join adds players with a starting score, keeping existing ones.
func (s *Service) Join(ctx context.Context, players ...string) (int64, error) {
	var added int64
	for _, p := range players {
		z := &redis.Z{Score: 100, Member: p}
		n, err := s.rdb.ZAddNX("board", z).Result()
		if err != nil {
			return 0, err
		}
		added += n
	}
	return added, nil
}

// Set sets a player's score and reports whether it changed.
func (s *Service) Set(player string, score float64) (int64, error) {
	return s.rdb.ZAddCh("board", &redis.Z{Score: score, Member: player}).Result()
}

// Board returns all players, best first.
func (s *Service) Board() ([]redis.Z, error) {
	return s.rdb.ZRevRangeWithScores("board", 0, -1).Result()
}

// Log appends an event to the stream, trimmed to about max entries.
func (s *Service) Log(ctx context.Context, event string, max int64) (string, error) {
	return s.rdb.XAdd(&redis.XAddArgs{
		Stream:       "events",
		MaxLenApprox: max,
		Values:       map[string]interface{}{"event": event},
	}).Result()
}

// Events returns the events, trimming the stream to exactly keep entries
// first.
func (s *Service) Events(keep int64) ([]redis.XMessage, error) {
	if err := s.rdb.XTrim("events", keep).Err(); err != nil {
		return nil, err
	}
	return s.rdb.XRange("events", "-", "+").Result()
}

// SetProfile stores a profile.
func (s *Service) SetProfile(ctx context.Context, user string, fields map[string]interface{}) error {
	return s.rdb.HMSet("profile:"+user, fields).Err()
}

// Profile reads a profile field by field, with a script.
func (s *Service) Profile(ctx context.Context, user string, fields ...string) ([]interface{}, error) {
	script := redis.NewScript(`return redis.call("HMGET", KEYS[1], unpack(ARGV))`)
	args := make([]interface{}, len(fields))
	for i, f := range fields {
		args[i] = f
	}
	v, err := script.Run(s.rdb, []string{"profile:" + user}, args...).Result()
	if err != nil {
		return nil, err
	}
	return v.([]interface{}), nil
}

// Users lists the users with a profile.
func (s *Service) Users(ctx context.Context) ([]string, error) {
	var users []string
	iter := s.rdb.Scan(0, "profile:*", 10).Iterator()
	for iter.Next() {
		users = append(users, iter.Val()[len("profile:"):])
	}
	return users, iter.Err()
}

// Notify publishes a notification; Listen receives them.
func (s *Service) Notify(ctx context.Context, msg string) error {
	return s.rdb.Publish("notes", msg).Err()
}

// Listen subscribes to notifications.
func (s *Service) Listen() (*redis.PubSub, error) {
	ps := s.rdb.Subscribe("notes")
	if _, err := ps.Receive(); err != nil {
		ps.Close()
		return nil, err
	}
	return ps, nil
}

// Ping checks the server, with a raw command.
func (s *Service) Ping(ctx context.Context) error {
	v, err := s.rdb.DoContext(ctx, "PING").Result()
	if err != nil {
		return err
	}
	if v != "PONG" {
		return fmt.Errorf("PING answered %v", v)
	}
	return nil
}

// Name returns the connection name set on connect.
func (s *Service) Name() (string, error) {
	cn := s.rdb.Conn()
	defer cn.Close()
	return cn.ClientGetName().Result()
}
