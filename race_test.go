package headroom_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/storetest"
)

// TestRaceForLastSlots: 1,000 goroutines race for the last 50 slots of a
// count quota and of a concurrency quota; exactly 50 are admitted, every time.
func TestRaceForLastSlots(t *testing.T) {
	rounds := 5
	if testing.Short() {
		rounds = 1
	}
	for round := 0; round < rounds; round++ {
		f := newFixture(t)
		// Users: 450 of 500 taken.
		if err := f.e.Reconcile(f.ctx, acct, headroom.CodeUsers, "instance/i-1", 450, "test"); err != nil {
			t.Fatal(err)
		}
		// Concurrent chats: 50 of 100 live.
		for i := 0; i < 50; i++ {
			f.must(t, headroom.Request{Op: headroom.OpAcquire, Code: headroom.CodeConcurrentChats, Scope: "instance/i-1", LeaseID: fmt.Sprint("fill-", i), TTL: time.Hour})
		}
		for _, tc := range []struct {
			name string
			req  func(i int) headroom.Request
		}{
			{"count", func(i int) headroom.Request {
				return headroom.Request{Op: headroom.OpReserve, Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1, IdempotencyKey: fmt.Sprint("u-", i)}
			}},
			{"concurrency", func(i int) headroom.Request {
				return headroom.Request{Op: headroom.OpAcquire, Account: acct, Code: headroom.CodeConcurrentChats, Scope: "instance/i-1", LeaseID: fmt.Sprint("chat-", i), TTL: time.Hour}
			}},
		} {
			var admitted, refused atomic.Int64
			var wg sync.WaitGroup
			gate := make(chan struct{})
			for i := 0; i < storetest.Racers; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					<-gate
					d, err := f.e.Do(f.ctx, tc.req(i))
					switch {
					case err == nil && d.Allowed:
						admitted.Add(1)
					case headroom.ErrorCodeOf(err) == headroom.EQUOTAEXCEEDED:
						refused.Add(1)
					default:
						t.Errorf("racer %d: %+v, %v", i, d, err)
					}
				}(i)
			}
			close(gate)
			wg.Wait()
			if admitted.Load() != storetest.Slots || refused.Load() != storetest.Racers-storetest.Slots {
				t.Fatalf("round %d %s: %d admitted, %d refused; want %d admitted", round, tc.name, admitted.Load(), refused.Load(), storetest.Slots)
			}
		}
	}
}

// TestEngineRateBound: through the engine, 1,000 concurrent callers on one
// account's bucket never get more than burst + rate × t over any interval.
func TestEngineRateBound(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	var grants []time.Time
	stop := make(chan struct{})
	var driver sync.WaitGroup
	driver.Add(1)
	go func() {
		defer driver.Done()
		rng := rand.New(rand.NewPCG(3, 4))
		for {
			select {
			case <-stop:
				return
			default:
				f.clk.Advance(time.Duration(rng.IntN(200)) * time.Millisecond)
				runtime.Gosched()
			}
		}
	}()
	var wg sync.WaitGroup
	for i := 0; i < storetest.Racers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				// Different users and instances of one account share the bucket.
				d, err := f.e.Do(f.ctx, headroom.Request{Op: headroom.OpTake, Account: acct, Code: headroom.CodeConnectAPIRate, Amount: 1})
				if err == nil && d.Allowed {
					mu.Lock()
					grants = append(grants, d.At)
					mu.Unlock()
				} else if headroom.ErrorCodeOf(err) != headroom.ETHROTTLED {
					t.Errorf("take: %v", err)
				}
			}
		}(i)
	}
	wg.Wait()
	close(stop)
	driver.Wait()
	if v := storetest.CheckRateBound(grants, headroom.RateLimit{Rate: 2, Burst: 5}); v != "" {
		t.Fatal(v)
	}
	if len(grants) < 5 {
		t.Fatalf("only %d grants", len(grants))
	}
}
