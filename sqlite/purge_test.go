package sqlite_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/sqlite"
)

// parallel runs fn(i) for i in [0, n) on 16 goroutines.
func parallel(t *testing.T, n int, fn func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := g; i < n; i += 16 {
				if err := fn(i); err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestPurgeBatches purges more rows than one batch holds.
func TestPurgeBatches(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, sqlite.Config{})
	const n = 2100 // more than two batches
	lk := headroom.UsageKey{Account: acct, Code: "L-C", Scope: "account"}
	ck := headroom.UsageKey{Account: acct, Code: "L-U", Scope: "account"}
	parallel(t, n, func(i int) error {
		if _, err := s.AcquireLease(ctx, headroom.LeaseChange{Key: lk, LeaseID: fmt.Sprint("l-", i), Limit: n, Now: t0, Expires: t0.Add(time.Minute)}); err != nil {
			return err
		}
		_, err := s.Reserve(ctx, headroom.CountChange{Key: ck, Amount: 1, Limit: n, IdempotencyKey: fmt.Sprint("k-", i), Now: t0})
		return err
	})
	// One lease and one key that stay.
	s.AcquireLease(ctx, headroom.LeaseChange{Key: lk, LeaseID: "long", Limit: n + 1, Now: t0, Expires: t0.Add(time.Hour)})
	s.Reserve(ctx, headroom.CountChange{Key: ck, Amount: 1, Limit: n + 1, IdempotencyKey: "late", Now: t0.Add(time.Hour)})
	res, err := s.Purge(ctx, t0.Add(time.Minute), t0.Add(time.Minute))
	if err != nil || res.Leases != n || res.IdempotencyKeys != n {
		t.Fatalf("Purge = %+v, %v; want %d leases and %d keys", res, err, n, n)
	}
	if n, _ := s.LeaseUsage(ctx, lk, t0); n != 1 {
		t.Fatalf("leases left = %d, want 1", n)
	}
	if r, _ := s.Reserve(ctx, headroom.CountChange{Key: ck, Amount: 1, Limit: n + 1, IdempotencyKey: "late", Now: t0.Add(time.Hour)}); !r.Replayed {
		t.Fatalf("kept key: %+v, want a replay", r)
	}
	if res, _ := s.Purge(ctx, t0.Add(time.Minute), t0.Add(time.Minute)); res.Leases != 0 || res.IdempotencyKeys != 0 {
		t.Fatalf("second Purge = %+v, want nothing", res)
	}
}

// waitFor polls cond until it holds, failing after a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestBackgroundPurge runs the background purge on a manual clock: nothing
// goes while the clock stands still; once it moves past the lease's deadline
// and the key's retention, both go.
func TestBackgroundPurge(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(t0)
	s := openStore(t, sqlite.Config{Clock: clk, PurgeInterval: time.Millisecond, IdempotencyRetention: time.Hour})
	lk := headroom.UsageKey{Account: acct, Code: "L-C", Scope: "account"}
	ck := headroom.UsageKey{Account: acct, Code: "L-U", Scope: "account"}
	reserve := headroom.CountChange{Key: ck, Amount: 1, Limit: 10, IdempotencyKey: "k", Now: t0}
	if _, err := s.AcquireLease(ctx, headroom.LeaseChange{Key: lk, LeaseID: "a", Limit: 5, Now: t0, Expires: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reserve(ctx, reserve); err != nil {
		t.Fatal(err)
	}
	runs := s.Stats().PurgeRuns
	waitFor(t, "two purges", func() bool { return s.Stats().PurgeRuns >= runs+2 })
	if st := s.Stats(); st.Purged.Leases != 0 || st.Purged.IdempotencyKeys != 0 {
		t.Fatalf("purged with the clock standing still: %v", st)
	}
	if r, _ := s.Reserve(ctx, reserve); !r.Replayed {
		t.Fatalf("key forgotten before its retention: %+v", r)
	}
	clk.Set(t0.Add(time.Hour + time.Second))
	waitFor(t, "the lease and the key to be purged", func() bool {
		st := s.Stats()
		return st.Purged.Leases == 1 && st.Purged.IdempotencyKeys == 1
	})
	if r, _ := s.Reserve(ctx, reserve); r.Replayed || r.Used != 2 {
		t.Fatalf("purged key: %+v, want counted anew", r)
	}
}
