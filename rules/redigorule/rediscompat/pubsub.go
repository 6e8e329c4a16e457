package rediscompat

import (
	"context"
	"fmt"
	"strings"

	"github.com/gomodule/redigo/redis"
	goredis "github.com/redis/go-redis/v9"
)

func isSubscribe(name string) bool {
	switch strings.ToUpper(name) {
	case "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE":
		return true
	}
	return false
}

// sendPubSub runs a command of a subscribed connection on a go-redis
// PubSub, whose messages receivePubSub turns back into the arrays that
// redigo's PubSubConn reads.
func (c *Conn) sendPubSub(ctx context.Context, name string, args []interface{}) error {
	upper := strings.ToUpper(name)
	if c.ps != nil && c.subCount == 0 && !isPubSubCommand(upper) {
		// Every subscription ended: the connection is a normal one again.
		c.closePubSub()
		c.queue(newCommand(name, args))
		return nil
	}
	if c.ps == nil {
		if err := c.flush(ctx); err != nil {
			return err
		}
		c.ps = c.client.Subscribe(ctx)
	}
	strs := make([]string, len(args))
	for i, a := range args {
		strs[i] = argString(encodeArg(a, true))
	}
	var err error
	switch upper {
	case "SUBSCRIBE":
		err = c.ps.Subscribe(ctx, strs...)
	case "PSUBSCRIBE":
		err = c.ps.PSubscribe(ctx, strs...)
	case "SSUBSCRIBE":
		err = c.ps.SSubscribe(ctx, strs...)
	case "UNSUBSCRIBE":
		err = c.ps.Unsubscribe(ctx, strs...)
	case "PUNSUBSCRIBE":
		err = c.ps.PUnsubscribe(ctx, strs...)
	case "SUNSUBSCRIBE":
		err = c.ps.SUnsubscribe(ctx, strs...)
	case "PING":
		err = c.ps.Ping(ctx, strs...)
	case "ECHO":
		// A redis.Pool ends a subscription with UNSUBSCRIBE, PUNSUBSCRIBE
		// and ECHO of a marker, then reads up to the marker.
		c.closePubSub()
		c.queue(newCommand(name, args))
	default:
		c.replies = append(c.replies, redis.Error(fmt.Sprintf("ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context", strings.ToLower(name))))
	}
	if err != nil {
		return c.fatal(err)
	}
	return nil
}

func isPubSubCommand(upper string) bool {
	switch upper {
	case "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE", "PING":
		return true
	}
	return false
}

func (c *Conn) closePubSub() {
	_ = c.ps.Close()
	c.ps, c.subCount = nil, 0
}

func argString(v interface{}) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v.(string)
}

// receivePubSub returns the next message as redigo reads it off the wire.
// An error (a timeout too) makes the connection unusable, as in redigo.
func (c *Conn) receivePubSub(ctx context.Context) (interface{}, error) {
	msg, err := c.ps.Receive(ctx)
	if err != nil {
		return nil, c.fatal(err)
	}
	switch m := msg.(type) {
	case *goredis.Subscription:
		c.subCount = m.Count
		return []interface{}{[]byte(m.Kind), []byte(m.Channel), int64(m.Count)}, nil
	case *goredis.Message:
		if m.Pattern != "" {
			return []interface{}{[]byte("pmessage"), []byte(m.Pattern), []byte(m.Channel), []byte(m.Payload)}, nil
		}
		return []interface{}{[]byte("message"), []byte(m.Channel), []byte(m.Payload)}, nil
	case *goredis.Pong:
		return []interface{}{[]byte("pong"), []byte(m.Payload)}, nil
	}
	return nil, c.fatal(fmt.Errorf("rediscompat: unexpected pub/sub message %T", msg))
}
