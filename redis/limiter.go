package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/memory"
	"github.com/redis/rueidis"
)

// Limiter is a headroom.Limiter and headroom.BatchLimiter whose buckets
// live in one Redis server, shared by every node that points at it. It is
// also a headroom.Pinger. Every decision is one call of one Lua script:
// GCRA, as headroom.DecideRate does it, so a Limiter and memory.Limiter
// grant the same tokens and report the same Remaining and RetryAfter.
//
// While Redis is unreachable the Limiter decides by its FailPolicy without
// waiting on Redis, and a background probe switches it back once Redis
// answers again; see Mode.
//
// A Limiter is safe for concurrent use. Concurrent takes share connections
// and are pipelined: many goroutines' takes go out in few writes.
type Limiter struct {
	cfg      Config
	addr     string // HOST:PORT, for messages: never a URL's password
	client   rueidis.Client
	fallback headroom.Limiter
	metrics  *metrics

	mode   atomic.Int32 // a Mode
	nodes  atomic.Int64 // live nodes, for FailLocal; at least 1
	closed atomic.Bool

	wake      chan struct{} // asks the probe to run now
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// Interface checks.
var (
	_ headroom.BatchLimiter = (*Limiter)(nil)
	_ headroom.Pinger       = (*Limiter)(nil)
)

// Open validates cfg (an *headroom.Error of code EINVALID for a bad field)
// and connects to Redis.
//
// A Redis that cannot be reached at start is not an error: the Limiter
// starts degraded, deciding by cfg.Fail, logs a warning and switches to
// Redis as soon as its probe gets an answer. A node that comes up during a
// Redis outage can then serve, as the nodes already up do. A readiness
// check that needs Redis itself should call Ping.
//
// ctx bounds the first connection attempt and the first call of
// cfg.Nodes. The Limiter must be closed with Close.
func Open(ctx context.Context, cfg Config) (*Limiter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("open redis limiter: %w", err)
	}
	cfg = cfg.withDefaults()
	opt, _ := cfg.clientOption()
	opt.ForceSingleClient = true // a single server; connect lazily if it is down now
	opt.DisableCache = true
	opt.DisableRetry = true // a failure is answered by the policy, not retried
	// One connection: every concurrent take joins the same pipeline, the
	// deepest batching, and the probe's PING tests the very connection the
	// takes use. (rueidis would otherwise spread keyed commands over
	// several, and one left broken by an outage would fail the first take
	// after the probe had seen Redis back.)
	opt.PipelineMultiplex = -1
	opt.Dialer.Timeout = cfg.OpTimeout
	client, err := rueidis.NewClient(opt)
	if client == nil {
		return nil, fmt.Errorf("open redis limiter: %w", headroom.Errorf(headroom.EUNAVAILABLE, "redis client for %s: %v", opt.InitAddress, err))
	}
	l := &Limiter{
		cfg:      cfg,
		addr:     strings.Join(opt.InitAddress, ","),
		client:   client,
		fallback: cfg.Fallback,
		metrics:  newMetrics(),
		wake:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	if l.fallback == nil {
		var c headroom.Clock = clock.System{}
		if cfg.Clock != nil {
			c = cfg.Clock
		}
		l.fallback = memory.NewLimiter(c)
	}
	l.nodes.Store(1)
	l.refreshNodes(ctx)
	if err == nil {
		err = l.connect(ctx)
	}
	if err != nil {
		l.degrade(err)
	}
	go l.probeLoop()
	return l, nil
}

// Close stops the probe and closes the connections. Takes after Close
// fail with EUNAVAILABLE. Close is idempotent and always returns nil.
func (l *Limiter) Close() error {
	l.closeOnce.Do(func() {
		l.closed.Store(true)
		close(l.stop)
		<-l.done
		l.client.Close()
	})
	return nil
}

// Mode returns how the Limiter decides now: ModeRedis, or the mode of its
// FailPolicy while Redis is unreachable.
func (l *Limiter) Mode() Mode { return Mode(l.mode.Load()) }

// Ping implements headroom.Pinger: nil if Redis answers a PING within the
// OpTimeout, else an *headroom.Error of code EUNAVAILABLE. It reports on
// Redis itself, whatever the Mode.
func (l *Limiter) Ping(ctx context.Context) error {
	if err := l.ping(ctx); err != nil {
		return fmt.Errorf("ping: %w", headroom.Errorf(headroom.EUNAVAILABLE, "redis at %s: %v", l.addr, err))
	}
	return nil
}

func (l *Limiter) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, l.cfg.OpTimeout)
	defer cancel()
	return l.client.Do(ctx, l.client.B().Ping().Build()).Error()
}

// connect checks that Redis answers and loads the script, so that the
// takes that follow call it by its SHA1 at once.
func (l *Limiter) connect(ctx context.Context) error {
	if err := l.ping(ctx); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, l.cfg.OpTimeout)
	defer cancel()
	return l.client.Do(ctx, l.client.B().ScriptLoad().Script(gcraSource).Build()).Error()
}

// Take implements headroom.Limiter. It returns an *headroom.Error of code
// EINVALID, without calling Redis, for n < 1, n > limit.Burst or a bad
// limit (see headroom.CheckTake). While Redis is unreachable it decides by
// the FailPolicy and returns no error; EUNAVAILABLE is for a canceled ctx,
// a closed Limiter, or an error reply from Redis that does not mean it is
// down.
func (l *Limiter) Take(ctx context.Context, key headroom.UsageKey, limit headroom.RateLimit, n int64) (headroom.RateResult, error) {
	if err := headroom.CheckTake(limit, n); err != nil {
		return headroom.RateResult{}, fmt.Errorf("take: %w", err)
	}
	takes := [1]headroom.Take{{Key: key, Limit: limit, N: n}}
	var results [1]headroom.RateResult
	var errs [1]error
	l.decide(ctx, takes[:], results[:], errs[:])
	return results[0], errs[0]
}

