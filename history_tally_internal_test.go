package headroom

import "testing"

// BenchmarkTallyAdd is the cost a rate decision pays for the usage
// history: one count in the tally.
func BenchmarkTallyAdd(b *testing.B) {
	var t rateTally
	k := tallyKey{q: &Quota{Code: "HR-CONNECT-API-RATE"}, account: "123456789012", scope: ScopeAccount}
	t.add(k, true)
	t.drain(nil, 0) // k is now found without a lock, as after a minute
	for b.Loop() {
		t.add(k, true)
	}
}

// A bucket idle for tallyIdleDrains drains leaves the lock-free map; a take
// that still holds its entry sees the mark and counts in dirty instead, so
// that nothing is lost or counted twice.
func TestTallyRetire(t *testing.T) {
	var tl rateTally
	k := tallyKey{q: &Quota{Code: "HR-X"}, account: "123456789012", scope: ScopeAccount}
	sum := func(out []HistorySample) (a, th int64) {
		for _, s := range out {
			a += s.Allowed
			th += s.Throttled
		}
		return a, th
	}
	tl.add(k, true)
	tl.add(k, false)
	if a, th := sum(tl.drain(nil, 1)); a != 1 || th != 1 {
		t.Fatalf("first drain: %d allowed, %d throttled", a, th)
	}
	stale := *tl.read.Load()
	if stale[k] == nil {
		t.Fatal("bucket not moved to the lock-free map")
	}
	for range tallyIdleDrains {
		if out := tl.drain(nil, 2); len(out) != 0 {
			t.Fatalf("idle drain returned %+v", out)
		}
	}
	if (*tl.read.Load())[k] != nil {
		t.Fatal("idle bucket not retired")
	}
	// A take that found the entry before it was retired.
	if stale[k].word.Add(tallyAllowed)&tallyDead == 0 {
		t.Fatal("retired entry not marked")
	}
	tl.add(k, true)
	tl.putBack([]HistorySample{{Key: k.usageKey(), Minute: HistoryMinuteTime(1), Throttled: 5}})
	out := tl.drain(nil, 3)
	if a, th := sum(out); a != 1 || th != 5 || len(out) != 2 {
		t.Fatalf("drain after retirement: %+v", out)
	}
}
