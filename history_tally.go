package headroom

import (
	"sync"
	"sync/atomic"
)

// rateTally counts the rate decisions this process makes, per bucket, until
// the next history recording drains them. It is built for the decision
// path: a bucket seen before a drain is found in an immutable map (read)
// without a lock, and counted with one atomic add. A bucket not in read is
// counted in dirty under mu, and moved to read soon after (promote) or by
// the next drain. It is safe for concurrent use.
//
// An entry's counts are one word, so that a drain takes them, and retires
// an entry idle for tallyIdleDrains drains, each with one atomic swap: a
// retired entry's word has tallyDead set, and a take whose add finds it set
// knows the add was not counted, and counts in dirty instead.
type rateTally struct {
	read atomic.Pointer[tallyMap]
	// mu guards dirty, pending, every entry's idle, and the publication of
	// read.
	mu    sync.Mutex
	dirty map[tallyKey]*tallyEntry
	// misses counts the takes counted in dirty since read was last
	// published; once they outnumber dirty's entries and a quarter of
	// read's, dirty's entries join read (promote), so that a new bucket is
	// soon counted without the lock, at an amortized cost of a few entry
	// copies per miss.
	misses int
	// pending are samples a recording could not store, given back for the
	// next drain.
	pending []HistorySample
}

// tallyMap is the immutable map of rateTally.read.
type tallyMap map[tallyKey]*tallyEntry

// tallyKey names a bucket by its quota's catalog record rather than its
// code, so that finding it hashes and compares two strings, not three.
type tallyKey struct {
	q              *Quota
	account, scope string
}

func (k tallyKey) usageKey() UsageKey {
	return UsageKey{Account: k.account, Code: k.q.Code, Scope: k.scope}
}

// tallyEntry is one bucket's counts since the last drain: allowed in the
// low 32 bits, throttled in the next 31, and tallyDead. (Four billion
// decisions of one bucket in one minute would be 70 million a second.)
type tallyEntry struct {
	word atomic.Uint64
	// idle counts the drains in a row that found nothing; under mu.
	idle int
}

const (
	tallyAllowed   = 1
	tallyThrottled = 1 << 32
	tallyDead      = 1 << 63
	// tallyIdleDrains is how many drains in a row must find a bucket idle
	// before its entry is retired, so that read holds the buckets in use.
	tallyIdleDrains = 3
)

func tallyCounts(w uint64) (allowed, throttled int64) {
	return int64(w & (1<<32 - 1)), int64(w >> 32 & (1<<31 - 1))
}

// add counts one decision of bucket k.
func (t *rateTally) add(k tallyKey, allowed bool) {
	delta := uint64(tallyThrottled)
	if allowed {
		delta = tallyAllowed
	}
	if m := t.read.Load(); m != nil {
		if e := (*m)[k]; e != nil && e.word.Add(delta)&tallyDead == 0 {
			return
		}
	}
	t.mu.Lock()
	e := t.dirty[k]
	if e == nil {
		if t.dirty == nil {
			t.dirty = map[tallyKey]*tallyEntry{}
		}
		e = new(tallyEntry)
		t.dirty[k] = e
	}
	e.word.Add(delta)
	if t.misses++; t.misses >= len(t.dirty)+len(t.read.Load().entries())/4 {
		t.promote()
	}
	t.mu.Unlock()
}

// entries returns the map, or nil for none.
func (m *tallyMap) entries() map[tallyKey]*tallyEntry {
	if m == nil {
		return nil
	}
	return *m
}

// promote publishes a read map holding dirty's entries too, with their
// counts in place. Under mu.
func (t *rateTally) promote() {
	old := t.read.Load().entries()
	next := make(map[tallyKey]*tallyEntry, len(old)+len(t.dirty))
	for k, e := range old {
		next[k] = e
	}
	for k, e := range t.dirty {
		// A key in both was counted in dirty by a take that read an older
		// map: its counts join read's entry. Dirty's entries change only
		// under mu, so none is lost.
		if r, ok := next[k]; ok {
			r.word.Add(e.word.Load())
			continue
		}
		next[k] = e
	}
	clear(t.dirty)
	t.misses = 0
	m := tallyMap(next)
	t.read.Store(&m)
}

// putBack returns samples that a drain took and that could not be
// recorded, so that the next drain returns them again.
func (t *rateTally) putBack(samples []HistorySample) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, s := range samples {
		if s.Allowed != 0 || s.Throttled != 0 {
			t.pending = append(t.pending, HistorySample{Key: s.Key, Minute: s.Minute, Allowed: s.Allowed, Throttled: s.Throttled})
		}
	}
}

// drain appends to out a sample at minute of every bucket with decisions
// since the last drain (and the samples given back), and resets their
// counts.
func (t *rateTally) drain(out []HistorySample, minute int64) []HistorySample {
	at := HistoryMinuteTime(minute)
	emit := func(k tallyKey, w uint64) bool {
		a, th := tallyCounts(w)
		if a == 0 && th == 0 {
			return false
		}
		out = append(out, HistorySample{Key: k.usageKey(), Minute: at, Allowed: a, Throttled: th})
		return true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	out = append(out, t.pending...)
	clear(t.pending)
	t.pending = t.pending[:0]
	old := t.read.Load().entries()
	next := make(tallyMap, len(old)+len(t.dirty))
	for k, e := range old {
		if emit(k, e.word.Swap(0)) {
			e.idle = 0
			next[k] = e
			continue
		}
		if e.idle++; e.idle < tallyIdleDrains {
			next[k] = e
			continue
		}
		// Retired: what was added since the swap above is taken with the
		// mark, and every later add sees the mark.
		emit(k, e.word.Swap(tallyDead))
	}
	for k, e := range t.dirty {
		emit(k, e.word.Swap(0))
		if _, ok := next[k]; !ok {
			next[k] = e
		}
	}
	clear(t.dirty)
	t.misses = 0
	t.read.Store(&next)
	return out
}
