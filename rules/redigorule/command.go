package redigorule

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"

	"github.com/migrate-tool/migrate/rules"
)

// cmdType is the type of command a typed go-redis method returns.
type cmdType int

const (
	cmdString cmdType = iota + 1
	cmdStatus
	cmdInt
	cmdBool
	cmdFloat
	cmdStringSlice
	cmdMapStringString
)

// form is a typed go-redis method for a command of a fixed shape
// (research §2.2): params has one letter per argument after the command
// name (k a string key or member, v a value go-redis encodes, i an int64,
// f a float64, s seconds as a time.Duration), rest the kind of the
// arguments after those (k or v, at least one; p value pairs).
type form struct {
	method string
	params string
	rest   byte
	result cmdType
}

// forms are the typed methods, by command name. SET, SETEX, BLPOP, BRPOP
// and ZADD change their arguments' order or shape: see typedCall.
var forms = map[string]form{
	"GET": {"Get", "k", 0, cmdString}, "GETSET": {"GetSet", "kv", 0, cmdString}, "GETDEL": {"GetDel", "k", 0, cmdString},
	"INCR": {"Incr", "k", 0, cmdInt}, "DECR": {"Decr", "k", 0, cmdInt},
	"INCRBY": {"IncrBy", "ki", 0, cmdInt}, "DECRBY": {"DecrBy", "ki", 0, cmdInt}, "INCRBYFLOAT": {"IncrByFloat", "kf", 0, cmdFloat},
	"APPEND": {"Append", "kk", 0, cmdInt},
	"DEL":    {"Del", "", 'k', cmdInt}, "UNLINK": {"Unlink", "", 'k', cmdInt}, "EXISTS": {"Exists", "", 'k', cmdInt},
	"EXPIRE": {"Expire", "ks", 0, cmdBool}, "PERSIST": {"Persist", "k", 0, cmdBool},
	"KEYS": {"Keys", "k", 0, cmdStringSlice}, "PING": {"Ping", "", 0, cmdStatus},
	"HGET": {"HGet", "kk", 0, cmdString}, "HSET": {"HSet", "k", 'p', cmdInt}, "HMSET": {"HMSet", "k", 'p', cmdBool},
	"HSETNX": {"HSetNX", "kkv", 0, cmdBool}, "HGETALL": {"HGetAll", "k", 0, cmdMapStringString},
	"HDEL": {"HDel", "k", 'k', cmdInt}, "HEXISTS": {"HExists", "kk", 0, cmdBool}, "HLEN": {"HLen", "k", 0, cmdInt},
	"HINCRBY": {"HIncrBy", "kki", 0, cmdInt}, "HKEYS": {"HKeys", "k", 0, cmdStringSlice}, "HVALS": {"HVals", "k", 0, cmdStringSlice},
	"LPUSH": {"LPush", "k", 'v', cmdInt}, "RPUSH": {"RPush", "k", 'v', cmdInt},
	"LPOP": {"LPop", "k", 0, cmdString}, "RPOP": {"RPop", "k", 0, cmdString},
	"LRANGE": {"LRange", "kii", 0, cmdStringSlice}, "LLEN": {"LLen", "k", 0, cmdInt},
	"LREM": {"LRem", "kiv", 0, cmdInt}, "LTRIM": {"LTrim", "kii", 0, cmdStatus}, "LINDEX": {"LIndex", "ki", 0, cmdString},
	"SADD": {"SAdd", "k", 'v', cmdInt}, "SREM": {"SRem", "k", 'v', cmdInt}, "SMEMBERS": {"SMembers", "k", 0, cmdStringSlice},
	"SISMEMBER": {"SIsMember", "kv", 0, cmdBool}, "SCARD": {"SCard", "k", 0, cmdInt},
	"ZINCRBY": {"ZIncrBy", "kfk", 0, cmdFloat}, "ZSCORE": {"ZScore", "kk", 0, cmdFloat},
	"ZRANK": {"ZRank", "kk", 0, cmdInt}, "ZREVRANK": {"ZRevRank", "kk", 0, cmdInt},
	"ZRANGE": {"ZRange", "kii", 0, cmdStringSlice}, "ZREVRANGE": {"ZRevRange", "kii", 0, cmdStringSlice},
	"ZREM": {"ZRem", "k", 'v', cmdInt}, "ZCARD": {"ZCard", "k", 0, cmdInt}, "ZCOUNT": {"ZCount", "kkk", 0, cmdInt},
	"PUBLISH": {"Publish", "kv", 0, cmdInt},
}

