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
// ones in the high 32; a drain swaps it to zero. A table replaced by a
// rebuild is kept (retired) for two drains, since a take that found its
// slot before the rebuild froze it may count there just after. The table
// goes once it has been drained twice and retiredFor has passed (on the
// machine's clock: this is about goroutines' scheduling, not quota time),
// by when no take can still be between its decision and its count.

// Count word layout, as in the engine's own tally.
const (
	countAllowed   = 1
	countThrottled = 1 << 32
	// retiredDrains is how many drains a replaced table's counts are
	// read before the table is let go.
	retiredDrains = 2
	retiredFor    = time.Second
)

// retiredTable is a replaced table kept for its counts.
type retiredTable struct {
	t      *bucketTable
	drains int
	since  time.Time
}

var _ headroom.DecisionCounter = (*Limiter)(nil)

// count counts one decision of slot b of t.
func (t *bucketTable) count(b *slot, allowed bool) {
	i := (uintptr(unsafe.Pointer(b)) - uintptr(unsafe.Pointer(&t.slots[0]))) / slotSize
	d := uint64(countThrottled)
	if allowed {
		d = countAllowed
	}
	t.counts[i].Add(d)
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
		out = s.tab.Load().drain(out, at)
		kept := s.retired[:0]
		for _, r := range s.retired {
			out = r.t.drain(out, at)
			if r.drains++; r.drains < retiredDrains || time.Since(r.since) < retiredFor {
				kept = append(kept, r)
			}
		}
		clear(s.retired[len(kept):])
		s.retired = kept
		s.mu.Unlock()
	}
	return out
}

// drain appends t's non-zero counts to out and resets them.
func (t *bucketTable) drain(out []headroom.HistorySample, at time.Time) []headroom.HistorySample {
	if t.counts == nil {
		return out
	}
	for i := range t.counts {
		c := &t.counts[i]
		if c.Load() == 0 {
			continue
		}
		w := c.Swap(0)
		b := &t.slots[i]
		m := b.meta.Load()
		if m == 0 || b.names.account == "" {
			continue
		}
		out = append(out, headroom.HistorySample{
			Key:     headroom.UsageKey{Account: b.names.account, Code: b.names.code, Scope: b.scopeString(m)},
			Minute:  at,
			Allowed: int64(w & (1<<32 - 1)), Throttled: int64(w >> 32),
		})
	}
	return out
}

// scopeString returns the scope of the published slot b, of meta m.
func (b *slot) scopeString(m uint64) string {
	if uint32(m) == wideScope {
		return b.names.scope
	}
	return unsafe.String((*byte)(b.scope), int(uint32(m))-1)
}
