package shop

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-redis/redis/v8"
)

// newShop connects to the server at $REDIS_ADDR, database 8, emptied.
func newShop(t *testing.T) *Shop {
	t.Helper()
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		t.Fatal("REDIS_ADDR is not set: these tests need a redis-server")
	}
	s := New(addr, 8)
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	if err := s.rdb.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSessions(t *testing.T) {
	s, ctx := newShop(t), context.Background()
	sid, err := s.Login(ctx, "ann", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := s.User(ctx, sid); err != nil || u != "ann" {
		t.Fatalf("User = %q, %v; want ann", u, err)
	}
	if u, err := s.User(ctx, "nope"); err != nil || u != "" {
		t.Fatalf("User(nope) = %q, %v", u, err)
	}
	ttl := s.rdb.TTL(ctx, "session:"+sid).Val()
	if ttl <= 0 || ttl > time.Minute {
		t.Fatalf("TTL = %v", ttl)
	}
}

func TestCart(t *testing.T) {
	s, ctx := newShop(t), context.Background()
	for _, it := range []string{"pen", "pen", "ink"} {
		if err := s.AddToCart(ctx, "ann", it, 1); err != nil {
			t.Fatal(err)
		}
	}
	cart, err := s.Cart(ctx, "ann")
	if err != nil || cart["pen"] != 2 || cart["ink"] != 1 {
		t.Fatalf("Cart = %v, %v", cart, err)
	}
	it, err := s.AnyCartItem(ctx, "ann")
	if err != nil || (it != "pen" && it != "ink") {
		t.Fatalf("AnyCartItem = %q, %v", it, err)
	}
}

func TestBuy(t *testing.T) {
	s, ctx := newShop(t), context.Background()
	if err := s.Restock(ctx, map[string]int64{"pen": 2, "ink": 0}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := s.Buy(ctx, "ann", "pen"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Buy(ctx, "bob", "pen"); !errors.Is(err, ErrOutOfStock) {
		t.Fatalf("third Buy = %v; want ErrOutOfStock", err)
	}
	if err := s.Buy(ctx, "bob", "ink"); !errors.Is(err, ErrOutOfStock) {
		t.Fatalf("Buy(ink) = %v; want ErrOutOfStock", err)
	}
	stock, err := s.Stock(ctx, "pen", "ink", "none")
	if err != nil || stock["pen"] != 0 || stock["none"] != 0 {
		t.Fatalf("Stock = %v, %v", stock, err)
	}
	if n := s.rdb.ZScore(ctx, "buyers", "ann").Val(); n != 2 {
		t.Fatalf("ann bought %v", n)
	}
	orders, err := s.Orders(ctx, 100)
	if err != nil || len(orders) != 2 || orders[0].Values["user"] != "ann" {
		t.Fatalf("Orders = %v, %v", orders, err)
	}
	if n, err := s.TrimOrders(ctx, 1); err != nil || n != 1 {
		t.Fatalf("TrimOrders = %d, %v", n, err)
	}
}

func TestBoard(t *testing.T) {
	s, ctx := newShop(t), context.Background()
	added, err := s.Score(ctx, map[string]float64{"ann": 10, "bob": 20})
	if err != nil || added != 2 {
		t.Fatalf("Score = %d, %v", added, err)
	}
	if added, _ := s.Score(ctx, map[string]float64{"ann": 99}); added != 0 {
		t.Fatalf("Score(ann again) added %d", added)
	}
	if ch, err := s.Bump(ctx, "ann", 30); err != nil || ch != 1 {
		t.Fatalf("Bump = %d, %v", ch, err)
	}
	top, err := s.Top(ctx, 1)
	if err != nil || len(top) != 1 || top[0].Member != "ann" || top[0].Score != 30 {
		t.Fatalf("Top = %v, %v", top, err)
	}
	if p, err := s.AnyPlayer(ctx); err != nil || (p != "ann" && p != "bob") {
		t.Fatalf("AnyPlayer = %q, %v", p, err)
	}
	s.rdb.ZAdd(ctx, "board", &redis.Z{Score: 1, Member: "cid"})
	if n := s.rdb.ZCard(ctx, "board").Val(); n != 3 {
		t.Fatalf("ZCard = %d", n)
	}
}

func TestPrices(t *testing.T) {
	s, ctx := newShop(t), context.Background()
	ch, closeFn, err := s.Prices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	if err := s.Publish(ctx, "pen", 3); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-ch:
		if m.Payload != "pen=3" {
			t.Fatalf("got %q", m.Payload)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no price update")
	}
}

func TestName(t *testing.T) {
	s, ctx := newShop(t), context.Background()
	name, err := s.Name(ctx, "shop")
	if err != nil || !strings.EqualFold(name, "shop") {
		t.Fatalf("Name = %q, %v", name, err)
	}
}
