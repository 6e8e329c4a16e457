package rediscompat

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/gomodule/redigo/redis"
	goredis "github.com/redis/go-redis/v9"
)

// statusCommands are the commands whose RESP2 reply is a simple string:
// redigo returns it as a string ("OK"), go-redis does not tell it from a
// bulk string, which redigo returns as []byte.
var statusCommands = map[string]bool{
	"SET": true, "SETEX": true, "PSETEX": true, "MSET": true, "HMSET": true,
	"RENAME": true, "LTRIM": true, "LSET": true, "SELECT": true, "AUTH": true,
	"FLUSHDB": true, "FLUSHALL": true, "MULTI": true, "DISCARD": true,
	"WATCH": true, "UNWATCH": true, "TYPE": true, "PING": true, "QUIT": true,
	"SAVE": true, "BGSAVE": true, "BGREWRITEAOF": true, "SHUTDOWN": true,
	"SWAPDB": true, "MIGRATE": true, "RESTORE": true, "PFMERGE": true,
	"READONLY": true, "READWRITE": true, "RESET": true, "REPLICAOF": true,
	"SLAVEOF": true, "ASKING": true, "XSETID": true,
}

// statusSubcommands are the subcommands of container commands whose reply
// is a simple string.
var statusSubcommands = map[string]bool{
	"CLIENT SETNAME": true, "CLIENT KILL": true, "CLIENT PAUSE": true,
	"CLIENT UNPAUSE": true, "CLIENT REPLY": true, "CLIENT TRACKING": true,
	"CLIENT NO-EVICT": true, "CLIENT NO-TOUCH": true, "CLIENT SETINFO": true,
	"CLIENT CACHING": true, "CONFIG SET": true, "CONFIG RESETSTAT": true,
	"CONFIG REWRITE": true, "SCRIPT FLUSH": true, "SCRIPT KILL": true,
	"FUNCTION DELETE": true, "FUNCTION FLUSH": true, "FUNCTION KILL": true,
	"FUNCTION RESTORE": true, "XGROUP CREATE": true, "XGROUP SETID": true,
	"SLOWLOG RESET": true, "MEMORY PURGE": true, "ACL SETUSER": true,
	"ACL LOAD": true, "ACL SAVE": true, "MODULE LOAD": true, "MODULE UNLOAD": true,
}

// command is one command as redigo was asked to send it, with its
// arguments encoded by redigo's rules.
type command struct {
	name string
	args []interface{}
	// queued is set for a command sent inside MULTI: its reply is QUEUED.
	queued bool
	// exec holds, for EXEC, the commands of the transaction, which type
	// the elements of its reply.
	exec []command
}

func (c command) upper() string { return strings.ToUpper(c.name) }

// status reports whether the command replies with a simple string.
func (c command) status() bool {
	name := c.upper()
	switch {
	case c.queued:
		return true
	case name == "SET":
		for _, a := range c.args {
			if s, ok := a.(string); ok && strings.EqualFold(s, "GET") {
				return false
			}
		}
		return true
	case name == "PING":
		return len(c.args) == 0
	case statusCommands[name]:
		return true
	case len(c.args) > 0:
		sub, _ := c.args[0].(string)
		return statusSubcommands[name+" "+strings.ToUpper(sub)]
	}
	return false
}

// encodeArg encodes a command argument as redigo writes it: strings and
// byte slices as they are, integers in decimal, floats in 'g' format,
// booleans as 1 and 0, nil as "", a redis.Argument by its RedisArg, and
// anything else by fmt.Print.
func encodeArg(arg interface{}, argumentOK bool) interface{} {
	switch arg := arg.(type) {
	case string, []byte:
		return arg
	case int:
		return strconv.FormatInt(int64(arg), 10)
	case int64:
		return strconv.FormatInt(arg, 10)
	case float64:
		return strconv.FormatFloat(arg, 'g', -1, 64)
	case bool:
		if arg {
			return "1"
		}
		return "0"
	case nil:
		return ""
	case redis.Argument:
		if argumentOK {
			return encodeArg(arg.RedisArg(), false)
		}
		return fmt.Sprint(arg)
	default:
		return fmt.Sprint(arg)
	}
}

func newCommand(name string, args []interface{}) command {
	c := command{name: name, args: make([]interface{}, len(args))}
	for i, a := range args {
		c.args[i] = encodeArg(a, true)
	}
	return c
}

// result turns a go-redis command's outcome into redigo's reply: nil for a
// null reply, a redis.Error for an error reply. Any other error (network,
// timeout, context) is returned as fatal.
func result(c command, cmd *goredis.Cmd) (interface{}, error) {
	v, err := cmd.Result()
	switch {
	case err == goredis.Nil:
		return nil, nil
	case err != nil:
		if isRedisError(err) {
			return redis.Error(err.Error()), nil
		}
		return nil, err
	}
	return convert(c, v), nil
}

func isRedisError(err error) bool {
	_, ok := err.(interface{ RedisError() })
	return ok && err != goredis.Nil
}

// convert makes a go-redis reply value look as redigo's.
func convert(c command, v interface{}) interface{} {
	if c.exec != nil {
		if a, ok := v.([]interface{}); ok && len(a) == len(c.exec) {
			out := make([]interface{}, len(a))
			for i, e := range a {
				out[i] = convert(c.exec[i], e)
			}
			return out
		}
	}
	switch v := v.(type) {
	case string:
		if c.status() {
			return v
		}
		return []byte(v)
	case []interface{}:
		out := make([]interface{}, len(v))
		for i, e := range v {
			out[i] = element(e)
		}
		return out
	}
	return element(v)
}

// element converts a value inside an array, where every string is a bulk
// string. The cases after []interface{} only arise over RESP3.
func element(v interface{}) interface{} {
	switch v := v.(type) {
	case string:
		return []byte(v)
	case []interface{}:
		out := make([]interface{}, len(v))
		for i, e := range v {
			out[i] = element(e)
		}
		return out
	case error:
		if isRedisError(v) {
			return redis.Error(v.Error())
		}
		return v
	case float64:
		return []byte(strconv.FormatFloat(v, 'f', -1, 64))
	case bool:
		if v {
			return int64(1)
		}
		return int64(0)
	case *big.Int:
		return []byte(v.String())
	case map[interface{}]interface{}:
		out := make([]interface{}, 0, 2*len(v))
		for k, e := range v {
			out = append(out, element(k), element(e))
		}
		return out
	}
	return v
}