// typedAccessors is, for each reply helper, the accessor of each typed
// command that gives what the helper gave.
var typedAccessors = map[string]map[cmdType]string{
	"String":    {cmdString: "Result", cmdStatus: "Result"},
	"Bytes":     {cmdString: "Bytes"},
	"Int":       {cmdString: "Int"},
	"Int64":     {cmdInt: "Result", cmdString: "Int64"},
	"Uint64":    {cmdInt: "Uint64", cmdString: "Uint64"},
	"Float64":   {cmdFloat: "Result", cmdString: "Float64"},
	"Bool":      {cmdBool: "Result", cmdString: "Bool"},
	"Strings":   {cmdStringSlice: "Result"},
	"StringMap": {cmdMapStringString: "Result"},
}

// cmdAccessors is, for each reply helper, the accessor of the *redis.Cmd
// that rdb.Do returns that gives what the helper gave, with what differs
// (research §3.2).
var cmdAccessors = map[string]struct{ accessor, note string }{
	"String":   {"Text", ""},
	"Int":      {"Int", ""},
	"Int64":    {"Int64", ""},
	"Uint64":   {"Uint64", ""},
	"Bool":     {"Bool", ""},
	"Float64":  {"Float64", "a double reply (ZSCORE, ZINCRBY, INCRBYFLOAT) is a float64 over RESP3, which Cmd.Float64 rejects: use the typed command, or Protocol: 2"},
	"Values":   {"Slice", "the elements are string where redigo gave []byte, and over RESP3 an HGETALL reply is a map and WITHSCORES gives [member score] pairs, which Slice rejects or nests: use the typed command"},
	"Strings":  {"StringSlice", "a nil element (a missing key of MGET or HMGET) is an error in go-redis where redigo gave \"\", and WITHSCORES gives nested pairs over RESP3: use the typed command"},
	"Int64s":   {"Int64Slice", "a nil element is an error in go-redis where redigo gave 0"},
	"Float64s": {"Float64Slice", "over RESP3 the elements are float64, which Float64Slice rejects: use the typed command (ZMScore)"},
	"Uint64s":  {"Uint64Slice", ""},
}

// oneConnection are the commands whose effect is the connection's state:
// on a client, each command may run on another connection.
var oneConnection = map[string]bool{
	"MULTI": true, "EXEC": true, "DISCARD": true, "WATCH": true, "UNWATCH": true, "SELECT": true, "AUTH": true,
	"CLIENT": true, "SUBSCRIBE": true, "PSUBSCRIBE": true, "UNSUBSCRIBE": true, "PUNSUBSCRIBE": true,
	"MONITOR": true, "QUIT": true, "RESET": true, "HELLO": true, "READONLY": true, "READWRITE": true,
}

// blocking are commands that wait on the server: through rdb.Do, go-redis
// cuts them at ReadTimeout and retries them (research §0.6).
var blocking = map[string]bool{
	"BLPOP": true, "BRPOP": true, "BRPOPLPUSH": true, "BLMOVE": true, "BLMPOP": true, "BZPOPMIN": true,
	"BZPOPMAX": true, "BZMPOP": true, "XREAD": true, "XREADGROUP": true, "WAIT": true,
}

// command is a command sent on a connection: its name and arguments as
// written.
type command struct {
	name   string     // the constant name, upper case, or ""
	args   []ast.Expr // the name and the arguments
	spread bool       // the last argument is spread (args...)
}

