package redis

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/redis/rueidis"
)

// Defaults applied by Open to the zero fields of a Config.
const (
	// DefaultPrefix starts every key the limiter writes.
	DefaultPrefix = "headroom:"
	// DefaultProbeInterval is how often a degraded limiter pings Redis, so
	// that Redis coming back is noticed within a second.
	DefaultProbeInterval = 250 * time.Millisecond
	// DefaultOpTimeout bounds one call to Redis; a call that takes longer
	// counts as Redis being unreachable.
	DefaultOpTimeout = 500 * time.Millisecond
	// DefaultFail is the policy while Redis is unreachable.
	DefaultFail = FailLocal
)

// maxProbeInterval keeps the promise that a return of Redis is noticed
// within a second.
const maxProbeInterval = time.Second

// FailPolicy says how a Limiter decides while Redis is unreachable.
type FailPolicy int

const (
	// FailLocal decides with the in-process Fallback limiter, giving each
	// of the N live nodes (Config.Nodes) the share Rate/N and Burst/N of
	// every bucket, the burst rounded down but at least 1: together the
	// nodes grant no more than the bucket would while N is at most the
	// burst, and with more nodes than tokens each still grants one per
	// burst rather than none. A take of more tokens than the node's share
	// is denied with RetryAfter the probe interval. The zero value.
	FailLocal FailPolicy = iota
	// FailOpen allows every take, reporting Remaining Burst − n as a full
	// bucket would.
	FailOpen
	// FailClosed denies every take, with Remaining 0 and RetryAfter the
	// probe interval, by when Redis may be back.
	FailClosed
)

// String returns "local", "open" or "closed".
func (p FailPolicy) String() string {
	switch p {
	case FailLocal:
		return "local"
	case FailOpen:
		return "open"
	case FailClosed:
		return "closed"
	}
	return fmt.Sprintf("FailPolicy(%d)", int(p))
}

// ParseFailPolicy parses "local", "open" or "closed" (any case). Anything
// else is an *headroom.Error of code EINVALID naming the choices.
func ParseFailPolicy(s string) (FailPolicy, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "local":
		return FailLocal, nil
	case "open":
		return FailOpen, nil
	case "closed":
		return FailClosed, nil
	}
	return 0, headroom.FieldErrorf("fail", "unknown policy %q: want local, open or closed", s)
}

// Mode is how a Limiter is deciding now: with Redis, or by its FailPolicy
// while Redis is unreachable.
type Mode int32

const (
	// ModeRedis decides in Redis: one bucket shared by every node.
	ModeRedis Mode = iota
	// ModeLocal decides with the Fallback limiter (FailLocal).
	ModeLocal
	// ModeOpen allows everything (FailOpen).
	ModeOpen
	// ModeClosed denies everything (FailClosed).
	ModeClosed
)

var modeNames = [...]string{ModeRedis: "redis", ModeLocal: "local", ModeOpen: "open", ModeClosed: "closed"}

// String returns "redis", "local", "open" or "closed", the values of the
// metric label mode.
func (m Mode) String() string {
	if m >= 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Degraded reports whether m is not ModeRedis.
func (m Mode) Degraded() bool { return m != ModeRedis }

// degradedMode is the mode a policy puts the limiter in.
func (p FailPolicy) degradedMode() Mode {
	switch p {
	case FailOpen:
		return ModeOpen
	case FailClosed:
		return ModeClosed
	}
	return ModeLocal
}

// Config configures a Limiter. Only Addr is required.
type Config struct {
	// Addr is the Redis server: HOST:PORT, or a URL redis://[user:pass@]host:port[/db]
	// (rediss:// for TLS) as rueidis.ParseURL reads it. A single server, not
	// a cluster: a batch's keys are used by one script call, which a
	// cluster would only allow within one hash slot.
	Addr string
	// Prefix starts every key; DefaultPrefix when empty.
	Prefix string
	// Clock, when nil, lets Redis read the time (TIME, inside the script):
	// every node then decides on one clock, the production mode. When set,
	// each call passes Clock's reading to the script instead; tests use it
	// with a manual clock. It also times the decisions of FailClosed and
	// FailOpen, and of the default Fallback. As Redis cannot tell how Clock
	// relates to its own time, keys written with Clock set live an hour
	// past the moment their bucket is full again.
	Clock headroom.Clock
	// Fail is the policy while Redis is unreachable; FailLocal by default.
	Fail FailPolicy
	// Fallback decides in FailLocal mode. When nil, Open uses
	// memory.NewLimiter on Clock, or on the system clock when Clock is nil.
	Fallback headroom.Limiter
	// Nodes returns how many nodes share the buckets, so that FailLocal
	// can give each node its share. When nil, one. It is called by Open,
	// every second while Redis answers, by the take that finds Redis gone
	// (FailLocal), and at every probe while degraded; an error or a count
	// below one keeps the last good count (one at first), and is logged.
	Nodes func(ctx context.Context) (int, error)
	// ProbeInterval is how often a degraded limiter pings Redis;
	// DefaultProbeInterval when zero, at most one second.
	ProbeInterval time.Duration
	// OpTimeout bounds each call to Redis, dialling included;
	// DefaultOpTimeout when zero.
	OpTimeout time.Duration
	// Logger receives a Warn when the limiter goes degraded and an Info when
	// it is back on Redis; slog.Default() when nil.
	Logger *slog.Logger
}

// Validate reports the first bad field as an *headroom.Error of code
// EINVALID: an empty or unparsable Addr, an unknown Fail, a negative
// ProbeInterval or OpTimeout, or a ProbeInterval above one second.
func (c Config) Validate() error {
	if _, err := c.clientOption(); err != nil {
		return err
	}
	if c.Fail < FailLocal || c.Fail > FailClosed {
		return headroom.FieldErrorf("fail", "unknown policy %d", int(c.Fail))
	}
	if c.ProbeInterval < 0 || c.ProbeInterval > maxProbeInterval {
		return headroom.FieldErrorf("probe_interval", "must be between 0 (the default, %v) and %v, got %v", DefaultProbeInterval, maxProbeInterval, c.ProbeInterval)
	}
	if c.OpTimeout < 0 {
		return headroom.FieldErrorf("op_timeout", "must not be negative, got %v", c.OpTimeout)
	}
	return nil
}

// withDefaults returns c with its zero fields set.
func (c Config) withDefaults() Config {
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	if c.ProbeInterval == 0 {
		c.ProbeInterval = DefaultProbeInterval
	}
	if c.OpTimeout == 0 {
		c.OpTimeout = DefaultOpTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// clientOption turns Addr into rueidis options.
func (c Config) clientOption() (rueidis.ClientOption, error) {
	addr := strings.TrimSpace(c.Addr)
	if addr == "" {
		return rueidis.ClientOption{}, headroom.FieldErrorf("addr", "is required: HOST:PORT or redis://HOST:PORT")
	}
	if strings.Contains(addr, "://") {
		opt, err := rueidis.ParseURL(addr)
		if err != nil {
			return rueidis.ClientOption{}, headroom.FieldErrorf("addr", "bad Redis URL: %v", err)
		}
		return opt, nil
	}
	if !strings.Contains(addr, ":") {
		return rueidis.ClientOption{}, headroom.FieldErrorf("addr", "%q has no port: want HOST:PORT or redis://HOST:PORT", addr)
	}
	return rueidis.ClientOption{InitAddress: []string{addr}}, nil
}
