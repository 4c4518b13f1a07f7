package storetest

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
)

// NewLimiterFunc returns a fresh limiter reading time from clk.
type NewLimiterFunc func(t *testing.T, clk headroom.Clock) headroom.Limiter

// TestLimiter runs the Limiter contract against limiters made by newLimiter.
func TestLimiter(t *testing.T, newLimiter NewLimiterFunc) {
	tests := []struct {
		name string
		fn   func(t *testing.T, l headroom.Limiter, clk *clock.Manual)
	}{
		{"BurstThenThrottle", testBurstThenThrottle},
		{"Refill", testRefill},
		{"TakeMany", testTakeMany},
		{"KeysApart", testKeysApart},
		{"BadInput", testLimiterBadInput},
		{"ClockBackwards", testClockBackwards},
		{"NeverOverGrants", testNeverOverGrants},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewManual(T0)
			tt.fn(t, newLimiter(t, clk), clk)
		})
	}
}

var seedRate = headroom.RateLimit{Rate: 2, Burst: 5}

func take(t *testing.T, l headroom.Limiter, k headroom.UsageKey, lim headroom.RateLimit, n int64) headroom.RateResult {
	t.Helper()
	r, err := l.Take(context.Background(), k, lim, n)
	if err != nil {
		t.Fatalf("Take: %v", err)
	}
	return r
}

func testBurstThenThrottle(t *testing.T, l headroom.Limiter, clk *clock.Manual) {
	k := key("HR-RATE", "account")
	for i := 0; i < 5; i++ {
		r := take(t, l, k, seedRate, 1)
		if !r.Allowed || r.Remaining != int64(4-i) {
			t.Fatalf("request %d = %+v, want allowed with %d left", i+1, r, 4-i)
		}
	}
	r := take(t, l, k, seedRate, 1)
	if r.Allowed || r.RetryAfter != 500*time.Millisecond || r.Remaining != 0 {
		t.Fatalf("6th request = %+v, want throttled, retry after 500ms", r)
	}
	if !r.At.Equal(T0) {
		t.Fatalf("At = %v, want the clock's %v", r.At, T0)
	}
}

func testRefill(t *testing.T, l headroom.Limiter, clk *clock.Manual) {
	k := key("HR-RATE", "account")
	for i := 0; i < 5; i++ {
		take(t, l, k, seedRate, 1)
	}
	clk.Advance(499 * time.Millisecond)
	if r := take(t, l, k, seedRate, 1); r.Allowed || r.RetryAfter != time.Millisecond {
		t.Fatalf("at 499ms = %+v, want throttled for 1ms more", r)
	}
	clk.Advance(time.Millisecond)
	if r := take(t, l, k, seedRate, 1); !r.Allowed {
		t.Fatalf("at 500ms = %+v, want one token", r)
	}
	// A long idle refills to the burst, never beyond.
	clk.Advance(time.Hour)
	granted := 0
	for i := 0; i < 20; i++ {
		if take(t, l, k, seedRate, 1).Allowed {
			granted++
		}
	}
	if granted != 5 {
		t.Fatalf("after an hour idle granted %d, want the burst 5", granted)
	}
}

func testTakeMany(t *testing.T, l headroom.Limiter, clk *clock.Manual) {
	k := key("HR-RATE", "account")
	if r := take(t, l, k, seedRate, 3); !r.Allowed || r.Remaining != 2 {
		t.Fatalf("take 3 = %+v", r)
	}
	r := take(t, l, k, seedRate, 3)
	if r.Allowed || r.RetryAfter != 500*time.Millisecond {
		t.Fatalf("take 3 of 2 = %+v, want throttled 500ms", r)
	}
	// A refusal takes nothing.
	if r := take(t, l, k, seedRate, 2); !r.Allowed || r.Remaining != 0 {
		t.Fatalf("take 2 after refusal = %+v", r)
	}
}

func testKeysApart(t *testing.T, l headroom.Limiter, clk *clock.Manual) {
	a, b := key("HR-RATE", "account"), headroom.UsageKey{Account: "999988887777", Code: "HR-RATE", Scope: "account"}
	for i := 0; i < 5; i++ {
		take(t, l, a, seedRate, 1)
	}
	if take(t, l, a, seedRate, 1).Allowed {
		t.Fatal("a not throttled")
	}
	if !take(t, l, b, seedRate, 1).Allowed {
		t.Fatal("another account shares a's bucket")
	}
	if !take(t, l, key("HR-RATE", "operation/CreateUser"), seedRate, 1).Allowed {
		t.Fatal("another scope shares a's bucket")
	}
}

