package rediscompat

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gomodule/redigo/redis"
	goredis "github.com/redis/go-redis/v9"
)

var (
	errClosed  = errors.New("redigo: closed")
	errNoReply = errors.New("rediscompat: Receive with no command pending: go-redis cannot read a reply nobody asked for (MONITOR, CLIENT REPLY)")
)

// stickyCommands change the state of the connection in a way that Conn
// cannot undo before the connection goes back to the go-redis pool.
var stickyCommands = map[string]bool{"AUTH": true, "HELLO": true, "READONLY": true, "READWRITE": true, "RESET": true, "MONITOR": true}

// Conn is redigo's redis.Conn on a shared go-redis client. It takes a
// connection of the client's pool for one batch of commands, and keeps one
// while a transaction, a WATCH or connection state (SELECT, CLIENT
// SETNAME) needs it, until Do("") (which a redis.Pool calls when the
// connection goes back to it) or Close. It is not safe for concurrent use,
// as redigo's connections are not.
type Conn struct {
	client   *goredis.Client
	db       int    // the client's database, which SELECT changes
	name     string // the client's name, which CLIENT SETNAME changes
	pinned   *goredis.Conn
	selected bool // SELECT ran on pinned
	named    bool // CLIENT SETNAME ran on pinned
	sticky   bool // a command of stickyCommands ran on pinned
	multi    bool
	watching bool
	txn      []command     // the commands queued in MULTI
	pending  []command     // sent, not yet flushed
	replies  []interface{} // flushed, not yet received
	ps       *goredis.PubSub
	subCount int // subscriptions left, after the last (un)subscribe reply
	err      error
}

var _ redis.Conn = (*Conn)(nil)

// Do sends a command and returns its reply, after the replies of the
// commands sent before it: the last reply, and the first error reply.
// Do("") flushes and returns every pending reply.
func (c *Conn) Do(name string, args ...interface{}) (interface{}, error) {
	return c.DoContext(context.Background(), name, args...)
}

// DoWithTimeout is Do with a read timeout (0: none), which cannot exceed
// the client's ReadTimeout (DialReadTimeout).
func (c *Conn) DoWithTimeout(timeout time.Duration, name string, args ...interface{}) (interface{}, error) {
	ctx, cancel := withTimeout(timeout)
	defer cancel()
	return c.DoContext(ctx, name, args...)
}

// DoContext is Do with a context: when ctx ends, the connection is dead,
// as redigo's is.
func (c *Conn) DoContext(ctx context.Context, name string, args ...interface{}) (interface{}, error) {
	if c.err != nil {
		return nil, c.err
	}
	if c.ps != nil || isSubscribe(name) {
		if err := c.sendPubSub(ctx, name, args); err != nil {
			return nil, err
		}
		return c.ReceiveContext(ctx)
	}
	if name == "" && len(c.pending) == 0 && len(c.replies) == 0 {
		c.release()
		return nil, nil
	}
	if name != "" {
		c.queue(newCommand(name, args))
	}
	if err := c.flush(ctx); err != nil {
		return nil, err
	}
	replies := c.replies
	c.replies = nil
	if name == "" {
		c.release()
		return replies, nil
	}
	var err error
	var reply interface{}
	for _, reply = range replies {
		if e, ok := reply.(redis.Error); ok && err == nil {
			err = e
		}
	}
	return reply, err
}

// Send queues a command; Flush or Do sends it.
func (c *Conn) Send(name string, args ...interface{}) error {
	if c.err != nil {
		return c.err
	}
	if c.ps != nil || isSubscribe(name) {
		return c.sendPubSub(context.Background(), name, args)
	}
	c.queue(newCommand(name, args))
	return nil
}

// Flush sends the queued commands in one pipeline and keeps their replies
// for Receive.
func (c *Conn) Flush() error {
	if c.err != nil {
		return c.err
	}
	if c.ps != nil {
		return nil
	}
	return c.flush(context.Background())
}

// Receive returns the next reply (flushing the queued commands if the
// caller did not), or the next pub/sub message.
func (c *Conn) Receive() (interface{}, error) {
	return c.ReceiveContext(context.Background())
}

// ReceiveWithTimeout is Receive with a read timeout (0: none).
func (c *Conn) ReceiveWithTimeout(timeout time.Duration) (interface{}, error) {
	ctx, cancel := withTimeout(timeout)
	defer cancel()
	return c.ReceiveContext(ctx)
}

// ReceiveContext is Receive with a context.
func (c *Conn) ReceiveContext(ctx context.Context) (interface{}, error) {
	if c.err != nil {
		return nil, c.err
	}
	if c.ps != nil && len(c.replies) == 0 {
		return c.receivePubSub(ctx)
	}
	if len(c.replies) == 0 {
		if err := c.flush(ctx); err != nil {
			return nil, err
		}
	}
	if len(c.replies) == 0 {
		return nil, errNoReply
	}
	reply := c.replies[0]
	c.replies = c.replies[1:]
	if err, ok := reply.(redis.Error); ok {
		return nil, err
	}
	return reply, nil
}

