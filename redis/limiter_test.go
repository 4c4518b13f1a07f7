package redis

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/internal/storetest"
	"github.com/headroomhq/headroom/internal/testsvc"
	"github.com/headroomhq/headroom/memory"
)

func TestContract(t *testing.T) {
	storetest.TestLimiter(t, func(t *testing.T, clk headroom.Clock) headroom.Limiter {
		return stayOnRedis(t, open(t, Config{Clock: clk}))
	})
}

// stayOnRedis fails the test if l leaves Redis: the contract is Redis's.
func stayOnRedis(t *testing.T, l *Limiter) *Limiter {
	t.Cleanup(func() {
		if n := changes(l, l.cfg.Fail.degradedMode()); n > 0 {
			t.Errorf("the limiter left Redis %d times", n)
		}
	})
	return l
}

func TestContractBatch(t *testing.T) {
	// The same suite, every take going through TakeBatch.
	storetest.TestLimiter(t, func(t *testing.T, clk headroom.Clock) headroom.Limiter {
		return batchOnly{stayOnRedis(t, open(t, Config{Clock: clk}))}
	})
}

// batchOnly makes every Take a batch of one.
type batchOnly struct{ l *Limiter }

func (b batchOnly) Take(ctx context.Context, key headroom.UsageKey, limit headroom.RateLimit, n int64) (headroom.RateResult, error) {
	res, errs := make([]headroom.RateResult, 1), make([]error, 1)
	b.l.TakeBatch(ctx, []headroom.Take{{Key: key, Limit: limit, N: n}}, res, errs)
	return res[0], errs[0]
}

// TestSameDecisionsAsMemory drives this limiter and memory.Limiter with the
// same random takes, limits and clock steps, singly and in batches, and
// wants the same results, field for field. The limits include spans far
// above 2^53 nanoseconds, which the script must add exactly.
func TestSameDecisionsAsMemory(t *testing.T) {
	clk := clock.NewManual(storetest.T0)
	r := open(t, Config{Clock: clk})
	m := memory.NewLimiter(clk)
	limits := []headroom.RateLimit{
		{Rate: 2, Burst: 5},
		{Rate: 3, Burst: 7}, // an interval that does not divide a second
		{Rate: 1000, Burst: 50},
		{Rate: 0.001, Burst: 3},     // 1000 s per token
		{Rate: 1e-6, Burst: 200},    // 200 M s: a span near 2^57 ns
		{Rate: 7.3e-9, Burst: 15},   // near the 70-year limit
		{Rate: 1e9, Burst: 1 << 40}, // one-nanosecond interval, huge burst
		{Rate: 0.37, Burst: 1},
	}
	keys := []headroom.UsageKey{
		{Account: storetest.Account, Code: "HR-RATE", Scope: "account"},
		{Account: storetest.Account, Code: "HR-RATE", Scope: "operation/a:b"},
		{Account: "12:34", Code: "X%3A", Scope: "account"},
	}
	rng := rand.New(rand.NewPCG(7, 11))
	ctx := context.Background()
	for step := 0; step < 600; step++ {
		switch rng.IntN(4) {
		case 0:
			clk.Advance(time.Duration(rng.Int64N(int64(2 * time.Second))))
		case 1:
			clk.Advance(time.Duration(rng.Int64N(1000))) // nanoseconds
		}
		batch := make([]headroom.Take, 1+rng.IntN(4))
		for i := range batch {
			li := rng.IntN(len(limits))
			lim := limits[li]
			n := 1 + rng.Int64N(min(lim.Burst, 4))
			// each key keeps its limit, as the engine does
			batch[i] = headroom.Take{Key: keys[rng.IntN(len(keys))], Limit: lim, N: n}
			batch[i].Key.Code += string(rune('a' + li))
		}
		want := make([]headroom.RateResult, len(batch))
		for i, tk := range batch {
			res, err := m.Take(ctx, tk.Key, tk.Limit, tk.N)
			if err != nil {
				t.Fatal(err)
			}
			want[i] = res
		}
		got := make([]headroom.RateResult, len(batch))
		if rng.IntN(2) == 0 {
			errs := make([]error, len(batch))
			r.TakeBatch(ctx, batch, got, errs)
			for _, err := range errs {
				if err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
			}
		} else {
			for i, tk := range batch {
				res, err := r.Take(ctx, tk.Key, tk.Limit, tk.N)
				if err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				got[i] = res
			}
		}
		for i := range batch {
			if got[i] != want[i] && !(got[i].At.Equal(want[i].At) && sameButAt(got[i], want[i])) {
				t.Fatalf("step %d take %+v: redis %+v, memory %+v", step, batch[i], got[i], want[i])
			}
		}
	}
}

func sameButAt(a, b headroom.RateResult) bool {
	a.At, b.At = time.Time{}, time.Time{}
	return a == b
}

