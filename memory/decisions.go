package memory

import (
	"time"
	"unsafe"

	"github.com/headroomhq/headroom"
)

// Counting decisions for the usage history. The engine needs, per bucket,
// the takes allowed and throttled each minute. The limiter has already
// found the bucket's slot when it decides, so it counts there, in a word
// beside the slot, rather than have the engine look the key up a second
// time.
//
// A count word holds the allowed takes in its low 32 bits and the throttled
// ones in the high 32; a drain swaps it to zero. A rebuild moves each
// surviving bucket's count to its new slot, and sets aside the counts of
// the buckets it drops (pending), all under the shard's lock. A take that
// found its slot just before the rebuild froze it may still count in the
// old table afterwards, so the old table is kept (retired) for retiredFor
// of the machine's clock (this is about goroutines' scheduling, not quota
// time) and drained before it goes.

// Count word layout, as in the engine's own tally.
const (
	countAllowed   = 1
	countThrottled = 1 << 32
	// retiredFor is how long a replaced table is kept for late counts.
	retiredFor = time.Second
	// maxPending bounds a shard's counts set aside for the next drain, so
	// that a limiter nobody drains does not grow; beyond it the oldest
	// are dropped.
	maxPending = 1 << 14
)

// retiredTable is a replaced table kept for late counts.
type retiredTable struct {
	t     *bucketTable
	since time.Time
}

// pendingCount is a dropped bucket's count, kept for the next drain.
type pendingCount struct {
	names *keyNames
	scope string
	w     uint64
}

var _ headroom.DecisionCounter = (*Limiter)(nil)

// slotOf returns the index of slot b of t.
func (t *bucketTable) slotOf(b *slot) uintptr {
	return (uintptr(unsafe.Pointer(b)) - uintptr(unsafe.Pointer(&t.slots[0]))) / slotSize
}

// count counts one decision of slot b of t.
func (t *bucketTable) count(b *slot, allowed bool) {
	d := uint64(countThrottled)
	if allowed {
		d = countAllowed
	}
	t.counts[t.slotOf(b)].Add(d)
}

// CountDecisions makes the limiter count every take it decides, allowed or
// throttled, per bucket, for DrainDecisions. Counting costs a word per
// slot. It is safe for concurrent use, and idempotent.
func (l *Limiter) CountDecisions() {
	if l.counting.Swap(true) {
		return
	}
	now := l.now()
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		if t := s.tab.Load(); t.counts == nil {
			s.rebuild(t, now, true)
		}
		s.mu.Unlock()
	}
}

// DrainDecisions appends to out a sample stamped at of every bucket with
// takes counted since the last drain, and resets their counts. Takes of
// keys without an account are not sampled. It returns out unchanged
// unless CountDecisions was called. It is safe for concurrent use; it
// holds one shard's lock at a time, which delays only new buckets of
// that shard.
func (l *Limiter) DrainDecisions(out []headroom.HistorySample, at time.Time) []headroom.HistorySample {
	if !l.counting.Load() {
		return out
	}
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		for _, p := range s.pending {
			out = appendCount(out, p.names, p.scope, p.w, at)
		}
		clear(s.pending)
		s.pending = s.pending[:0]
		out = s.tab.Load().drain(out, at)
		for _, r := range s.retired {
			out = r.t.drain(out, at)
		}
		s.pruneRetired(false)
		s.mu.Unlock()
	}
	return out
}

// moveCount moves the count of slot i of old to slot nb of t, in a
// rebuild (under the shard's lock).
func moveCount(old *bucketTable, i int, t *bucketTable, nb *slot) {
	if old.counts == nil || t.counts == nil {
		return
	}
	if w := old.counts[i].Swap(0); w != 0 {
		t.counts[t.slotOf(nb)].Add(w)
	}
}

// setAside keeps the count of slot i of old, a bucket the rebuild drops,
// for the next drain (under the shard's lock).
func (s *limiterShard) setAside(old *bucketTable, i int) {
	if old.counts == nil {
		return
	}
	w := old.counts[i].Swap(0)
	if w == 0 {
		return
	}
	b := &old.slots[i]
	if len(s.pending) == maxPending {
		s.pending = append(s.pending[:0], s.pending[1:]...)
	}
	s.pending = append(s.pending, pendingCount{names: b.names, scope: b.scopeString(b.meta.Load()), w: w})
}

// retire keeps old, just replaced, for late counts, and lets go of the
// retired tables older than retiredFor, setting their counts aside (under
// the shard's lock).
func (s *limiterShard) retire(old *bucketTable) {
	if old.counts == nil {
		return
	}
	s.pruneRetired(true)
	s.retired = append(s.retired, retiredTable{t: old, since: time.Now()})
}

// pruneRetired lets go of the retired tables older than retiredFor; with
// keep, their counts are set aside first (a drain has just taken them
// otherwise). Under the shard's lock.
func (s *limiterShard) pruneRetired(keep bool) {
	kept := s.retired[:0]
	for _, r := range s.retired {
		if time.Since(r.since) < retiredFor {
			kept = append(kept, r)
			continue
		}
		for i := range r.t.counts {
			if keep && r.t.counts[i].Load() != 0 {
				s.setAside(r.t, i)
			}
		}
	}
	clear(s.retired[len(kept):])
	s.retired = kept
}

// drain appends t's non-zero counts to out and resets them.
func (t *bucketTable) drain(out []headroom.HistorySample, at time.Time) []headroom.HistorySample {
	for i := range t.counts {
		c := &t.counts[i]
		if c.Load() == 0 {
			continue
		}
		w := c.Swap(0)
		b := &t.slots[i]
		if m := b.meta.Load(); m != 0 {
			out = appendCount(out, b.names, b.scopeString(m), w, at)
		}
	}
	return out
}

// appendCount appends the sample of one bucket's count word, unless the
// key has no account.
func appendCount(out []headroom.HistorySample, names *keyNames, scope string, w uint64, at time.Time) []headroom.HistorySample {
	if names.account == "" {
		return out
	}
	return append(out, headroom.HistorySample{
		Key:     headroom.UsageKey{Account: names.account, Code: names.code, Scope: scope},
		Minute:  at,
		Allowed: int64(w & (1<<32 - 1)), Throttled: int64(w >> 32),
	})
}

// scopeString returns the scope of the published slot b, of meta m.
func (b *slot) scopeString(m uint64) string {
	if uint32(m) == wideScope {
		return b.names.scope
	}
	return unsafe.String((*byte)(b.scope), int(uint32(m))-1)
}