// Err returns the error that made the connection unusable, if any.
func (c *Conn) Err() error { return c.err }

// Close ends a subscription, undoes the state of the go-redis connection
// it holds (DISCARD, UNWATCH, SELECT and CLIENT SETNAME back) and gives it
// back to the client's pool.
func (c *Conn) Close() error {
	if c.err == errClosed {
		return c.err
	}
	var err error
	if c.ps != nil {
		err = c.ps.Close()
		c.ps = nil
	}
	c.pending, c.replies = nil, nil
	c.release()
	if c.pinned != nil {
		c.undo()
	}
	c.err = errClosed
	return err
}

func withTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.Background(), func() {}
	}
	return context.WithTimeout(context.Background(), d)
}

func (c *Conn) fatal(err error) error {
	if c.err == nil {
		c.err = err
	}
	return c.err
}

// queue adds a command to the pending ones, following the state it
// changes as redigo's pool does.
func (c *Conn) queue(cmd command) {
	name := cmd.upper()
	switch {
	case name == "EXEC":
		cmd.exec = append([]command{}, c.txn...)
		c.multi, c.watching, c.txn = false, false, nil
	case name == "DISCARD":
		c.multi, c.watching, c.txn = false, false, nil
	case c.multi && name != "MULTI" && name != "WATCH":
		c.txn = append(c.txn, cmd)
		cmd.queued = true
	case name == "MULTI":
		c.multi = true
		c.pin()
	case name == "WATCH":
		c.watching = true
		c.pin()
	case name == "UNWATCH":
		c.watching = false
	case name == "SELECT":
		c.selected = true
		c.pin()
	case name == "CLIENT" && len(cmd.args) > 0:
		switch sub, _ := cmd.args[0].(string); strings.ToUpper(sub) {
		case "SETNAME":
			c.named = true
			c.pin()
		case "REPLY", "TRACKING", "CACHING", "NO-EVICT", "NO-TOUCH":
			c.sticky = true
			c.pin()
		}
	case stickyCommands[name]:
		c.sticky = true
		c.pin()
	}
	c.pending = append(c.pending, cmd)
}

func (c *Conn) pin() {
	if c.pinned == nil {
		c.pinned = c.client.Conn()
	}
}

// release gives the pinned connection back to the client's pool when no
// state ties the Conn to it.
func (c *Conn) release() {
	if c.pinned == nil || c.multi || c.watching || c.selected || c.named || c.sticky {
		return
	}
	c.pinned.Close()
	c.pinned = nil
}

// undo restores what can be restored of the pinned connection's state,
// then gives it back.
func (c *Conn) undo() {
	ctx := context.Background()
	var cmds []command
	switch {
	case c.multi:
		cmds = append(cmds, newCommand("DISCARD", nil))
	case c.watching:
		cmds = append(cmds, newCommand("UNWATCH", nil))
	}
	if c.selected {
		cmds = append(cmds, newCommand("SELECT", []interface{}{c.db}))
	}
	if c.named {
		cmds = append(cmds, newCommand("CLIENT", []interface{}{"SETNAME", c.name}))
	}
	if len(cmds) > 0 {
		p := c.pinned.Pipeline()
		for _, cmd := range cmds {
			_ = p.Process(ctx, goredis.NewCmd(ctx, cmd.argv()...))
		}
		_, _ = p.Exec(ctx)
	}
	c.pinned.Close()
	c.pinned = nil
	c.multi, c.watching, c.selected, c.named, c.sticky = false, false, false, false, false
}

func (c command) argv() []interface{} {
	return append([]interface{}{c.name}, c.args...)
}

// flush runs the pending commands as one pipeline, on the pinned
// connection if there is one, and appends their replies.
func (c *Conn) flush(ctx context.Context) error {
	if len(c.pending) == 0 {
		return nil
	}
	cmds := c.pending
	c.pending = nil
	var p goredis.Pipeliner
	if c.pinned != nil {
		p = c.pinned.Pipeline()
	} else {
		p = c.client.Pipeline()
	}
	grc := make([]*goredis.Cmd, len(cmds))
	for i, cmd := range cmds {
		grc[i] = goredis.NewCmd(ctx, cmd.argv()...)
		_ = p.Process(ctx, grc[i])
	}
	_, _ = p.Exec(ctx) // each command holds its own result
	for i, cmd := range cmds {
		reply, err := result(cmd, grc[i])
		if err != nil {
			return c.fatal(err)
		}
		c.replies = append(c.replies, reply)
	}
	return nil
}
