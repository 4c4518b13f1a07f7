package postgres_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/testsvc"
	"github.com/headroomhq/headroom/postgres"
)

// TestGroupCommit sends 64 callers' reserves and releases on one hot
// counter through group commit: no more reserves are admitted than the
// limit allows, the counter ends where the answers say, and batches carried
// several changes each.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, postgres.Config{URL: testsvc.Postgres(t), OpTimeout: contractTimeout})
	k := headroom.UsageKey{Account: acct, Code: "L-1", Scope: headroom.ScopeAccount}
	const callers, each, limit = 64, 40, 1000
	var admitted, released atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < callers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < each; j++ {
				if i%8 == 0 && j%2 == 1 {
					r, err := s.Release(ctx, headroom.CountChange{Key: k, Amount: 1, Now: t0})
					if err != nil || !r.Applied {
						t.Errorf("Release = %+v, %v", r, err)
						return
					}
					released.Add(1)
					continue
				}
				r, err := s.Reserve(ctx, headroom.CountChange{Key: k, Amount: 1, Limit: limit, Now: t0})
				if err != nil {
					t.Errorf("Reserve: %v", err)
					return
				}
				if r.Used > limit {
					t.Errorf("Reserve answered used %d above the limit %d", r.Used, limit)
				}
				if r.Applied {
					admitted.Add(1)
				}
			}
		}(i)
	}
	wg.Wait()
	used, err := s.CountUsage(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	// Releases never go below zero, so the counter is at least
	// admitted - released and at most the limit.
	if used > limit || used < admitted.Load()-released.Load() || admitted.Load() < limit {
		t.Fatalf("used %d after %d admitted and %d released (limit %d)", used, admitted.Load(), released.Load(), limit)
	}
	st := s.Stats()
	if st.Batched != callers*each || st.Batches >= st.Batched {
		t.Fatalf("%d changes in %d batches; want all %d, several per batch", st.Batched, st.Batches, callers*each)
	}
	t.Logf("%d changes in %d commits", st.Batched, st.Batches)
}

// TestGroupCommitSameKey races 64 callers on one idempotency key, half of
// them through a second Store: the change is applied once, every other
// caller gets the replay, and a different change with the key is refused.
func TestGroupCommitSameKey(t *testing.T) {
	ctx := context.Background()
	url := testsvc.Postgres(t)
	stores := []*postgres.Store{
		openStore(t, postgres.Config{URL: url, OpTimeout: contractTimeout}),
		openStore(t, postgres.Config{URL: url, OpTimeout: contractTimeout}),
	}
	k := headroom.UsageKey{Account: acct, Code: "L-1", Scope: headroom.ScopeAccount}
	for round, amount := range []int64{3, 5} {
		key := "same-" + string(rune('a'+round))
		var applied, replayed atomic.Int64
		var wg sync.WaitGroup
		for i := 0; i < 64; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r, err := stores[i%2].Reserve(ctx, headroom.CountChange{Key: k, Amount: amount, Limit: 100, IdempotencyKey: key, Now: t0})
				if err != nil || !r.Applied {
					t.Errorf("Reserve = %+v, %v", r, err)
					return
				}
				if r.Replayed {
					replayed.Add(1)
				} else {
					applied.Add(1)
				}
			}(i)
		}
		wg.Wait()
		if applied.Load() != 1 || replayed.Load() != 63 {
			t.Fatalf("key %s: %d applied and %d replayed; want 1 and 63", key, applied.Load(), replayed.Load())
		}
	}
	if used, err := stores[0].CountUsage(ctx, k); err != nil || used != 8 {
		t.Fatalf("used = %d, %v; want 8 (3 and 5, once each)", used, err)
	}
	_, err := stores[1].Release(ctx, headroom.CountChange{Key: k, Amount: 3, IdempotencyKey: "same-a", Now: t0})
	if headroom.ErrorCodeOf(err) != headroom.ECONFLICT {
		t.Fatalf("Release with a reserve's key = %v, want ECONFLICT", err)
	}
	r, err := stores[1].Release(ctx, headroom.CountChange{Key: k, Amount: 3, IdempotencyKey: "rel-1", Now: t0})
	if err != nil || !r.Applied || r.Used != 5 {
		t.Fatalf("Release = %+v, %v; want applied, used 5", r, err)
	}
	r, err = stores[0].Release(ctx, headroom.CountChange{Key: k, Amount: 3, IdempotencyKey: "rel-1", Now: t0})
	if err != nil || !r.Replayed || r.Used != 5 {
		t.Fatalf("Release again = %+v, %v; want replayed, used 5", r, err)
	}
}
