package memory

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/headroomhq/headroom"
)

// limiterShards spreads bucket inserts and table rebuilds over independent
// locks. A power of two; the low shardBits bits of a key's hash pick its shard.
const (
	limiterShards = 64
	shardBits     = 6
)

// moved marks a bucket whose table is being replaced: its state has been, or
// is being, copied to the new table, and a taker that finds it waits for the
// rebuild and looks the key up again. No real TAT is this far in the past.
const moved = math.MinInt64

// idleEviction is how long a bucket must have been full before a table
// rebuild drops it. A full bucket is the same as a missing one, but dropping
// buckets still in use would only churn allocations.
const idleEviction = int64(time.Minute)

// Table sizing. A table is rebuilt when an insert would take it over
// maxLoadNum/maxLoadDen full, and rebuilt at half full, so that its load
// stays between 1/2 and 3/4 whatever the number of keys: 43 to 64 bytes of
// table per key. Linear probing at 3/4 load averages 2.5 slots per lookup
// of a present key, and the slots are read 2 to a cache line.
const (
	minSlots   = 16
	maxLoadNum = 3
	maxLoadDen = 4
)

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
// Buckets live inline in open-addressing tables, one per shard: a 32-byte
// slot holds 32 bits of the key's hash, the TAT and the key itself (its
// scope string and a shared record of its account and quota code), so that
// a decision on a key not in cache reads one cache line of the table, where
// it read a slot and then the bucket the slot pointed to. (Confirming the
// key also reads the stored scope's bytes, unless the caller passes the
// very string the bucket was made with.) Readers search without locks;
// inserting a new key takes the shard's lock. Buckets that have refilled
// completely are dropped when a table is rebuilt, so memory follows the keys
// in use.
//
// Limiter is safe for concurrent use.
type Limiter struct {
	now    func() int64
	clock  headroom.Clock
	seed   uint64
	shards [limiterShards]limiterShard

	// names interns the (account, quota code) pairs of stored keys, so that
	// the buckets of one pair share one record: a slot holds a pointer to
	// it rather than two strings, and comparing a key reads hot memory.
	namesMu sync.Mutex
	names   map[keyNames]*keyNames

	// counting is set by CountDecisions: tables made after it carry a
	// count word per slot (decisions.go).
	counting atomic.Bool
}

// keyNames is the part of a key a slot does not hold inline: its account and
// quota code, and its scope when that is too long for the slot's length
// field (wideScope). Records are never changed once a slot points to them.
type keyNames struct {
	account, code string
	scope         string // set only for a wide scope
}

// A slot is one bucket of a table. It is empty while meta is 0. An inserter
// writes scope and names, stores the TAT, and publishes the slot by storing
// meta last; a reader that loads a non-zero meta therefore sees the other
// fields as written (the atomic store and load order them), and they never
// change again in that table. Only tat changes after publication, by
// compare-and-swap.
type slot struct {
	// meta is the top 32 bits of the key's hash above a 32-bit length
	// field: the scope's length plus one, or wideScope. Never 0 once set.
	meta  atomic.Uint64
	tat   atomic.Int64   // unix nanoseconds; moved once being rebuilt
	scope unsafe.Pointer // the scope string's bytes, unless wide
	names *keyNames
}

// wideScope is the length field of a slot whose scope is kept in its
// keyNames record, because its length does not fit the field.
const wideScope = math.MaxUint32

// slotSize is checked at compile time: two slots per 64-byte cache line.
const slotSize = unsafe.Sizeof(slot{})

var _ [32 - slotSize]struct{}
var _ [slotSize - 32]struct{}

type bucketTable struct {
	slots []slot
	// counts, when the limiter counts decisions, holds each slot's
	// allowed and throttled takes since the last drain, beside the slots
	// so that a slot stays half a cache line.
	counts []atomic.Uint64
}

type limiterShard struct {
	tab atomic.Pointer[bucketTable]
	mu  sync.Mutex // serializes inserts and table rebuilds
	n   int        // buckets in tab, under mu
	// retired are tables just replaced, kept for late counts, and
	// pending the counts of dropped buckets, both under mu (decisions.go).
	retired []retiredTable
	pending []pendingCount
	_       [56]byte // keep shards on separate cache lines
}

// nanoClock is a clock that can give unix nanoseconds without building a
// time.Time; clock.Coarse and clock.Manual are.
type nanoClock interface{ UnixNano() int64 }

// NewLimiter returns an empty limiter reading time from clock.
func NewLimiter(clock headroom.Clock) *Limiter {
	l := &Limiter{clock: clock, seed: rand.Uint64(), names: map[keyNames]*keyNames{}}
	if nc, ok := clock.(nanoClock); ok {
		l.now = nc.UnixNano
	} else {
		l.now = func() int64 { return clock.Now().UnixNano() }
	}
	for i := range l.shards {
		l.shards[i].tab.Store(&bucketTable{slots: make([]slot, minSlots)})
	}
	return l
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
		t := s.tab.Load()
		b := t.find(h, key)
		if b == nil {
			t, b = s.insert(l, h, key, now)
		}
		for {
			tat := b.tat.Load()
			if tat == moved {
				// The shard's table is being rebuilt under its lock: wait
				// for the new table, then look the key up in it.
				s.mu.Lock()
				s.mu.Unlock()
				break
			}
			allowed, newTAT, remaining, retry := headroom.DecideRate(tat, now, interval, limit.Burst, n)
			if !allowed || b.tat.CompareAndSwap(tat, newTAT) {
				if t.counts != nil {
					t.count(b, allowed)
				}
				return headroom.RateResult{Allowed: allowed, Remaining: remaining, RetryAfter: time.Duration(retry), At: time.Unix(0, now).UTC()}, nil
			}
		}
	}
}

