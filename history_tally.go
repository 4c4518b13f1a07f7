package headroom

import (
	"sync"
	"sync/atomic"
)

// rateTally counts the rate decisions this process makes, per bucket, until
// the next history recording drains them. It is built for the decision
// path: a bucket seen before a drain is found in an immutable map (read)
// without a lock, and counted with one atomic add. A bucket not in read is
// counted in dirty under mu, and moved to read by the next drain. It is
// safe for concurrent use.
//
// An entry's counts are one word, so that a drain takes them, and retires
// an entry idle for tallyIdleDrains drains, each with one atomic swap: a
// retired entry's word has tallyDead set, and a take whose add finds it set
// knows the add was not counted, and counts in dirty instead.
type rateTally struct {
	read atomic.Pointer[map[tallyKey]*tallyEntry]
	// mu guards dirty, pending, every entry's idle, and the publication of
	// read.
	mu    sync.Mutex
	dirty map[tallyKey]*tallyEntry
	// pending are samples a recording could not store, given back for the
	// next drain.
	pending []HistorySample
}

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
	t.mu.Unlock()
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
	var old map[tallyKey]*tallyEntry
	if m := t.read.Load(); m != nil {
		old = *m
	}
	next := make(map[tallyKey]*tallyEntry, len(old)+len(t.dirty))
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
	t.read.Store(&next)
	return out
}
