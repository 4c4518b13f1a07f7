package memory

import (
	"context"
	"hash/maphash"
	"math"
	"sync"
	"time"

	"github.com/headroomhq/headroom"
)

// limiterShards spreads buckets over independent locks. A power of two.
const limiterShards = 64

// Limiter is an in-memory headroom.Limiter: one process's token buckets.
//
// Each bucket is kept as a single number, its theoretical arrival time (TAT),
// as in the generic cell rate algorithm: the bucket is full when TAT is not
// after now, and taking n tokens moves TAT forward by n emission intervals.
// Taking is allowed while TAT stays within Burst intervals of now. This is a
// token bucket of capacity Burst refilled at Rate, with 8 bytes of state and
// no floating point on the hot path. Time read from the clock is clamped so
// that a late reading can only make a decision stricter, never looser; the
// bound Burst + Rate × t holds even when callers race with stale readings.
//
// Limiter is safe for concurrent use.
type Limiter struct {
	clock  headroom.Clock
	seed   maphash.Seed
	shards [limiterShards]limiterShard
}

type limiterShard struct {
	mu sync.Mutex
	m  map[headroom.UsageKey]int64 // key → TAT, unix nanoseconds
	_  [40]byte                    // keep shards on separate cache lines
}

// NewLimiter returns an empty limiter reading time from clock.
func NewLimiter(clock headroom.Clock) *Limiter {
	l := &Limiter{clock: clock, seed: maphash.MakeSeed()}
	for i := range l.shards {
		l.shards[i].m = make(map[headroom.UsageKey]int64)
	}
	return l
}

// Interval returns the emission interval of a rate in nanoseconds, rounded
// up so that the limiter never grants faster than the rate.
func Interval(rate float64) int64 {
	return int64(math.Ceil(1e9 / rate))
}

// Take implements headroom.Limiter. It returns an *headroom.Error of code
// EINVALID for n < 1, n > limit.Burst or a limit that is not positive.
func (l *Limiter) Take(_ context.Context, key headroom.UsageKey, limit headroom.RateLimit, n int64) (headroom.RateResult, error) {
	if err := CheckTake(limit, n); err != nil {
		return headroom.RateResult{}, err
	}
	now := l.clock.Now()
	t := now.UnixNano()
	interval := Interval(limit.Rate)
	s := &l.shards[maphash.Comparable(l.seed, key)&(limiterShards-1)]
	s.mu.Lock()
	tat := s.m[key]
	allowed, newTAT, remaining, retry := Decide(tat, t, interval, limit.Burst, n)
	if allowed {
		s.m[key] = newTAT
	}
	s.mu.Unlock()
	return headroom.RateResult{Allowed: allowed, Remaining: remaining, RetryAfter: time.Duration(retry), At: now}, nil
}

// Len returns the number of buckets held.
func (l *Limiter) Len() int {
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		n += len(s.m)
		s.mu.Unlock()
	}
	return n
}

// CheckTake validates a Take's arguments. It is shared by every Limiter so
// that all backends refuse the same inputs the same way.
func CheckTake(limit headroom.RateLimit, n int64) error {
	if !(limit.Rate > 0) || math.IsInf(limit.Rate, 0) {
		return headroom.FieldErrorf("rate", "must be a positive number, got %v", limit.Rate)
	}
	if limit.Burst < 1 {
		return headroom.FieldErrorf("burst", "must be at least 1, got %d", limit.Burst)
	}
	if n < 1 {
		return headroom.FieldErrorf("amount", "must be at least 1, got %d", n)
	}
	if float64(limit.Burst)*1e9/limit.Rate > 1<<61 {
		return headroom.FieldErrorf("rate", "a burst of %d at %v per second spans more than 70 years", limit.Burst, limit.Rate)
	}
	if n > limit.Burst {
		return headroom.FieldErrorf("amount", "%d tokens can never be granted by a bucket of burst %d", n, limit.Burst)
	}
	return nil
}

// Decide is the bucket arithmetic, shared by every Limiter. Given the
// bucket's TAT and the time now (both unix nanoseconds), it decides whether n
// tokens may be taken, and returns the new TAT, the whole tokens remaining and,
// for a denial, the nanoseconds until the request would succeed.
func Decide(tat, now, interval, burst, n int64) (allowed bool, newTAT, remaining, retryAfter int64) {
	if tat < now {
		tat = now // a full bucket holds no more than Burst
	}
	newTAT = tat + n*interval
	horizon := now + burst*interval
	if newTAT > horizon {
		return false, tat, (horizon - tat) / interval, newTAT - horizon
	}
	return true, newTAT, (horizon - newTAT) / interval, 0
}