func TestTakeBatchBadTakeFailsAlone(t *testing.T) {
	clk := clock.NewManual(storetest.T0)
	l := open(t, Config{Clock: clk})
	k := headroom.UsageKey{Account: storetest.Account, Code: "HR-RATE", Scope: "account"}
	lim := headroom.RateLimit{Rate: 2, Burst: 5}
	takes := []headroom.Take{
		{Key: k, Limit: lim, N: 2},
		{Key: k, Limit: lim, N: 0},
		{Key: k, Limit: headroom.RateLimit{Rate: -1, Burst: 5}, N: 1},
		{Key: k, Limit: lim, N: 3},
		{Key: k, Limit: lim, N: 1},
	}
	res, errs := make([]headroom.RateResult, len(takes)), make([]error, len(takes))
	l.TakeBatch(context.Background(), takes, res, errs)
	for _, i := range []int{1, 2} {
		if headroom.ErrorCodeOf(errs[i]) != headroom.EINVALID {
			t.Errorf("take %d: error %v, want %s", i, errs[i], headroom.EINVALID)
		}
	}
	// The valid takes are decided in order against one bucket.
	if errs[0] != nil || !res[0].Allowed || res[0].Remaining != 3 {
		t.Errorf("take 0 = %+v, %v; want allowed, 3 left", res[0], errs[0])
	}
	if errs[3] != nil || !res[3].Allowed || res[3].Remaining != 0 {
		t.Errorf("take 3 = %+v, %v; want allowed, 0 left", res[3], errs[3])
	}
	if errs[4] != nil || res[4].Allowed || res[4].RetryAfter != 500*time.Millisecond {
		t.Errorf("take 4 = %+v, %v; want throttled for 500ms", res[4], errs[4])
	}
}

// TestKeysExpireWhenFull checks that a bucket's key lives only until the
// bucket would be full again.
func TestKeysExpireWhenFull(t *testing.T) {
	addr, prefix := testsvc.Redis(t)
	l := open(t, Config{Addr: addr, Prefix: prefix})
	k := headroom.UsageKey{Account: storetest.Account, Code: "HR-RATE", Scope: "account"}
	if _, err := l.Take(context.Background(), k, headroom.RateLimit{Rate: 2, Burst: 100}, 3); err != nil {
		t.Fatal(err)
	}
	ttl, err := l.client.Do(context.Background(), l.client.B().Pttl().Key(bucketKey(prefix, k)).Build()).AsInt64()
	if err != nil {
		t.Fatal(err)
	}
	// Three tokens at two a second refill in 1.5 s.
	if ttl <= 0 || ttl > 1500 {
		t.Fatalf("PTTL = %d ms, want within (0, 1500]", ttl)
	}
}

// TestSkewedNodesKeepTheBound hammers one bucket from two limiters, as two
// nodes would, for two seconds of real time. Each reads time from Redis,
// whatever its own clock says, so the grants, timed by the Redis time they
// were decided at, stay within Burst + Rate × t.
func TestSkewedNodesKeepTheBound(t *testing.T) {
	addr, prefix := testsvc.Redis(t)
	a := open(t, Config{Addr: addr, Prefix: prefix})
	b := open(t, Config{Addr: addr, Prefix: prefix})
	lim := headroom.RateLimit{Rate: 200, Burst: 20}
	k := headroom.UsageKey{Account: storetest.Account, Code: "HR-RATE", Scope: "account"}
	var mu sync.Mutex
	var grants []time.Time
	var wg sync.WaitGroup
	start := time.Now()
	var denied, errors int
	for _, l := range []*Limiter{a, b} {
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Since(start) < 2*time.Second {
					r, err := l.Take(context.Background(), k, lim, 1)
					mu.Lock()
					switch {
					case err != nil:
						errors++
					case r.Allowed:
						grants = append(grants, r.At)
					default:
						denied++
					}
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	if errors > 0 {
		t.Fatalf("%d takes failed", errors)
	}
	if v := storetest.CheckRateBound(grants, lim); v != "" {
		t.Fatal(v)
	}
	if denied == 0 || len(grants) < int(lim.Burst)+int(lim.Rate) {
		t.Fatalf("%d grants, %d denials: the test did not press the bucket", len(grants), denied)
	}
	// The decision times are Redis's, not either node's: within the run.
	sortFirst, sortLast := grants[0], grants[0]
	for _, g := range grants {
		if g.Before(sortFirst) {
			sortFirst = g
		}
		if g.After(sortLast) {
			sortLast = g
		}
	}
	if span := sortLast.Sub(sortFirst); span < time.Second || span > 3*time.Second {
		t.Fatalf("grants span %v of Redis time, want about 2s", span)
	}
	t.Logf("%d grants, %d denials in 2s at %v/s burst %d", len(grants), denied, lim.Rate, lim.Burst)
}
