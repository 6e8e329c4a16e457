package rediscompat

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gomodule/redigo/redis"
	goredis "github.com/redis/go-redis/v9"
)

// EnvVar is the environment variable that picks the backend of the pools:
// unset or "go-redis" selects go-redis, "redigo" the original dial.
const EnvVar = "REDIS_CLIENT"

var (
	enabledOnce sync.Once
	enabled     bool
)

// Enabled reports whether the pools hand out go-redis backed connections:
// true unless EnvVar says "redigo". It reads EnvVar once.
func Enabled() bool {
	enabledOnce.Do(func() {
		enabled = !strings.EqualFold(strings.TrimSpace(os.Getenv(EnvVar)), "redigo")
	})
	return enabled
}

// Options are the settings of redigo's redis.Dial (and DialURL) that the
// go-redis client takes over. A zero timeout keeps redigo's default: 30s
// to connect, no read or write timeout.
type Options struct {
	Network, Addr string
	// URL, when set, is parsed as redis.DialURL does (redis://, rediss://,
	// valkey://, valkeys://); the fields set besides it win.
	URL                                       string
	Username, Password                        string
	DB                                        int
	ClientName                                string
	ConnectTimeout, ReadTimeout, WriteTimeout time.Duration
	UseTLS, TLSSkipVerify                     bool
	TLSConfig                                 *tls.Config
}

// Dial returns the function a redis.Pool dials with: dial itself when
// EnvVar says "redigo", else one that hands out a Conn on the shared
// go-redis client that opts describe.
func Dial(opts Options, dial func() (redis.Conn, error)) func() (redis.Conn, error) {
	if !Enabled() {
		return dial
	}
	return func() (redis.Conn, error) { return NewConn(opts) }
}

// DialContext is Dial for a redis.Pool's DialContext.
func DialContext(opts Options, dial func(context.Context) (redis.Conn, error)) func(context.Context) (redis.Conn, error) {
	if !Enabled() {
		return dial
	}
	return func(context.Context) (redis.Conn, error) { return NewConn(opts) }
}

// NewConn returns a Conn on the go-redis client shared by every Conn with
// the same opts.
func NewConn(opts Options) (redis.Conn, error) {
	c, err := clientFor(opts)
	if err != nil {
		return nil, err
	}
	return &Conn{client: c, db: c.Options().DB, name: c.Options().ClientName}, nil
}

var (
	clientsMu sync.Mutex
	clients   = map[Options]*goredis.Client{}
)

func clientFor(opts Options) (*goredis.Client, error) {
	clientsMu.Lock()
	defer clientsMu.Unlock()
	if c := clients[opts]; c != nil {
		return c, nil
	}
	o, err := clientOptions(opts)
	if err != nil {
		return nil, err
	}
	c := goredis.NewClient(o)
	clients[opts] = c
	return c, nil
}

// clientOptions makes the go-redis options that behave as redigo's dial:
// RESP2, no retries, redigo's timeouts.
func clientOptions(opts Options) (*goredis.Options, error) {
	if opts.URL != "" {
		if err := fromURL(&opts); err != nil {
			return nil, err
		}
	}
	o := &goredis.Options{
		Network:               opts.Network,
		Addr:                  opts.Addr,
		DB:                    opts.DB,
		ClientName:            opts.ClientName,
		Protocol:              2,
		MaxRetries:            -1,
		ContextTimeoutEnabled: true,
		DisableIdentity:       true,
		DialTimeout:           orDefault(opts.ConnectTimeout, 30*time.Second),
		ReadTimeout:           orDefault(opts.ReadTimeout, -1),
		WriteTimeout:          orDefault(opts.WriteTimeout, -1),
		// redigo dials once.
		DialerRetries:      1,
		DialerRetryTimeout: time.Nanosecond,
	}
	if opts.Password != "" {
		o.Username, o.Password = opts.Username, opts.Password
	}
	if opts.UseTLS {
		tc := &tls.Config{InsecureSkipVerify: opts.TLSSkipVerify}
		if opts.TLSConfig != nil {
			tc = opts.TLSConfig.Clone()
		}
		if tc.ServerName == "" {
			host, _, err := net.SplitHostPort(opts.Addr)
			if err != nil {
				host = opts.Addr
			}
			tc.ServerName = host
		}
		o.TLSConfig = tc
	}
	return o, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

var pathDB = regexp.MustCompile(`/(\d*)\z`)

// fromURL fills opts from opts.URL the way redis.DialURL reads it: the
// URL's address, credentials, database and scheme win over the options.
func fromURL(opts *Options) error {
	u, err := url.Parse(opts.URL)
	if err != nil {
		return err
	}
	switch u.Scheme {
	case "redis", "rediss", "valkey", "valkeys":
	default:
		return fmt.Errorf("invalid redis URL scheme: %s", u.Scheme)
	}
	if u.Opaque != "" {
		return fmt.Errorf("invalid redis URL, url is opaque: %s", opts.URL)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		host, port = u.Host, "6379"
	}
	if host == "" {
		host = "localhost"
	}
	opts.Network, opts.Addr = "tcp", net.JoinHostPort(host, port)
	if u.User != nil {
		password, isSet := u.User.Password()
		switch user := u.User.Username(); {
		case isSet && user != "":
			opts.Username, opts.Password = user, password
		case isSet:
			opts.Password = password
		case user != "":
			opts.Password = user
		}
	}
	if m := pathDB.FindStringSubmatch(u.Path); len(m) == 2 {
		if m[1] != "" {
			db, err := strconv.Atoi(m[1])
			if err != nil {
				return fmt.Errorf("invalid database: %s", u.Path[1:])
			}
			if db != 0 {
				opts.DB = db
			}
		}
	} else if u.Path != "" {
		return fmt.Errorf("invalid database: %s", u.Path[1:])
	}
	opts.UseTLS = u.Scheme == "rediss" || u.Scheme == "valkeys"
	return nil
}
