package headroom

import (
	"sync"
	"sync/atomic"
)

// rateTally counts the rate decisions this process makes, per bucket, until
// the next history recording drains them. A take adds to a per-bucket
// entry of atomic counters found in a sync.Map, so counting takes no lock
// and, once a bucket has been seen, allocates nothing. An entry idle for
// tallyIdleDrains drains is retired: marked dead, taken out of the map, and
// read once more after the last take that found it alive is done, so no
// decision is lost. It is safe for concurrent use.
type rateTally struct {
	m sync.Map // UsageKey → *tallyEntry
	// drainMu orders drains; it guards retired and every entry's idle.
	drainMu sync.Mutex
	// retired are dead entries that a take may still be adding to.
	retired []tallyRetired
}

type tallyEntry struct {
	allowed, throttled atomic.Int64
	// users counts the takes adding to the entry now; dead is set when the
	// entry is retired. A take raises users before it looks at dead, and
	// a drain sets dead before it looks at users, so either the take sees
	// dead and goes to a new entry, or the drain sees the take and reads
	// the entry again later.
	users atomic.Int64
	dead  atomic.Bool
	// idle counts the drains in a row that found nothing; under drainMu.
	idle int
}

type tallyRetired struct {
	key UsageKey
	e   *tallyEntry
}

// tallyIdleDrains is how many drains in a row must find a bucket idle before
// its entry is retired, so that the map holds only buckets in use.
const tallyIdleDrains = 3

// add counts one decision of bucket k.
func (t *rateTally) add(k UsageKey, allowed bool) {
	for {
		v, ok := t.m.Load(k)
		if !ok {
			v, _ = t.m.LoadOrStore(k, new(tallyEntry))
		}
		e := v.(*tallyEntry)
		e.users.Add(1)
		if e.dead.Load() {
			e.users.Add(-1)
			t.m.CompareAndDelete(k, v)
			continue
		}
		if allowed {
			e.allowed.Add(1)
		} else {
			e.throttled.Add(1)
		}
		e.users.Add(-1)
		return
	}
}

// putBack returns counts that a drain took and could not record, so that
// the next drain records them.
func (t *rateTally) putBack(samples []HistorySample) {
	for _, s := range samples {
		if s.Allowed == 0 && s.Throttled == 0 {
			continue
		}
		t.drainMu.Lock()
		// Under drainMu no entry is retired, so one found alive stays
		// readable by the next drain.
		for {
			v, _ := t.m.LoadOrStore(s.Key, new(tallyEntry))
			e := v.(*tallyEntry)
			if e.dead.Load() {
				t.m.CompareAndDelete(s.Key, v)
				continue
			}
			e.allowed.Add(s.Allowed)
			e.throttled.Add(s.Throttled)
			break
		}
		t.drainMu.Unlock()
	}
}

// drain appends to out a sample at minute of every bucket with decisions
// since the last drain, and resets their counts.
func (t *rateTally) drain(out []HistorySample, minute int64) []HistorySample {
	at := HistoryMinuteTime(minute)
	t.drainMu.Lock()
	defer t.drainMu.Unlock()
	take := func(k UsageKey, e *tallyEntry) bool {
		a, th := e.allowed.Swap(0), e.throttled.Swap(0)
		if a == 0 && th == 0 {
			return false
		}
		out = append(out, HistorySample{Key: k, Minute: at, Allowed: a, Throttled: th})
		return true
	}
	// A retired entry is read after it is seen unused: once dead and
	// unused, no take adds to it any more.
	keep := t.retired[:0]
	for _, r := range t.retired {
		done := r.e.users.Load() == 0
		take(r.key, r.e)
		if !done {
			keep = append(keep, r)
		}
	}
	clear(t.retired[len(keep):])
	t.retired = keep
	t.m.Range(func(k, v any) bool {
		key, e := k.(UsageKey), v.(*tallyEntry)
		if take(key, e) {
			e.idle = 0
			return true
		}
		if e.idle++; e.idle >= tallyIdleDrains {
			e.dead.Store(true)
			t.m.CompareAndDelete(k, v)
			done := e.users.Load() == 0
			take(key, e)
			if !done {
				t.retired = append(t.retired, tallyRetired{key, e})
			}
		}
		return true
	})
	return out
}
