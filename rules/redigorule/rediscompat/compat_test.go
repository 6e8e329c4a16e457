package rediscompat

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"
)

// The differential test: each scenario runs once on a redis.Pool of
// redigo's own connections and once on a redis.Pool of Conns, on an empty
// database, and prints every result with %T %#v. The two transcripts must
// be the same.

// Conn satisfies redigo's optional interfaces, which redis.DoWithTimeout,
// redis.DoContext and the pool's own methods look for. The package itself
// does not say so: older redigo versions lack ConnWithContext.
var (
	_ redis.ConnWithTimeout = (*Conn)(nil)
	_ redis.ConnWithContext = (*Conn)(nil)
)

type printer func(label string, v interface{}, err error)

type scenario func(pool *redis.Pool, p printer)

var scenarios = map[string]scenario{
	"scalars":   scalars,
	"arrays":    arrays,
	"errors":    errorReplies,
	"pipeline":  pipeline,
	"multi":     multiExec,
	"watch":     watchConflict,
	"script":    script,
	"structs":   structs,
	"arguments": arguments,
	"close":     closeInMulti,
	"pubsub":    pubsub,
	"timeout":   timeout,
}

func TestDifferential(t *testing.T) {
	addr := redisAddr(t)
	for name, s := range scenarios {
		t.Run(name, func(t *testing.T) {
			want := transcript(t, redigoPool(addr), s)
			got := transcript(t, compatPool(addr), s)
			if got != want {
				t.Errorf("transcripts differ\n--- redigo\n%s--- rediscompat\n%s", want, got)
			}
			if testing.Verbose() {
				t.Logf("transcript:\n%s", got)
			}
		})
	}
}

const testDB = 9

