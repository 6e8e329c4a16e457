package leaderboard

import (
	"context"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"
)

// newService returns a leaderboard on the redis-server at REDIS_ADDR,
// database 5, emptied first.
func newService(t *testing.T) *Service {
	t.Helper()
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		t.Fatal("REDIS_ADDR is not set: run the tests against a redis-server, e.g. REDIS_ADDR=127.0.0.1:6379 go test ./...")
	}
	pool := NewPool(addr, 5)
	c := pool.Get()
	defer c.Close()
	if _, err := c.Do("FLUSHDB"); err != nil {
		t.Fatalf("FLUSHDB on %s: %v", addr, err)
	}
	s := New(pool, "lb:")
	t.Cleanup(func() { s.Close() })
	return s
}

func TestScores(t *testing.T) {
	s, ctx := newService(t), context.Background()
	for player, score := range map[string]float64{"ann": 10, "bob": 30, "cid": 20} {
		if err := s.SetScore(ctx, player, score); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.Submit(ctx, "ann", 25.5); err != nil || got != 35.5 {
		t.Errorf("Submit = %v, %v; want 35.5", got, err)
	}
	if got, ok, err := s.Score(ctx, "cid"); err != nil || !ok || got != 20 {
		t.Errorf("Score(cid) = %v, %v, %v", got, ok, err)
	}
	if _, ok, err := s.Score(ctx, "nobody"); err != nil || ok {
		t.Errorf("Score(nobody) = %v, %v; want false, nil", ok, err)
	}
	if got, err := s.Rank(ctx, "bob"); err != nil || got != 1 {
		t.Errorf("Rank(bob) = %v, %v; want 1", got, err)
	}
	if _, err := s.Rank(ctx, "nobody"); !errors.Is(err, ErrNoPlayer) {
		t.Errorf("Rank(nobody) error = %v; want ErrNoPlayer", err)
	}
	if got, err := s.Top(ctx, 2); err != nil || !reflect.DeepEqual(got, []string{"ann", "bob"}) {
		t.Errorf("Top(2) = %v, %v", got, err)
	}
}

func TestCard(t *testing.T) {
	s, ctx := newService(t), context.Background()
	s.SetScore(ctx, "ann", 10)
	s.SetScore(ctx, "bob", 5)
	if _, err := s.Card(ctx, "bob"); err != nil {
		t.Fatalf("Card before any visit: %v", err)
	}
	for i := 0; i < 3; i++ {
		if _, err := s.Visit(ctx, "bob"); err != nil {
			t.Fatal(err)
		}
	}
	card, err := s.Card(ctx, "bob")
	if want := (Card{Score: 5, Rank: 1, Visits: 3}); err != nil || card != want {
		t.Errorf("Card(bob) = %+v, %v; want %+v", card, err, want)
	}
	if _, err := s.Card(ctx, "nobody"); !errors.Is(err, ErrNoPlayer) {
		t.Errorf("Card(nobody) error = %v; want ErrNoPlayer", err)
	}
}

func TestRemove(t *testing.T) {
	s, ctx := newService(t), context.Background()
	s.SetScore(ctx, "ann", 10)
	s.Visit(ctx, "ann")
	s.SetNickname(ctx, "ann", "Annie")
	if err := s.Remove(ctx, "ann"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Score(ctx, "ann"); ok {
		t.Error("ann still has a score")
	}
	if nick, err := s.Nickname(ctx, "ann"); err != nil || nick != "ann" {
		t.Errorf("Nickname after Remove = %q, %v; want the id", nick, err)
	}
}

func TestNicknameAndBans(t *testing.T) {
	s, ctx := newService(t), context.Background()
	if err := s.SetNickname(ctx, "bob", "Bobby"); err != nil {
		t.Fatal(err)
	}
	if nick, err := s.Nickname(ctx, "bob"); err != nil || nick != "Bobby" {
		t.Errorf("Nickname(bob) = %q, %v", nick, err)
	}
	if err := s.Ban(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	for player, want := range map[string]bool{"bob": true, "ann": false} {
		if got, err := s.Banned(ctx, player); err != nil || got != want {
			t.Errorf("Banned(%s) = %v, %v; want %v", player, got, err, want)
		}
	}
}

func TestHold(t *testing.T) {
	s, ctx := newService(t), context.Background()
	if left, err := s.HoldLeft(ctx, "ann"); err != nil || left != -2 {
		t.Errorf("HoldLeft before a hold = %d, %v; want -2", left, err)
	}
	for i, want := range []bool{true, false} {
		if got, err := s.Hold(ctx, "ann", 60); err != nil || got != want {
			t.Errorf("Hold #%d = %v, %v; want %v", i+1, got, err, want)
		}
	}
	if left, err := s.HoldLeft(ctx, "ann"); err != nil || left < 1 || left > 60 {
		t.Errorf("HoldLeft = %d, %v; want 1..60 seconds", left, err)
	}
}

func TestSettings(t *testing.T) {
	s, ctx := newService(t), context.Background()
	if got, err := s.Settings(ctx); err != nil || len(got) != 0 {
		t.Errorf("Settings before any = %v, %v", got, err)
	}
	s.Configure(ctx, "season", "7")
	s.Configure(ctx, "title", "Spring cup")
	want := map[string]string{"season": "7", "title": "Spring cup"}
	if got, err := s.Settings(ctx); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Settings = %v, %v; want %v", got, err, want)
	}
}

func TestProfile(t *testing.T) {
	s, ctx := newService(t), context.Background()
	p := &Profile{Name: "Ann", Country: "NO", Level: 4, Joined: 1700000000}
	if err := s.SaveProfile(ctx, "ann", p); err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadProfile(ctx, "ann")
	if err != nil || *got != *p {
		t.Errorf("LoadProfile = %+v, %v; want %+v", got, err, p)
	}
	if _, err := s.LoadProfile(ctx, "nobody"); !errors.Is(err, ErrNoPlayer) {
		t.Errorf("LoadProfile(nobody) error = %v; want ErrNoPlayer", err)
	}
}

func TestStreak(t *testing.T) {
	s, ctx := newService(t), context.Background()
	var got []int
	for i := 0; i < 4; i++ {
		n, err := s.Streak(ctx, "ann", 3)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
	}
	if want := []int{1, 2, 3, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("streaks = %v; want %v", got, want)
	}
}

func TestFollow(t *testing.T) {
	s, ctx := newService(t), context.Background()
	subscribed := make(chan struct{})
	events := make(chan string, 2)
	done := make(chan error, 1)
	go func() {
		done <- s.Follow(ctx, func() { close(subscribed) }, func(e string) bool {
			events <- e
			return e != "last"
		})
	}()
	select {
	case <-subscribed:
	case err := <-done:
		t.Fatalf("Follow returned before subscribing: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("no subscription after 5s")
	}
	for _, e := range []string{"ann scored 40", "last"} {
		if err := s.Announce(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Follow did not return after the last event")
	}
	if got := []string{<-events, <-events}; !reflect.DeepEqual(got, []string{"ann scored 40", "last"}) {
		t.Errorf("events = %v", got)
	}
}
