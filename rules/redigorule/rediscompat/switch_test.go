package rediscompat

import (
	"errors"
	"sync"
	"testing"

	"github.com/gomodule/redigo/redis"
)

// TestSwitch checks that EnvVar picks the dial function, read once.
func TestSwitch(t *testing.T) {
	errOriginal := errors.New("original dial")
	original := func() (redis.Conn, error) { return nil, errOriginal }
	for _, tc := range []struct {
		value    string
		original bool
	}{{"", false}, {"go-redis", false}, {"redigo", true}, {" Redigo ", true}, {"other", false}} {
		enabledOnce = sync.Once{}
		t.Setenv(EnvVar, tc.value)
		c, err := Dial(Options{Network: "tcp", Addr: "127.0.0.1:1"}, original)()
		if got := errors.Is(err, errOriginal); got != tc.original {
			t.Errorf("%s=%q: original dial used: %v, want %v", EnvVar, tc.value, got, tc.original)
		}
		if _, ok := c.(*Conn); ok == tc.original {
			t.Errorf("%s=%q: got %T", EnvVar, tc.value, c)
		}
		t.Setenv(EnvVar, "redigo") // read once: a later change is not seen
		if _, err := Dial(Options{}, original)(); errors.Is(err, errOriginal) != tc.original {
			t.Errorf("%s=%q: the variable was read again", EnvVar, tc.value)
		}
	}
	enabledOnce = sync.Once{}
}

// TestConcurrent uses one pool of Conns from many goroutines, with
// pipelines and transactions, as a service would.
func TestConcurrent(t *testing.T) {
	addr := redisAddr(t)
	pool := &redis.Pool{MaxActive: 5, MaxIdle: 2, Wait: true, Dial: func() (redis.Conn, error) {
		return NewConn(Options{Network: "tcp", Addr: addr, DB: testDB})
	}}
	defer pool.Close()
	c := pool.Get()
	c.Do("DEL", "n", "m")
	c.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for g := 0; g < 20; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				c := pool.Get()
				c.Send("INCR", "n")
				c.Send("MULTI")
				c.Send("INCR", "m")
				if _, err := c.Do("EXEC"); err != nil {
					errs <- err
				}
				c.Close()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	c = pool.Get()
	defer c.Close()
	n, err1 := redis.Int(c.Do("GET", "n"))
	m, err2 := redis.Int(c.Do("GET", "m"))
	if n != 1000 || m != 1000 || err1 != nil || err2 != nil {
		t.Fatalf("n, m = %d, %d (%v, %v); want 1000, 1000", n, m, err1, err2)
	}
	if s := pool.Stats(); s.ActiveCount > 5 {
		t.Errorf("pool stats %+v", s)
	}
}