// TestKnownDifference shows the difference the package documents: a simple
// string reply of a command outside the table of reply.go (here from Lua)
// comes back as []byte, not string.
func TestKnownDifference(t *testing.T) {
	addr := redisAddr(t)
	lua := func(pool *redis.Pool) interface{} {
		defer pool.Close()
		c := pool.Get()
		defer c.Close()
		v, err := redis.NewScript(0, "return redis.call('SET', 'x', 1)").Do(c)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := lua(redigoPool(addr)); v != "OK" {
		t.Errorf("redigo: %#v, want \"OK\"", v)
	}
	if v, ok := lua(compatPool(addr)).([]byte); !ok || string(v) != "OK" {
		t.Errorf("rediscompat: %#v, want []byte(\"OK\")", v)
	}
}

func redigoPool(addr string) *redis.Pool {
	return &redis.Pool{MaxIdle: 1, Dial: func() (redis.Conn, error) {
		return redis.Dial("tcp", addr, redis.DialDatabase(testDB))
	}}
}

func compatPool(addr string) *redis.Pool {
	return &redis.Pool{MaxIdle: 1, Dial: func() (redis.Conn, error) {
		return NewConn(Options{Network: "tcp", Addr: addr, DB: testDB})
	}}
}

func transcript(t *testing.T, pool *redis.Pool, s scenario) string {
	defer pool.Close()
	c := pool.Get()
	if _, err := c.Do("FLUSHDB"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	var b strings.Builder
	s(pool, func(label string, v interface{}, err error) {
		fmt.Fprintf(&b, "%s: %T %#v; %T %#v\n", label, v, v, err, err)
	})
	return b.String()
}

func do(p printer, c redis.Conn, cmd string, args ...interface{}) interface{} {
	v, err := c.Do(cmd, args...)
	p(cmd+" "+fmt.Sprint(args...), v, err)
	return v
}

func scalars(pool *redis.Pool, p printer) {
	c := pool.Get()
	defer c.Close()
	v := do(p, c, "SET", "k", "v")
	p(`reply == "OK"`, v == "OK", nil)
	do(p, c, "GET", "k")
	do(p, c, "GET", "missing")
	s, err := redis.String(c.Do("GET", "missing"))
	p("String(missing)", s, err)
	p("== ErrNil", err == redis.ErrNil, nil)
	p("errors.Is ErrNil", errors.Is(err, redis.ErrNil), nil)
	do(p, c, "SET", "n", 42)
	i, err := redis.Int(c.Do("INCR", "n"))
	p("Int", i, err)
	i64, err := redis.Int64(c.Do("GET", "n"))
	p("Int64", i64, err)
	u, err := redis.Uint64(c.Do("GET", "n"))
	p("Uint64", u, err)
	bl, err := redis.Bool(c.Do("EXISTS", "n"))
	p("Bool", bl, err)
	do(p, c, "SET", "f", 1.5)
	f, err := redis.Float64(c.Do("GET", "f"))
	p("Float64", f, err)
	f, err = redis.Float64(c.Do("INCR", "n"))
	p("Float64(int)", f, err)
	bs, err := redis.Bytes(c.Do("GET", "k"))
	p("Bytes", bs, err)
	s, err = redis.String(c.Do("SET", "k", "w"))
	p("String(SET)", s, err)
	do(p, c, "SET", "k", "x", "GET")
	do(p, c, "SET", "k", "y", "NX")
	do(p, c, "PING")
	do(p, c, "PING", "hi")
	do(p, c, "TYPE", "k")
	do(p, c, "ECHO", "e")
	do(p, c, "SETEX", "t", 100, "v")
	do(p, c, "TTL", "t")
	do(p, c, "TTL", "missing")
	do(p, c, "MSET", "a", 1, "b", 2)
	do(p, c, "HMSET", "h", "f", 1)
	do(p, c, "RENAME", "a", "a2")
	do(p, c, "CONFIG", "SET", "slowlog-max-len", "128")
	do(p, c, "CLIENT", "SETNAME", "x")
	do(p, c, "CLIENT", "GETNAME")
	do(p, c, "SELECT", testDB)
	do(p, c, "DBSIZE")
	do(p, c, "INCRBYFLOAT", "f", 0.25)
	do(p, c, "EXPIRE", "k", 100)
}

func arrays(pool *redis.Pool, p printer) {
	c := pool.Get()
	defer c.Close()
	do(p, c, "RPUSH", "l", "a", "b", 3)
	do(p, c, "LRANGE", "l", 0, -1)
	ss, err := redis.Strings(c.Do("LRANGE", "l", 0, -1))
	p("Strings", ss, err)
	bss, err := redis.ByteSlices(c.Do("LRANGE", "l", 0, -1))
	p("ByteSlices", bss, err)
	ss, err = redis.Strings(c.Do("MGET", "l", "missing"))
	p("Strings(MGET)", ss, err)
	do(p, c, "SET", "s", "x")
	do(p, c, "MGET", "s", "missing")
	do(p, c, "HSET", "h", "a", 1, "b", 2)
	do(p, c, "HGETALL", "h")
	sm, err := redis.StringMap(c.Do("HGETALL", "h"))
	p("StringMap", sm, err)
	im, err := redis.IntMap(c.Do("HGETALL", "h"))
	p("IntMap", im, err)
	i64m, err := redis.Int64Map(c.Do("HGETALL", "h"))
	p("Int64Map", i64m, err)
	sm, err = redis.StringMap(c.Do("HGETALL", "missing"))
	p("StringMap(missing)", sm, err)
	do(p, c, "RPUSH", "nums", 1, 2, 3)
	is, err := redis.Ints(c.Do("LRANGE", "nums", 0, -1))
	p("Ints", is, err)
	i64s, err := redis.Int64s(c.Do("LRANGE", "nums", 0, -1))
	p("Int64s", i64s, err)
	vs, err := redis.Values(c.Do("LRANGE", "nums", 0, -1))
	p("Values", vs, err)
	do(p, c, "ZADD", "z", 1.5, "a", 3, "b")
	ss, err = redis.Strings(c.Do("ZREVRANGE", "z", 0, -1, "WITHSCORES"))
	p("Strings(WITHSCORES)", ss, err)
	vs, err = redis.Values(c.Do("ZRANGE", "z", 0, -1, "WITHSCORES"))
	p("Values(WITHSCORES)", vs, err)
	fs, err := redis.Float64s(c.Do("ZMSCORE", "z", "a", "b"))
	p("Float64s", fs, err)
	f, err := redis.Float64(c.Do("ZSCORE", "z", "a"))
	p("Float64(ZSCORE)", f, err)
	do(p, c, "ZSCORE", "z", "missing")
	do(p, c, "LRANGE", "missing", 0, -1)
	do(p, c, "SCAN", 0)
	do(p, c, "CONFIG", "GET", "slowlog-max-len")
}

func errorReplies(pool *redis.Pool, p printer) {
	c := pool.Get()
	defer c.Close()
	do(p, c, "SET", "s", "x")
	do(p, c, "INCR", "s")
	do(p, c, "NOSUCHCOMMAND", "a")
	do(p, c, "GET")
	_, err := c.Do("INCR", "s")
	re, ok := err.(redis.Error)
	p("err.(redis.Error)", re, nil)
	p("ok", ok, nil)
	p("Err", nil, c.Err())
	do(p, c, "EVAL", "return redis.error_reply('MY error')", 0)
	do(p, c, "EVAL", "return {1, redis.error_reply('inner')}", 0)
}

func pipeline(pool *redis.Pool, p printer) {
	c := pool.Get()
	defer c.Close()
	c.Send("SET", "s", "x")
	c.Send("GET", "s")
	c.Send("INCR", "s")
	c.Send("GET", "missing")
	p("Flush", nil, c.Flush())
	for i := 0; i < 4; i++ {
		v, err := c.Receive()
		p(fmt.Sprint("Receive ", i), v, err)
	}
	c.Send("INCR", "s")
	c.Send("SET", "t", 1)
	do(p, c, "GET", "t")
	c.Send("SET", "u", 1)
	c.Send("GET", "u")
	do(p, c, "")
	do(p, c, "")
}

func multiExec(pool *redis.Pool, p printer) {
	c := pool.Get()
	defer c.Close()
	do(p, c, "SET", "s", "x")
	c.Send("MULTI")
	c.Send("SET", "a", 1)
	c.Send("INCR", "s")
	c.Send("GET", "a")
	c.Send("PING")
	do(p, c, "EXEC")
	c.Send("MULTI")
	c.Send("SET", "a")
	c.Send("GET", "a")
	do(p, c, "EXEC")
	do(p, c, "MULTI")
	do(p, c, "SET", "b", 2)
	do(p, c, "DISCARD")
	do(p, c, "GET", "b")
	vs, err := redis.Values(c.Do("EXEC"))
	p("Values(EXEC without MULTI)", vs, err)
}

func watchConflict(pool *redis.Pool, p printer) {
	c := pool.Get()
	defer c.Close()
	other := pool.Get()
	defer other.Close()
	do(p, c, "WATCH", "w")
	do(p, other, "SET", "w", 1)
	c.Send("MULTI")
	c.Send("SET", "w", 2)
	v, err := c.Do("EXEC")
	p("EXEC after conflict", v, err)
	vs, err := redis.Values(v, err)
	p("Values", vs, err)
	do(p, c, "GET", "w")
}

func script(pool *redis.Pool, p printer) {
	c := pool.Get()
	defer c.Close()
	do(p, c, "SCRIPT", "FLUSH")
	get := redis.NewScript(1, "return redis.call('GET', KEYS[1])")
	do(p, c, "SET", "k", "v")
	v, err := get.Do(c, "k")
	p("Script.Do (NOSCRIPT fallback)", v, err)
	v, err = get.Do(c, "missing")
	p("Script.Do nil", v, err)
	p("Load", nil, get.Load(c))
	p("SendHash", nil, get.SendHash(c, "k"))
	p("Flush", nil, c.Flush())
	v, err = c.Receive()
	p("Receive", v, err)
	v, err = redis.NewScript(0, "return {1, 'two', false}").Do(c)
	p("table from Lua", v, err)
}

type user struct {
	Name  string `redis:"name"`
	Age   int
	Email string `redis:"email,omitempty"`
}

func structs(pool *redis.Pool, p printer) {
	c := pool.Get()
	defer c.Close()
	u := user{Name: "ann", Age: 30}
	do(p, c, "HMSET", redis.Args{}.Add("u").AddFlat(&u)...)
	vs, err := redis.Values(c.Do("HGETALL", "u"))
	p("Values", vs, err)
	var back user
	p("ScanStruct", back, redis.ScanStruct(vs, &back))
	p("back", back, nil)
	var name string
	var age int
	rest, err := redis.Scan([]interface{}{[]byte("bob"), int64(3), []byte("x")}, &name, &age)
	p("Scan", []interface{}{name, age, rest}, err)
	do(p, c, "RPUSH", "l", "n1", "n2")
	do(p, c, "SET", "age:n1", 1)
	do(p, c, "SET", "age:n2", 2)
	vs, err = redis.Values(c.Do("SORT", "l", "BY", "nosort", "GET", "#", "GET", "age:*"))
	p("SORT", vs, err)
	var rows []struct {
		Name string
		Age  int
	}
	p("ScanSlice", nil, redis.ScanSlice(vs, &rows))
	p("rows", rows, nil)
}

type userID string

type arg struct{}

func (arg) RedisArg() interface{} { return "from RedisArg" }

func arguments(pool *redis.Pool, p printer) {
	c := pool.Get()
	defer c.Close()
	for i, a := range []interface{}{userID("u1"), 90 * time.Second, 1e21, 0.1, true, false, nil, []string{"a", "b"}, []byte("raw"), int32(-7), uint8(3), arg{}, &arg{}, struct{ A int }{1}} {
		key := fmt.Sprint("arg", i)
		do(p, c, "SET", key, a)
		do(p, c, "GET", key)
	}
}

func closeInMulti(pool *redis.Pool, p printer) {
	c := pool.Get()
	c.Send("MULTI")
	c.Send("SET", "m", 1)
	p("Close", nil, c.Close())
	c = pool.Get()
	defer c.Close()
	do(p, c, "GET", "m")
	do(p, c, "SET", "m", 2)
	c2 := pool.Get()
	do(p, c2, "WATCH", "m")
	p("Close", nil, c2.Close())
	p("Err after Close", nil, c2.Err())
	do(p, c, "GET", "m")
	c3 := pool.Get()
	c3.Send("SET", "late", 1)
	p("Close", nil, c3.Close())
	do(p, c, "GET", "late")
}

func timeout(pool *redis.Pool, p printer) {
	c := pool.Get()
	defer c.Close()
	v, err := redis.DoWithTimeout(c, 3*time.Second, "BLPOP", "q", 1)
	p("DoWithTimeout BLPOP", v, err)
	do(p, c, "RPUSH", "q", "x")
	v, err = redis.DoWithTimeout(c, time.Second, "BLPOP", "q", 1)
	p("DoWithTimeout BLPOP", v, err)
}

func pubsub(pool *redis.Pool, p printer) {
	psc := redis.PubSubConn{Conn: pool.Get()}
	pub := pool.Get()
	defer pub.Close()
	recv := func(label string) {
		v := psc.ReceiveWithTimeout(5 * time.Second)
		err, _ := v.(error)
		p(label, v, err)
	}
	p("Subscribe", nil, psc.Subscribe("ch"))
	recv("subscribe")
	p("PSubscribe", nil, psc.PSubscribe("p*"))
	recv("psubscribe")
	do(p, pub, "PUBLISH", "ch", "hello")
	recv("message")
	do(p, pub, "PUBLISH", "pq", "hi")
	recv("pmessage")
	p("Ping", nil, psc.Ping("data"))
	recv("pong")
	p("Unsubscribe", nil, psc.Unsubscribe("ch"))
	recv("unsubscribe")
	p("PUnsubscribe", nil, psc.PUnsubscribe())
	recv("punsubscribe")
	p("Close", nil, psc.Close())
	psc = redis.PubSubConn{Conn: pool.Get()}
	p("Subscribe", nil, psc.Subscribe("ch2"))
	recv("subscribe")
	p("Close while subscribed", nil, psc.Close())
	c := pool.Get()
	defer c.Close()
	do(p, c, "PING")
}
