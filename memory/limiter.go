package memory

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/headroomhq/headroom"
)

// limiterShards spreads bucket inserts over independent locks. A power of two.
const (
	limiterShards = 64
	shardBits     = 6
)

// dead marks a bucket evicted from its table; a taker that finds it looks the
// key up again.
const dead = math.MinInt64

// idleEviction is how long a bucket must have been full before a table
// rebuild drops it. A full bucket is the same as a missing one, but dropping
// buckets still in use would only churn allocations.
const idleEviction = int64(time.Minute)

// Limiter is an in-memory headroom.Limiter: one process's token buckets.
//
// Each bucket is one number, its theoretical arrival time (TAT), as in the
// generic cell rate algorithm: the bucket is full when TAT is not after now,
// and taking n tokens moves TAT forward by n emission intervals; taking is
// allowed while TAT stays within Burst intervals of now. That is a token
// bucket of capacity Burst refilled at Rate, in 8 bytes, changed with one
// compare-and-swap. A reading of the clock that is older than the bucket's
// last change can only make a decision stricter, so the bound
// Burst + Rate × t holds however callers race.
//
// Buckets live in open-addressing tables, one per shard, that readers search
// without locks; only inserting a new key takes the shard's lock. Buckets
// that have refilled completely are dropped when a table would grow, so memory
// follows the keys in use.
//
// Limiter is safe for concurrent use.
type Limiter struct {
	now    func() int64
	clock  headroom.Clock
	seed   uint64
	shards [limiterShards]limiterShard

	// names interns the account and quota strings of stored keys, so that
	// the many buckets of one account share them: comparing a key then reads
	// hot memory, and each bucket costs only its scope.
	namesMu sync.Mutex
	names   map[string]string
}

type bucket struct {
	hash uint64
	key  headroom.UsageKey
	tat  atomic.Int64 // unix nanoseconds; dead once evicted
}

type bucketTable struct {
	slots []atomic.Pointer[bucket]
	mask  uint64
}

type limiterShard struct {
	tab atomic.Pointer[bucketTable]
	mu  sync.Mutex // serializes inserts and table rebuilds
	n   int        // buckets in tab, under mu
	_   [32]byte   // keep shards on separate cache lines
}

// nanoClock is a clock that can give unix nanoseconds without building a
// time.Time; clock.Coarse and clock.Manual are.
type nanoClock interface{ UnixNano() int64 }

// NewLimiter returns an empty limiter reading time from clock.
func NewLimiter(clock headroom.Clock) *Limiter {
	l := &Limiter{clock: clock, seed: rand.Uint64(), names: map[string]string{}}
	if nc, ok := clock.(nanoClock); ok {
		l.now = nc.UnixNano
	} else {
		l.now = func() int64 { return clock.Now().UnixNano() }
	}
	for i := range l.shards {
		l.shards[i].tab.Store(newBucketTable(16))
	}
	return l
}

func newBucketTable(size int) *bucketTable {
	return &bucketTable{slots: make([]atomic.Pointer[bucket], size), mask: uint64(size - 1)}
}

// Take implements headroom.Limiter. It returns an *headroom.Error of code
// EINVALID for n < 1, n > limit.Burst or a limit that is not positive.
func (l *Limiter) Take(_ context.Context, key headroom.UsageKey, limit headroom.RateLimit, n int64) (headroom.RateResult, error) {
	if err := headroom.CheckTake(limit, n); err != nil {
		return headroom.RateResult{}, err
	}
	now := l.now()
	interval := headroom.RateInterval(limit.Rate)
	h := hashKey(l.seed, key)
	s := &l.shards[h&(limiterShards-1)]
	for {
		b := s.find(h, key)
		if b == nil {
			b = s.insert(h, l.intern(key), now)
		}
		for {
			tat := b.tat.Load()
			if tat == dead {
				break // evicted under us: look the key up again
			}
			allowed, newTAT, remaining, retry := headroom.DecideRate(tat, now, interval, limit.Burst, n)
			if !allowed || b.tat.CompareAndSwap(tat, newTAT) {
				return headroom.RateResult{Allowed: allowed, Remaining: remaining, RetryAfter: time.Duration(retry), At: time.Unix(0, now).UTC()}, nil
			}
		}
	}
}

// intern returns key with its account and code replaced by shared copies.
// Only new buckets pass here, so the lock is off the hot path.
func (l *Limiter) intern(key headroom.UsageKey) headroom.UsageKey {
	l.namesMu.Lock()
	defer l.namesMu.Unlock()
	for _, p := range []*string{&key.Account, &key.Code} {
		if v, ok := l.names[*p]; ok {
			*p = v
		} else if len(l.names) < maxInterned {
			l.names[*p] = *p
		}
	}
	return key
}

// maxInterned bounds the intern table, so that a flood of distinct accounts
// cannot grow it without end; keys beyond it keep their own strings.
const maxInterned = 1 << 16

// find returns the live bucket of key, or nil. It takes no lock.
func (s *limiterShard) find(h uint64, key headroom.UsageKey) *bucket {
	t := s.tab.Load()
	for i := (h >> shardBits) & t.mask; ; i = (i + 1) & t.mask {
		b := t.slots[i].Load()
		if b == nil {
			return nil
		}
		if b.hash == h && b.key == key && b.tat.Load() != dead {
			return b
		}
	}
}

// insert adds a full bucket for key, unless another caller just did.
func (s *limiterShard) insert(h uint64, key headroom.UsageKey, now int64) *bucket {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.find(h, key); b != nil {
		return b
	}
	t := s.tab.Load()
	if (s.n+1)*4 > len(t.slots)*3 {
		t = s.rebuild(t, now)
	}
	b := &bucket{hash: h, key: key}
	put(t, b)
	s.n++
	return b
}

// rebuild drops buckets that have been full for idleEviction (a missing
// bucket is a full one) and, if the table is still over half full, doubles it. Readers
// holding the old table keep working: the buckets are shared, and a dropped
// bucket is marked dead first so no take can land on it unseen.
func (s *limiterShard) rebuild(old *bucketTable, now int64) *bucketTable {
	var live []*bucket
	for i := range old.slots {
		b := old.slots[i].Load()
		if b == nil {
			continue
		}
		tat := b.tat.Load()
		if tat != dead && tat <= now-idleEviction && b.tat.CompareAndSwap(tat, dead) {
			continue
		}
		if b.tat.Load() != dead {
			live = append(live, b)
		}
	}
	size := len(old.slots)
	for (len(live)+1)*2 > size {
		size *= 2
	}
	t := newBucketTable(size)
	for _, b := range live {
		put(t, b)
	}
	s.n = len(live)
	s.tab.Store(t)
	return t
}

func put(t *bucketTable, b *bucket) {
	for i := (b.hash >> shardBits) & t.mask; ; i = (i + 1) & t.mask {
		if t.slots[i].Load() == nil {
			t.slots[i].Store(b)
			return
		}
	}
}

// Len returns the number of buckets held.
func (l *Limiter) Len() int {
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		n += s.n
		s.mu.Unlock()
	}
	return n
}

// TakeBatch decides each take in order, as Take would. In process there is
// no round trip to save; it makes the Limiter a headroom.BatchLimiter, so
// that Engine.Batch takes one path whichever limiter it has.
func (l *Limiter) TakeBatch(ctx context.Context, takes []headroom.Take, results []headroom.RateResult, errs []error) {
	for i := range takes {
		results[i], errs[i] = l.Take(ctx, takes[i].Key, takes[i].Limit, takes[i].N)
	}
}