func testLimiterBadInput(t *testing.T, l headroom.Limiter, clk *clock.Manual) {
	k := key("HR-RATE", "account")
	for _, tc := range []struct {
		name string
		lim  headroom.RateLimit
		n    int64
	}{
		{"zero tokens", seedRate, 0},
		{"negative tokens", seedRate, -1},
		{"more than burst", seedRate, 6},
		{"zero rate", headroom.RateLimit{Rate: 0, Burst: 5}, 1},
		{"negative rate", headroom.RateLimit{Rate: -2, Burst: 5}, 1},
		{"NaN rate", headroom.RateLimit{Rate: math.NaN(), Burst: 5}, 1},
		{"infinite rate", headroom.RateLimit{Rate: math.Inf(1), Burst: 5}, 1},
		{"zero burst", headroom.RateLimit{Rate: 2, Burst: 0}, 1},
	} {
		_, err := l.Take(context.Background(), k, tc.lim, tc.n)
		if headroom.ErrorCodeOf(err) != headroom.EINVALID {
			t.Errorf("%s: error %v, want %s", tc.name, err, headroom.EINVALID)
		}
	}
	// Bad input takes nothing.
	for i := 0; i < 5; i++ {
		if !take(t, l, k, seedRate, 1).Allowed {
			t.Fatalf("request %d refused after bad input", i+1)
		}
	}
}

func testClockBackwards(t *testing.T, l headroom.Limiter, clk *clock.Manual) {
	k := key("HR-RATE", "account")
	clk.Advance(10 * time.Second)
	for i := 0; i < 5; i++ {
		take(t, l, k, seedRate, 1)
	}
	// A reading from the past must not find tokens the future already spent.
	clk.Set(T0)
	if r := take(t, l, k, seedRate, 1); r.Allowed {
		t.Fatalf("after the clock went back: %+v, want throttled", r)
	}
	clk.Set(T0.Add(10 * time.Second))
	if take(t, l, k, seedRate, 1).Allowed {
		t.Fatal("tokens appeared from a backwards reading")
	}
}

// testNeverOverGrants is the rate property: over any interval of length t of
// the limiter's clock, a bucket grants at most Burst + Rate × t tokens, with
// Racers callers racing while the clock moves.
func testNeverOverGrants(t *testing.T, l headroom.Limiter, clk *clock.Manual) {
	lim := headroom.RateLimit{Rate: 50, Burst: 8}
	k := key("HR-RATE", "account")
	var mu sync.Mutex
	var grants []time.Time
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var driver sync.WaitGroup
	driver.Add(1)
	go func() {
		defer driver.Done()
		rng := rand.New(rand.NewPCG(1, 2))
		for {
			select {
			case <-stop:
				return
			default:
				clk.Advance(time.Duration(rng.IntN(3000)) * time.Microsecond)
				runtime.Gosched() // let racers in between steps
			}
		}
	}()
	attempts := 100
	if testing.Short() {
		attempts = 20
	}
	for i := 0; i < Racers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < attempts; j++ {
				r, err := l.Take(context.Background(), k, lim, 1)
				if err != nil {
					t.Error(err)
					return
				}
				if r.Allowed {
					mu.Lock()
					grants = append(grants, r.At)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	driver.Wait()
	if v := CheckRateBound(grants, lim); v != "" {
		t.Fatal(v)
	}
	if len(grants) < int(lim.Burst) {
		t.Fatalf("only %d grants: the test did not exercise the bucket", len(grants))
	}
}

// CheckRateBound checks the rate property over every interval between two
// grants: the grants at times in [a, b] number at most Burst + Rate × (b−a).
// It returns "" when the bound holds, else a description of the worst window.
//
// With grants sorted by time t_0 ≤ t_1 ≤ …, the window from grant i to grant
// j holds j−i+1 grants, so the bound is f(j) − f(i) ≤ Burst − 1 with
// f(k) = k − Rate·t_k: one pass keeping the smallest f seen so far checks
// every window.
func CheckRateBound(grants []time.Time, lim headroom.RateLimit) string {
	ts := append([]time.Time(nil), grants...)
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	worst, wi, wj := math.Inf(-1), 0, 0
	minF, minI := math.Inf(1), 0
	for j := range ts {
		f := float64(j) - lim.Rate*ts[j].Sub(ts[0]).Seconds()
		if f < minF {
			minF, minI = f, j
		}
		if excess := f - minF; excess > worst {
			worst, wi, wj = excess, minI, j
		}
	}
	if worst > float64(lim.Burst-1)+1e-9 {
		return fmt.Sprintf("over-granted: %d tokens in %v (bound %.3f)", wj-wi+1, ts[wj].Sub(ts[wi]),
			float64(lim.Burst)+lim.Rate*ts[wj].Sub(ts[wi]).Seconds())
	}
	return ""
}