// plan is how a command is sent through go-redis: the method of the
// client (Do or a typed one), the arguments after ctx as built from the
// decorated ones (the name first), the accessor of the result ("" for
// none), and what a person should check.
type plan struct {
	method   string
	args     func(p *planCtx, a []dst.Expr) []dst.Expr
	spread   bool
	accessor string
	notes    []string
	result   cmdType // of a typed method
}

// planCtx is what building the arguments needs: the qualifier of go-redis
// in the file (for redis.Z).
type planCtx struct {
	goredis func() dst.Expr
}

// planCommand returns how to send cmd, whose reply the helper converts
// (helper "": the reply is used raw, or not at all when discarded).
// ok is false when the helper has no go-redis accessor: the command is
// then sent with Do and its raw Result, and the helper is left.
func planCommand(p *rules.Pass, cmd command, helper string, discarded bool) (pl plan, helperKept bool) {
	var notes []string
	convs := make([]conv, len(cmd.args))
	convs[0] = keep
	for i, a := range cmd.args[1:] {
		if cmd.spread && i == len(cmd.args)-2 {
			convs[i+1] = keep // the []interface{} spread
			continue
		}
		c, note := valueArg(p, a)
		convs[i+1] = c
		if note != "" {
			notes = append(notes, note)
		}
	}
	if cmd.name != "" && !cmd.spread && len(notes) == 0 {
		if t, ok := typedCall(p, cmd); ok {
			acc, ok := typedAccessors[helper][t.result]
			if helper == "" {
				ok, acc = discarded, "Result"
			}
			if ok {
				t.accessor = acc
				return t, false
			}
		}
	}
	pl = plan{method: "Do", spread: cmd.spread, notes: notes}
	pl.args = func(_ *planCtx, a []dst.Expr) []dst.Expr {
		out := make([]dst.Expr, len(a))
		for i := range a {
			out[i] = convs[i](a[i])
		}
		if cmd.spread {
			// rdb.Do(ctx, append([]interface{}{name, ...}, args...)...)
			last := len(out) - 1
			head := &dst.CompositeLit{Type: &dst.ArrayType{Elt: &dst.InterfaceType{Methods: &dst.FieldList{Opening: true, Closing: true}}}, Elts: out[:last]}
			return []dst.Expr{&dst.CallExpr{Fun: dst.NewIdent("append"), Args: []dst.Expr{head, out[last]}, Ellipsis: true}}
		}
		return out
	}
	if blocking[cmd.name] {
		pl.notes = append(pl.notes, cmd.name+" through rdb.Do is cut at the client's ReadTimeout (3 s by default) and retried (MaxRetries 3): "+
			"use the typed method, which waits for its own timeout, or set ReadTimeout and MaxRetries: -1")
	}
	if hasWord(p, cmd, "WITHSCORES") {
		pl.notes = append(pl.notes, "WITHSCORES over RESP3 gives [member score] pairs, not a flat list: use ZRangeWithScores (a []redis.Z) and change the parsing, or Protocol: 2")
	}
	acc, notes, kept := cmdAccessor(helper, discarded, cmd.name)
	pl.accessor, pl.notes = acc, append(pl.notes, notes...)
	if note := resp3Note(cmd.name, helper, acc, discarded); note != "" {
		pl.notes = append(pl.notes, note)
	}
	return pl, kept
}

// mapReplies are the commands whose reply is a map over RESP3, which
// go-redis speaks by default.
var mapReplies = map[string]string{"HGETALL": "HGetAll(ctx, k).Result() (a map[string]string)", "HRANDFIELD": "HRandFieldWithValues(ctx, k, n)"}

// typedDoubles name the typed method that reads each double reply.
var typedDoubles = map[string]string{
	"ZSCORE": "ZScore(ctx, k, m)", "ZINCRBY": "ZIncrBy(ctx, k, inc, m)", "INCRBYFLOAT": "IncrByFloat(ctx, k, f)",
	"HINCRBYFLOAT": "HIncrByFloat(ctx, k, f, inc)", "GEODIST": "GeoDist(ctx, k, m1, m2, unit)", "ZMSCORE": "ZMScore(ctx, k, m...)",
}

