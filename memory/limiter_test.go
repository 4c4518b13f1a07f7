package memory_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/internal/storetest"
	"github.com/headroomhq/headroom/memory"
)

// outOfOrder is a sequence of clock readings, in milliseconds after T0, such
// as racing callers produce when each reads the clock before taking the
// bucket's lock. golang.org/x/time/rate grants all seven at 2/s with burst 5:
// seven tokens within 750ms, where the bound is 5 + 2 × 0.75 = 6.5.
var outOfOrder = []int{500, 750, 500, 500, 1000, 1250, 1000}

var seedLimit = headroom.RateLimit{Rate: 2, Burst: 5}

// TestRateBoundCatchesXTimeRate shows the property checker is not vacuous: it
// catches golang.org/x/time/rate's over-granting on out-of-order readings.
func TestRateBoundCatchesXTimeRate(t *testing.T) {
	l := rate.NewLimiter(rate.Limit(seedLimit.Rate), int(seedLimit.Burst))
	var grants []time.Time
	for _, ms := range outOfOrder {
		at := storetest.T0.Add(time.Duration(ms) * time.Millisecond)
		if l.AllowN(at, 1) {
			grants = append(grants, at)
		}
	}
	if v := storetest.CheckRateBound(grants, seedLimit); v == "" {
		t.Fatalf("x/time/rate granted %d of %d and the checker saw no violation", len(grants), len(outOfOrder))
	}
}

// TestOutOfOrderReadingsNeverOverGrant feeds the same readings to Headroom.
func TestOutOfOrderReadingsNeverOverGrant(t *testing.T) {
	clk := clock.NewManual(storetest.T0)
	l := memory.NewLimiter(clk)
	k := headroom.UsageKey{Account: storetest.Account, Code: "HR-CONNECT-API-RATE", Scope: "operation/CreateUser"}
	var grants []time.Time
	for _, ms := range outOfOrder {
		clk.Set(storetest.T0.Add(time.Duration(ms) * time.Millisecond))
		r, err := l.Take(context.Background(), k, seedLimit, 1)
		if err != nil {
			t.Fatal(err)
		}
		if r.Allowed {
			grants = append(grants, r.At)
		}
	}
	if v := storetest.CheckRateBound(grants, seedLimit); v != "" {
		t.Fatal(v)
	}
	if len(grants) != 6 {
		t.Fatalf("granted %d, want 6: the burst of 5 at 500ms and one more token by 1000ms", len(grants))
	}
}

// TestIdleBucketsAreDropped checks that buckets full for a while are evicted
// when a table grows, and that a dropped bucket behaves as a full one.
func TestIdleBucketsAreDropped(t *testing.T) {
	clk := clock.NewManual(storetest.T0)
	l := memory.NewLimiter(clk)
	ctx := context.Background()
	hot := headroom.UsageKey{Account: storetest.Account, Code: "HR-RATE", Scope: "operation/Hot"}
	for i := 0; i < 5; i++ {
		l.Take(ctx, hot, seedLimit, 1)
	}
	for i := 0; i < 10_000; i++ {
		k := headroom.UsageKey{Account: storetest.Account, Code: "HR-RATE", Scope: "operation/Op" + strconv.Itoa(i)}
		if _, err := l.Take(ctx, k, seedLimit, 1); err != nil {
			t.Fatal(err)
		}
	}
	if n := l.Len(); n != 10_001 {
		t.Fatalf("Len = %d, want 10001 before any bucket is idle", n)
	}
	// Two minutes on, every bucket is full and idle; new keys trigger rebuilds.
	clk.Advance(2 * time.Minute)
	for i := 0; i < 10_000; i++ {
		k := headroom.UsageKey{Account: "999988887777", Code: "HR-RATE", Scope: "operation/New" + strconv.Itoa(i)}
		l.Take(ctx, k, seedLimit, 1)
	}
	if n := l.Len(); n >= 15_000 {
		t.Fatalf("Len = %d: idle buckets were not dropped", n)
	}
	// The hot key, dropped or not, starts full: exactly the burst is granted.
	granted := 0
	for i := 0; i < 10; i++ {
		if r, _ := l.Take(ctx, hot, seedLimit, 1); r.Allowed {
			granted++
		}
	}
	if granted != 5 {
		t.Fatalf("hot key granted %d after idling, want 5", granted)
	}
}

// TestTakesSurviveRebuilds races takes on a few keys against inserts of
// many others, which rebuild the tables under the takers. The clock is
// stopped and the burst too large to run out, so each key's remaining tokens
// must account for every grant: a take that landed on a table being
// replaced, and was lost, would leave a token too many.
func TestTakesSurviveRebuilds(t *testing.T) {
	clk := clock.NewManual(storetest.T0)
	l := memory.NewLimiter(clk)
	ctx := context.Background()
	lim := headroom.RateLimit{Rate: 1, Burst: 1_000_000_000}
	const hot, takers, cold = 8, 3, 100_000
	keys := make([]headroom.UsageKey, hot)
	for i := range keys {
		keys[i] = headroom.UsageKey{Account: storetest.Account, Code: "HR-RATE", Scope: "operation/Hot" + strconv.Itoa(i)}
	}
	var granted [hot]atomic.Int64
	var done atomic.Bool
	var wg sync.WaitGroup
	for g := 0; g < takers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done.Load() {
				for i, k := range keys {
					if r, _ := l.Take(ctx, k, lim, 1); r.Allowed {
						granted[i].Add(1)
					}
				}
			}
		}()
	}
	for i := 0; i < cold; i++ {
		k := headroom.UsageKey{Account: storetest.Account, Code: "HR-RATE", Scope: "operation/Cold" + strconv.Itoa(i)}
		l.Take(ctx, k, lim, 1)
	}
	done.Store(true)
	wg.Wait()
	for i, k := range keys {
		r, _ := l.Take(ctx, k, lim, 1)
		if want := lim.Burst - granted[i].Load() - 1; r.Remaining != want {
			t.Errorf("%v has %d tokens left after %d grants, want %d", k, r.Remaining, granted[i].Load(), want)
		}
	}
	if n := l.Len(); n != cold+hot {
		t.Errorf("Len = %d, want %d", n, cold+hot)
	}
}
