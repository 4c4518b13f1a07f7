package memory_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/internal/storetest"
	"github.com/headroomhq/headroom/memory"
)

// counts sums a drain's samples by key.
func counts(samples []headroom.HistorySample) map[headroom.UsageKey][2]int64 {
	out := map[headroom.UsageKey][2]int64{}
	for _, s := range samples {
		c := out[s.Key]
		out[s.Key] = [2]int64{c[0] + s.Allowed, c[1] + s.Throttled}
	}
	return out
}

// TestDrainDecisions: every take is counted once, allowed or throttled,
// per bucket, including buckets moved or dropped by table rebuilds and a
// scope too long for a slot; keys without an account are not sampled; a
// drain resets the counts.
func TestDrainDecisions(t *testing.T) {
	clk := clock.NewManual(storetest.T0)
	l := memory.NewLimiter(clk)
	if got := l.DrainDecisions(nil, storetest.T0); len(got) != 0 {
		t.Fatalf("a limiter not counting drained %v", got)
	}
	l.CountDecisions()
	ctx := context.Background()
	lim := headroom.RateLimit{Rate: 2, Burst: 5}
	hot := headroom.UsageKey{Account: "111122223333", Code: "L-HOT", Scope: "account"}
	wide := headroom.UsageKey{Account: "111122223333", Code: "L-HOT", Scope: "instance/" + strings.Repeat("w", 1<<16)}
	anon := headroom.UsageKey{Code: "L-ANON", Scope: "account"}
	want := map[headroom.UsageKey][2]int64{}
	take := func(k headroom.UsageKey) {
		t.Helper()
		r, err := l.Take(ctx, k, lim, 1)
		if err != nil {
			t.Fatal(err)
		}
		c := want[k]
		if r.Allowed {
			c[0]++
		} else {
			c[1]++
		}
		want[k] = c
	}
	for range 8 { // 5 allowed, 3 throttled
		take(hot)
		take(wide)
		take(anon)
	}
	// Thousands of new keys rebuild every shard's table several times;
	// some tables are replaced after the hot key was counted in them.
	for i := range 3000 {
		take(headroom.UsageKey{Account: "acct" + strconv.Itoa(i%7), Code: "L-MANY", Scope: "instance/" + strconv.Itoa(i)})
		if i%500 == 0 {
			take(hot)
		}
	}
	delete(want, anon)
	at := storetest.T0.Add(time.Minute)
	got := counts(l.DrainDecisions(nil, at))
	if len(got) != len(want) {
		t.Fatalf("drained %d buckets, want %d", len(got), len(want))
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s %s %.20s: drained allowed/throttled %v, want %v", k.Account, k.Code, k.Scope, got[k], w)
		}
	}
	if w := want[hot]; w[0] != 5 || w[1] != 9 {
		t.Fatalf("the hot key's own decisions are %v, want 5 allowed and 9 throttled (the test's premise)", w)
	}
	if again := l.DrainDecisions(nil, at); len(again) != 0 {
		t.Fatalf("a second drain found %d samples; a drain must reset the counts", len(again))
	}
	// An hour later every bucket is idle and dropped by the next rebuild;
	// decisions counted just before are still drained.
	clk.Advance(time.Hour)
	take(hot)
	for i := range 2000 {
		take(headroom.UsageKey{Account: "later", Code: "L-MANY", Scope: "instance/" + strconv.Itoa(i)})
	}
	if got := counts(l.DrainDecisions(nil, at))[hot]; got != [2]int64{1, 0} {
		t.Fatalf("the hot key after its table was rebuilt: %v, want one allowed", got)
	}
}

// TestDrainDecisionsConcurrent: takes racing each other, new buckets and
// drains are each counted exactly once.
func TestDrainDecisionsConcurrent(t *testing.T) {
	clk := clock.NewManual(storetest.T0)
	l := memory.NewLimiter(clk)
	l.CountDecisions()
	lim := headroom.RateLimit{Rate: 1000, Burst: 1000}
	const workers, each = 4, 2000
	var wg sync.WaitGroup
	var mu sync.Mutex
	var drained []headroom.HistorySample
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			s := l.DrainDecisions(nil, storetest.T0)
			mu.Lock()
			drained = append(drained, s...)
			mu.Unlock()
		}
	}()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				k := headroom.UsageKey{Account: "a", Code: "L-RACE", Scope: "instance/" + strconv.Itoa(i%50+w*1000)}
				if _, err := l.Take(context.Background(), k, lim, 1); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-done
	// Two more drains take what the last retired tables hold.
	mu.Lock()
	defer mu.Unlock()
	drained = l.DrainDecisions(drained, storetest.T0)
	drained = l.DrainDecisions(drained, storetest.T0)
	var total int64
	for _, s := range drained {
		total += s.Allowed + s.Throttled
	}
	if total != workers*each {
		t.Fatalf("counted %d decisions, want %d", total, workers*each)
	}
}