// resp3Note says how the reply of the command name, sent with rdb.Do and
// read by accessor where redigo's helper read it, changes shape over
// RESP3 (research §0.1, §3.1): a double is a float64, which only
// Float64's typed form reads (its note is the helper's own), and HGETALL
// a map, which no Cmd accessor but the raw Result reads.
func resp3Note(name, helper, accessor string, discarded bool) string {
	if discarded && helper == "" {
		return ""
	}
	read := "Cmd." + accessor
	if helper == "" {
		read = "code written for redigo's flat replies"
	}
	if typed, ok := typedDoubles[name]; ok && helper != "Float64" {
		return fmt.Sprintf("%s replies with a double, a float64 over RESP3 (go-redis's default), which %s rejects at run time: "+
			"use rdb.%s.Result() (a float64) and convert it as the helper did, or set Protocol: 2", name, read, typed)
	}
	if typed, ok := mapReplies[name]; ok && helper != "Values" {
		return fmt.Sprintf("%s replies with a map over RESP3 (go-redis's default), which %s rejects or reads differently at run time: "+
			"use rdb.%s, or set Protocol: 2", name, read, typed)
	}
	return ""
}

// cmdAccessor returns the accessor of the *redis.Cmd of rdb.Do or
// Script.Run that keeps the meaning of helper (the raw reply's Result
// when there is none), and what differs; kept tells that the helper has
// none, and stays (with the raw Result inside it).
func cmdAccessor(helper string, discarded bool, name string) (accessor string, notes []string, kept bool) {
	switch a := cmdAccessors[helper]; {
	case helper == "":
		if !discarded {
			notes = append(notes, "the raw reply is go-redis's: bulk strings are string, not []byte, and a nil reply is now err == redis.Nil, not reply == nil: check the code that reads it")
		}
		return "Result", notes, false
	case a.accessor != "":
		if a.note != "" && (helper != "Float64" || name == "" || doubles[name]) {
			notes = append(notes, a.note)
		}
		return a.accessor, notes, false
	}
	return "Result", nil, true
}

// doubles are the commands whose reply is a double over RESP3.
var doubles = map[string]bool{"ZSCORE": true, "ZINCRBY": true, "INCRBYFLOAT": true, "HINCRBYFLOAT": true, "GEODIST": true, "ZMSCORE": true}

// hasWord reports whether a constant argument of cmd is word.
func hasWord(p *rules.Pass, cmd command, word string) bool {
	for _, a := range cmd.args[1:] {
		if strings.EqualFold(constString(p, a), word) {
			return true
		}
	}
	return false
}

// typedCall returns the typed method for cmd when its arguments have the
// exact shape of one.
func typedCall(p *rules.Pass, cmd command) (plan, bool) {
	args := cmd.args[1:]
	switch cmd.name {
	case "SET":
		return typedSet(p, args)
	case "SETEX":
		return typedPlan(p, "SetEx", cmdStatus, args, "ksv", []int{0, 2, 1})
	case "BLPOP", "BRPOP":
		if len(args) < 2 {
			return plan{}, false
		}
		order := []int{len(args) - 1}
		params := ""
		for i := range args[:len(args)-1] {
			order = append(order, i)
			params += "k"
		}
		return typedPlan(p, map[string]string{"BLPOP": "BLPop", "BRPOP": "BRPop"}[cmd.name], cmdStringSlice, args, params+"s", order)
	case "ZADD":
		return typedZAdd(p, args)
	}
	f, ok := forms[cmd.name]
	if !ok || len(args) < len(f.params) || (f.rest == 0) != (len(args) == len(f.params)) {
		return plan{}, false
	}
	params := f.params
	if n := len(args) - len(f.params); f.rest == 'p' {
		if n%2 != 0 {
			return plan{}, false
		}
		params += strings.Repeat("v", n)
	} else if f.rest != 0 {
		params += strings.Repeat(string(f.rest), n)
	}
	return typedPlan(p, f.method, f.result, args, params, nil)
}

