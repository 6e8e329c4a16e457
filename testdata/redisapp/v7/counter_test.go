package counter

import (
	"context"
	"errors"
	"os"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/go-redis/redis/v7"
)

// newService connects to the server at $REDIS_ADDR, database 7, emptied.
func newService(t *testing.T, limit int64) *Service {
	t.Helper()
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		t.Fatal("REDIS_ADDR is not set: these tests need a redis-server")
	}
	s := New(addr, 7, limit)
	t.Cleanup(func() { s.Close() })
	if err := s.rdb.FlushDB().Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestHits(t *testing.T) {
	s, ctx := newService(t, 3), context.Background()
	for i := 0; i < 3; i++ {
		if _, err := s.Hit(ctx, "ann", "/home"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Hit(ctx, "ann", "/home"); !errors.Is(err, ErrLimited) {
		t.Fatalf("fourth hit: %v; want ErrLimited", err)
	}
	s.Hit(ctx, "bob", "/about")
	// Look at the limiter's keys with a client of our own.
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR"), DB: 7})
	defer rdb.Close()
	keys, err := rdb.Keys("limit:*").Result()
	if err != nil || len(keys) != 2 {
		t.Fatalf("limit keys = %v, %v", keys, err)
	}
	if ttl := rdb.TTL(keys[0]).Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("TTL = %v", ttl)
	}
	views, err := s.Views()
	if err != nil || views["/home"] != 3 || views["/about"] != 1 {
		t.Fatalf("Views = %v, %v", views, err)
	}
}

func TestJobs(t *testing.T) {
	s, ctx := newService(t, 10), context.Background()
	if err := s.Push(ctx, "a", "b"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"a", "b", ""} {
		if got, err := s.Pop(time.Second); err != nil || got != want {
			t.Fatalf("Pop = %q, %v; want %q", got, err, want)
		}
	}
}

func TestBoard(t *testing.T) {
	s, ctx := newService(t, 10), context.Background()
	if n, err := s.Join(ctx, "ann", "bob"); err != nil || n != 2 {
		t.Fatalf("Join = %d, %v", n, err)
	}
	if n, _ := s.Join(ctx, "ann"); n != 0 {
		t.Fatalf("Join(ann) again added %d", n)
	}
	if err := s.Move(ctx, "ann", "bob", 30); err != nil {
		t.Fatal(err)
	}
	if err := s.Move(ctx, "ann", "bob", 500); err == nil {
		t.Fatal("moved more points than ann has")
	}
	if ch, err := s.Set("cid", 50); err != nil || ch != 1 {
		t.Fatalf("Set = %d, %v", ch, err)
	}
	board, err := s.Board()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, z := range board {
		got = append(got, z.Member.(string))
	}
	if want := []string{"bob", "ann", "cid"}; !reflect.DeepEqual(got, want) || board[0].Score != 130 {
		t.Fatalf("Board = %v", board)
	}
}

func TestEvents(t *testing.T) {
	s, ctx := newService(t, 10), context.Background()
	for _, e := range []string{"start", "work", "stop"} {
		if _, err := s.Log(ctx, e, 1000); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := s.Events(2)
	if err != nil || len(evs) != 2 || evs[1].Values["event"] != "stop" {
		t.Fatalf("Events = %v, %v", evs, err)
	}
}

func TestProfiles(t *testing.T) {
	s, ctx := newService(t, 10), context.Background()
	if err := s.SetProfile(ctx, "ann", map[string]interface{}{"name": "Ann", "city": "Oslo"}); err != nil {
		t.Fatal(err)
	}
	s.SetProfile(ctx, "bob", map[string]interface{}{"name": "Bob"})
	vals, err := s.Profile(ctx, "ann", "name", "city", "none")
	if err != nil || len(vals) != 3 || vals[0] != "Ann" || vals[1] != "Oslo" || vals[2] != nil {
		t.Fatalf("Profile = %v, %v", vals, err)
	}
	users, err := s.Users(ctx)
	sort.Strings(users)
	if err != nil || !reflect.DeepEqual(users, []string{"ann", "bob"}) {
		t.Fatalf("Users = %v, %v", users, err)
	}
}

func TestNotify(t *testing.T) {
	s, ctx := newService(t, 10), context.Background()
	ps, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	if err := s.Notify(ctx, "hello"); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-ps.Channel():
		if m.Payload != "hello" {
			t.Fatalf("got %q", m.Payload)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notification")
	}
}

func TestPingName(t *testing.T) {
	s, ctx := newService(t, 10), context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if name, err := s.Name(); err != nil || name != "counter" {
		t.Fatalf("Name = %q, %v", name, err)
	}
}
