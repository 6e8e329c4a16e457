// Package shop is a small service on go-redis v8, for the end-to-end test
// of the go-redis-v9 rule set (internal/redise2e): sessions, carts in
// hashes, stock under WATCH, a leaderboard in a sorted set, an order stream
// and price updates over pub/sub.
package shop

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-redis/redis/v8"
)

// ErrOutOfStock is returned by Buy when the item is sold out.
var ErrOutOfStock = errors.New("out of stock")

// Shop holds the client.
type Shop struct {
	rdb *redis.Client
}

// New connects to addr, database db.
func New(addr string, db int) *Shop {
	return &Shop{rdb: redis.NewClient(&redis.Options{
		Addr:               addr,
		DB:                 db,
		IdleTimeout:        time.Minute,
		MaxConnAge:         time.Hour,
		IdleCheckFrequency: 30 * time.Second,
	})}
}

// Close closes the client.
func (s *Shop) Close() error { return s.rdb.Close() }

// Client returns the client, for tests.
func (s *Shop) Client() redis.Cmdable { return s.rdb }

// Login stores a session for ttl.
func (s *Shop) Login(ctx context.Context, user string, ttl time.Duration) (string, error) {
	id, err := s.rdb.Incr(ctx, "session:seq").Result()
	if err != nil {
		return "", err
	}
	sid := fmt.Sprintf("s%d", id)
	return sid, s.rdb.SetEX(ctx, "session:"+sid, user, ttl).Err()
}

// User returns the user of a session, or "" when it expired.
func (s *Shop) User(ctx context.Context, sid string) (string, error) {
	u, err := s.rdb.Get(ctx, "session:"+sid).Result()
	if err == redis.Nil {
		return "", nil
	}
	return u, err
}

// AddToCart adds n of item to the user's cart.
func (s *Shop) AddToCart(ctx context.Context, user, item string, n int64) error {
	return s.rdb.HIncrBy(ctx, "cart:"+user, item, n).Err()
}

// Cart returns the user's cart.
func (s *Shop) Cart(ctx context.Context, user string) (map[string]int64, error) {
	var cmd *redis.StringStringMapCmd = s.rdb.HGetAll(ctx, "cart:"+user)
	m, err := cmd.Result()
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(m))
	for k, v := range m {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, nil
}

// AnyCartItem returns one item of the cart at random.
func (s *Shop) AnyCartItem(ctx context.Context, user string) (string, error) {
	items, err := s.rdb.HRandField(ctx, "cart:"+user, 1, false).Result()
	if err != nil || len(items) == 0 {
		return "", err
	}
	return items[0], nil
}

// Restock sets the stock of several items in one pipeline.
func (s *Shop) Restock(ctx context.Context, stock map[string]int64) error {
	pipe := s.rdb.Pipeline()
	defer pipe.Close()
	for item, n := range stock {
		pipe.Set(ctx, "stock:"+item, n, 0)
	}
	_, err := pipe.Exec(ctx)
	return err
}

// Stock returns the stock of items, read in one pipeline.
func (s *Shop) Stock(ctx context.Context, items ...string) (map[string]int64, error) {
	cmds := map[string]*redis.StringCmd{}
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, it := range items {
			cmds[it] = p.Get(ctx, "stock:"+it)
		}
		return nil
	})
	if err != nil && err != redis.Nil {
		return nil, err
	}
	out := map[string]int64{}
	for it, c := range cmds {
		n, err := c.Int64()
		if err != nil && err != redis.Nil {
			return nil, err
		}
		out[it] = n
	}
	return out, nil
}

// Buy takes one item out of stock, under WATCH, and scores the buyer.
func (s *Shop) Buy(ctx context.Context, user, item string) error {
	key := "stock:" + item
	err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		n, err := tx.Get(ctx, key).Int64()
		if err != nil && err != redis.Nil {
			return err
		}
		if n <= 0 {
			return ErrOutOfStock
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, key, n-1, 0)
			p.ZIncr(ctx, "buyers", &redis.Z{Score: 1, Member: user})
			return nil
		})
		return err
	}, key)
	if err != nil {
		return err
	}
	return s.rdb.WithContext(ctx).XAdd(ctx, &redis.XAddArgs{
		Stream:       "orders",
		MaxLenApprox: 1000,
		Values:       map[string]interface{}{"user": user, "item": item},
	}).Err()
}

// Score sets the scores of players, only for new ones.
func (s *Shop) Score(ctx context.Context, scores map[string]float64) (int64, error) {
	var zs []*redis.Z
	for m, sc := range scores {
		zs = append(zs, &redis.Z{Score: sc, Member: m})
	}
	var added int64
	for _, z := range zs {
		n, err := s.rdb.ZAddNX(ctx, "board", z).Result()
		if err != nil {
			return 0, err
		}
		added += n
	}
	return added, nil
}

// Bump adds to a player's score and reports whether it changed.
func (s *Shop) Bump(ctx context.Context, player string, score float64) (int64, error) {
	return s.rdb.ZAddCh(ctx, "board", &redis.Z{Score: score, Member: player}).Result()
}

// Top returns the n best players.
func (s *Shop) Top(ctx context.Context, n int64) ([]redis.Z, error) {
	return s.rdb.ZRevRangeWithScores(ctx, "board", 0, n-1).Result()
}

// AnyPlayer returns a random player.
func (s *Shop) AnyPlayer(ctx context.Context) (string, error) {
	ps, err := s.rdb.ZRandMember(ctx, "board", 1, false).Result()
	if err != nil || len(ps) == 0 {
		return "", err
	}
	return ps[0], nil
}

// Orders returns the orders in the stream, oldest first, after trimming
// it to about max entries.
func (s *Shop) Orders(ctx context.Context, max int64) ([]redis.XMessage, error) {
	if err := s.rdb.XTrimApprox(ctx, "orders", max).Err(); err != nil {
		return nil, err
	}
	return s.rdb.XRange(ctx, "orders", "-", "+").Result()
}

// TrimOrders trims the stream to exactly max entries.
func (s *Shop) TrimOrders(ctx context.Context, max int64) (int64, error) {
	return s.rdb.XTrim(ctx, "orders", max).Result()
}

// Prices subscribes to price updates; the channel closes with the
// subscription.
func (s *Shop) Prices(ctx context.Context) (<-chan *redis.Message, func() error, error) {
	ps := s.rdb.Subscribe(ctx, "prices")
	if _, err := ps.Receive(ctx); err != nil {
		return nil, nil, err
	}
	return ps.ChannelSize(16), ps.Close, nil
}

// Publish publishes a price update.
func (s *Shop) Publish(ctx context.Context, item string, price int) error {
	return s.rdb.Publish(ctx, "prices", fmt.Sprintf("%s=%d", item, price)).Err()
}

// Name names the shop's connection, on a dedicated connection.
func (s *Shop) Name(ctx context.Context, name string) (string, error) {
	cn := s.rdb.Conn(ctx)
	defer cn.Close()
	if err := cn.ClientSetName(ctx, name).Err(); err != nil {
		return "", err
	}
	return cn.ClientGetName(ctx).Result()
}