// TakeBatch implements headroom.BatchLimiter: the valid takes are decided
// in one script call, one round trip to Redis, in order, so two takes of
// one bucket see each other. A bad take fails alone with EINVALID. While
// Redis is unreachable every valid take is decided by the FailPolicy; any
// other failure of the call is every valid take's error.
func (l *Limiter) TakeBatch(ctx context.Context, takes []headroom.Take, results []headroom.RateResult, errs []error) {
	bad := 0
	for i, t := range takes {
		results[i], errs[i] = headroom.RateResult{}, nil
		if err := headroom.CheckTake(t.Limit, t.N); err != nil {
			errs[i] = fmt.Errorf("take: %w", err)
			bad++
		}
	}
	switch {
	case bad == len(takes):
		return
	case bad == 0:
		l.decide(ctx, takes, results, errs)
		return
	}
	valid := make([]headroom.Take, 0, len(takes)-bad)
	index := make([]int, 0, len(takes)-bad)
	for i, t := range takes {
		if errs[i] == nil {
			valid = append(valid, t)
			index = append(index, i)
		}
	}
	vr := make([]headroom.RateResult, len(valid))
	ve := make([]error, len(valid))
	l.decide(ctx, valid, vr, ve)
	for j, i := range index {
		results[i], errs[i] = vr[j], ve[j]
	}
}

// decide decides valid takes: in Redis, or by the policy.
func (l *Limiter) decide(ctx context.Context, takes []headroom.Take, results []headroom.RateResult, errs []error) {
	if l.closed.Load() {
		setAll(errs, fmt.Errorf("take: %w", headroom.Errorf(headroom.EUNAVAILABLE, "the redis limiter is closed")))
		return
	}
	if m := l.Mode(); m.Degraded() {
		l.decideDegraded(ctx, m, takes, results, errs)
		return
	}
	err := l.decideRedis(ctx, takes, results)
	if err == nil {
		return
	}
	if ctx.Err() == nil && redisDown(err) {
		l.decideDegraded(ctx, l.degrade(err), takes, results, errs)
		return
	}
	var he *headroom.Error
	if !errors.As(err, &he) {
		err = headroom.Errorf(headroom.EUNAVAILABLE, "redis at %s: %v", l.addr, err)
	}
	setAll(errs, fmt.Errorf("take: %w", err))
}

func setAll(errs []error, err error) {
	for i := range errs {
		errs[i] = err
	}
}

// decideRedis runs the script once for all of takes.
func (l *Limiter) decideRedis(ctx context.Context, takes []headroom.Take, results []headroom.RateResult) error {
	req := request{keys: make([]string, 0, len(takes)), args: make([]string, 1, 1+2*len(takes))}
	if l.cfg.Clock != nil {
		now := l.cfg.Clock.Now().UnixNano()
		if now < 0 {
			return headroom.Errorf(headroom.EINTERNAL, "the clock reads %v, before 1970", l.cfg.Clock.Now())
		}
		req.args[0] = strconv.FormatInt(now, 10)
	}
	for _, t := range takes {
		req.add(l.cfg.Prefix, t)
	}
	ctx, cancel := context.WithTimeout(ctx, l.cfg.OpTimeout)
	defer cancel()
	reply, err := gcraScript.Exec(ctx, l.client, req.keys, req.args).ToArray()
	if err != nil {
		return err
	}
	if len(reply) != 1+2*len(takes) {
		return scriptErrorf("the script answered %d values for %d takes", len(reply), len(takes))
	}
	nowText, err := reply[0].ToString()
	if err != nil {
		return scriptErrorf("the script's time: %v", err)
	}
	now, err := strconv.ParseInt(nowText, 10, 64)
	if err != nil {
		return scriptErrorf("the script's time %q: %v", nowText, err)
	}
	for i, t := range takes {
		granted, err := reply[1+2*i].AsInt64()
		if err != nil {
			return scriptErrorf("the script's answer: %v", err)
		}
		tat, err := reply[2+2*i].ToString()
		if err != nil {
			return scriptErrorf("the script's answer: %v", err)
		}
		res, ok := resultOf(t, now, granted == 1, tat)
		if !ok {
			return scriptErrorf("the script and DecideRate disagree on %s/%s/%s (TAT %q, now %d)", t.Key.Account, t.Key.Code, t.Key.Scope, tat, now)
		}
		results[i] = res
	}
	return nil
}

// redisDown reports whether err means Redis cannot be used now, as
// opposed to an error in what was asked of it: a network error or
// timeout, or a reply that the server is loading, busy or out of memory.
func redisDown(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var he *headroom.Error
	if errors.As(err, &he) {
		return false
	}
	re, ok := rueidis.IsRedisErr(err)
	if !ok {
		return true
	}
	if re.IsLoading() || re.IsTryAgain() || re.IsClusterDown() {
		return true
	}
	msg := re.Error()
	for _, p := range []string{"BUSY", "MASTERDOWN", "OOM", "READONLY"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// scriptErrorf is an answer of the script that makes no sense: an
// EINTERNAL error, which does not switch the Limiter to its policy.
func scriptErrorf(format string, args ...any) error {
	return headroom.Errorf(headroom.EINTERNAL, "redis limiter: "+format, args...)
}