// slotIndex maps a hash to its home slot in a table of size slots (which
// need not be a power of two) by scaling its top 32 bits, the bits a slot
// keeps in its meta word, so that a rebuild can place a slot without the
// key. The shard takes the bottom bits, so the two are independent.
func slotIndex(h uint64, size int) int {
	return int((h >> 32) * uint64(size) >> 32)
}

// slotMeta returns the meta word of key's slot, h being its hash.
func slotMeta(h uint64, scope string) uint64 {
	lf := uint64(wideScope)
	if uint64(len(scope)) < wideScope {
		lf = uint64(len(scope)) + 1
	}
	return h&^0xffffffff | lf
}

// find returns the slot of key in t, or nil. It takes no lock. A slot whose
// meta differs is another key's; equal metas are confirmed by comparing
// the whole key, so a hash collision costs only a longer search.
func (t *bucketTable) find(h uint64, key headroom.UsageKey) *slot {
	want := slotMeta(h, key.Scope)
	size := len(t.slots)
	for i := slotIndex(h, size); ; {
		b := &t.slots[i]
		m := b.meta.Load()
		if m == 0 {
			return nil
		}
		if m == want && b.names.account == key.Account && b.names.code == key.Code && b.scopeIs(m, key.Scope) {
			return b
		}
		if i++; i == size {
			i = 0
		}
	}
}

// scopeIs reports whether the published slot b, of meta m, holds scope.
// The length is already known equal from the meta word.
func (b *slot) scopeIs(m uint64, scope string) bool {
	if uint32(m) == wideScope {
		return b.names.scope == scope
	}
	return unsafe.String((*byte)(b.scope), len(scope)) == scope
}

// insert returns key's slot in the shard's current table, and the table,
// adding a full bucket for it unless another caller just did. It takes the
// shard's lock.
func (s *limiterShard) insert(l *Limiter, h uint64, key headroom.UsageKey, now int64) (*bucketTable, *slot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tab.Load()
	if b := t.find(h, key); b != nil {
		return t, b
	}
	if (s.n+1)*maxLoadDen > len(t.slots)*maxLoadNum {
		t = s.rebuild(t, now, l.counting.Load())
	}
	names := l.intern(key)
	var scope unsafe.Pointer
	if uint64(len(key.Scope)) < wideScope {
		scope = unsafe.Pointer(unsafe.StringData(key.Scope))
	} else {
		names = &keyNames{account: key.Account, code: key.Code, scope: key.Scope}
	}
	s.n++
	return t, t.put(slotMeta(h, key.Scope), scope, names, 0)
}

// put fills the first empty slot from h's home slot and returns it. The
// caller holds the shard's lock, or owns t alone.
func (t *bucketTable) put(meta uint64, scope unsafe.Pointer, names *keyNames, tat int64) *slot {
	size := len(t.slots)
	for i := slotIndex(meta, size); ; {
		b := &t.slots[i]
		if b.meta.Load() == 0 {
			b.scope, b.names = scope, names
			b.tat.Store(tat)
			b.meta.Store(meta) // publishes the slot: last
			return b
		}
		if i++; i == size {
			i = 0
		}
	}
}

// rebuild replaces the shard's table by one holding its live buckets at
// half load, dropping buckets that have been full for idleEviction (a
// missing bucket is a full one). Each old bucket is frozen to moved by
// compare-and-swap before its TAT is copied, so that no take lands on the
// old table unseen: a taker that finds moved waits on the lock the rebuild
// holds and retries in the new table. The caller holds the shard's lock.
func (s *limiterShard) rebuild(old *bucketTable, now int64, counting bool) *bucketTable {
	tats := make([]int64, len(old.slots))
	live := 0
	for i := range old.slots {
		b := &old.slots[i]
		if b.meta.Load() == 0 {
			continue
		}
		tat := b.tat.Load()
		for !b.tat.CompareAndSwap(tat, moved) {
			tat = b.tat.Load()
		}
		if tat > now-idleEviction {
			tats[i] = tat
			live++
		} else {
			tats[i] = moved // idle: dropped
		}
	}
	t := &bucketTable{slots: make([]slot, max(minSlots, 2*(live+1)))}
	if counting {
		t.counts = make([]atomic.Uint64, len(t.slots))
	}
	// Takes that passed the old table's slots before they froze may still
	// count there.
	s.retire(old)
	for i := range old.slots {
		b := &old.slots[i]
		m := b.meta.Load()
		switch {
		case m == 0:
		case tats[i] != moved:
			moveCount(old, i, t, t.put(m, b.scope, b.names, tats[i]))
		default:
			s.setAside(old, i) // dropped: its count waits for the next drain
		}
	}
	s.n = live
	s.tab.Store(t)
	return t
}

// intern returns the shared names record of key's account and quota code.
// Only new buckets pass here, so the lock is off the hot path.
func (l *Limiter) intern(key headroom.UsageKey) *keyNames {
	k := keyNames{account: key.Account, code: key.Code}
	l.namesMu.Lock()
	defer l.namesMu.Unlock()
	if r, ok := l.names[k]; ok {
		return r
	}
	r := &k
	if len(l.names) < maxInterned {
		l.names[k] = r
	}
	return r
}

// maxInterned bounds the intern table, so that a flood of distinct accounts
// cannot grow it without end; keys beyond it get a record of their own.
const maxInterned = 1 << 16

// Len returns the number of buckets held. It is safe for concurrent use.
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
