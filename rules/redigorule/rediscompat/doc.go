// Package rediscompat runs redigo code on a go-redis v9 client.
//
// This package was added by migrate's redigo-compat rule set, phase 1 of a
// move from redigo to github.com/redis/go-redis/v9: each redis.Pool of the
// module gets its connections from Dial or DialContext below, which hand
// out a Conn, redigo's redis.Conn implemented on one shared go-redis
// client, while the environment variable REDIS_CLIENT is unset or
// "go-redis" (or any value but "redigo"), and the pool's original dial
// function when it is "redigo" (the rollback). The variable is read once,
// when the first pool is built.
// Call sites do not change: pool.Get, conn.Do, Send, Flush, Receive,
// redis.String and the other reply helpers, scripts, MULTI/EXEC and
// PubSubConn keep working.
//
// A Conn makes the replies look as redigo's do: bulk strings are []byte
// and simple strings ("OK") string (commands outside the table in
// reply.go that reply with a simple string get []byte), a null reply is
// nil with no error, an error reply is a redis.Error, and Do after Sends
// returns the last reply and the first error reply. The client speaks
// RESP2 and never retries a command.
//
// What it cannot do as redigo does: read a reply nobody asked for
// (MONITOR, CLIENT REPLY OFF/SKIP, Receive with nothing pending); keep
// per-connection state other than MULTI/WATCH, SELECT and CLIENT SETNAME
// when a connection goes back to the go-redis pool (AUTH, HELLO, CLIENT
// TRACKING on a pooled connection); wait longer than the pool's read
// timeout in DoWithTimeout (DialReadTimeout); and report a dial error at
// pool.Get rather than at the first command.
package rediscompat