// typedSet maps SET k v, SET k v EX n and SET k v PX n to Set.
func typedSet(p *rules.Pass, args []ast.Expr) (plan, bool) {
	switch {
	case len(args) == 2:
		pl, ok := typedPlan(p, "Set", cmdStatus, args, "kv", nil)
		if ok {
			inner := pl.args
			pl.args = func(c *planCtx, a []dst.Expr) []dst.Expr {
				return append(inner(c, a), &dst.BasicLit{Kind: token.INT, Value: "0"})
			}
		}
		return pl, ok
	case len(args) == 4:
		unit := map[string]byte{"EX": 's', "PX": 'm'}[strings.ToUpper(constString(p, args[2]))]
		if unit == 0 {
			return plan{}, false
		}
		return typedPlan(p, "Set", cmdStatus, args, "kv-"+string(unit), []int{0, 1, 3})
	}
	return plan{}, false
}

// typedZAdd maps ZADD k s m [s m...] to ZAdd(ctx, k, redis.Z{Score: s, Member: m}, ...).
func typedZAdd(p *rules.Pass, args []ast.Expr) (plan, bool) {
	if len(args) < 3 || (len(args)-1)%2 != 0 {
		return plan{}, false
	}
	params := "k" + strings.Repeat("fv", (len(args)-1)/2)
	pl, ok := typedPlan(p, "ZAdd", cmdInt, args, params, nil)
	if !ok {
		return pl, false
	}
	inner := pl.args
	pl.args = func(c *planCtx, a []dst.Expr) []dst.Expr {
		in := inner(c, a)
		out := []dst.Expr{in[0]}
		for i := 1; i+1 < len(in); i += 2 {
			score, member := in[i], in[i+1]
			score.Decorations().Before, member.Decorations().Before = dst.None, dst.None
			out = append(out, &dst.CompositeLit{
				Type: &dst.SelectorExpr{X: c.goredis(), Sel: dst.NewIdent("Z")},
				Elts: []dst.Expr{
					&dst.KeyValueExpr{Key: dst.NewIdent("Score"), Value: score},
					&dst.KeyValueExpr{Key: dst.NewIdent("Member"), Value: member},
				},
			})
		}
		return out
	}
	return pl, true
}

// typedPlan checks args (the arguments after the command name) against
// params, one letter each ('-' skips an argument), and returns the plan
// of the typed method, whose arguments are args in order (the indexes of
// args; nil: as they come).
func typedPlan(p *rules.Pass, method string, result cmdType, args []ast.Expr, params string, order []int) (plan, bool) {
	if len(params) != len(args) {
		return plan{}, false
	}
	convs := make([]conv, len(args))
	for i, a := range args {
		var c conv
		ok := true
		switch params[i] {
		case 'k':
			c, ok = asString(p, a)
		case 'v':
			c, _ = valueArg(p, a)
		case 'i':
			c, ok = asNumber(p, a, types.Int64)
		case 'f':
			c, ok = asNumber(p, a, types.Float64)
		case 's':
			c, ok = asDuration(p, a, "Second", a.Pos())
		case 'm':
			c, ok = asDuration(p, a, "Millisecond", a.Pos())
		case '-':
			c = keep
		}
		if !ok {
			return plan{}, false
		}
		convs[i] = c
	}
	if order == nil {
		for i := range args {
			if params[i] != '-' {
				order = append(order, i)
			}
		}
	}
	return plan{method: method, result: result, args: func(_ *planCtx, a []dst.Expr) []dst.Expr {
		var out []dst.Expr
		for _, i := range order {
			out = append(out, convs[i](a[i+1])) // a[0] is the command name
		}
		return out
	}}, true
}

// commandName returns the upper-case constant name of a command, or "".
func commandName(p *rules.Pass, e ast.Expr) string {
	tv, ok := p.Info().Types[e]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
		return ""
	}
	return strings.ToUpper(constant.StringVal(tv.Value))
}
