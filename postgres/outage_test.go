package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/testsvc"
	"github.com/headroomhq/headroom/postgres"
)

// outageTimeout is the OpTimeout of the outage tests; slack is what a call
// may take beyond it.
const (
	outageTimeout = time.Second
	slack         = 500 * time.Millisecond
)

func reserveOne(ctx context.Context, s *postgres.Store) (time.Duration, error) {
	start := time.Now()
	_, err := s.Reserve(ctx, headroom.CountChange{Key: headroom.UsageKey{Account: acct, Code: "L-1", Scope: headroom.ScopeAccount},
		Amount: 1, Limit: 1 << 40, Now: t0})
	return time.Since(start), err
}

// TestOutageCut cuts the link to PostgreSQL: calls fail with EUNAVAILABLE
// within OpTimeout, and succeed again by themselves once it is restored.
func TestOutageCut(t *testing.T) {
	ctx := context.Background()
	p, url := proxied(t, testsvc.Postgres(t))
	s := openStore(t, postgres.Config{URL: url, OpTimeout: outageTimeout})
	if _, err := reserveOne(ctx, s); err != nil {
		t.Fatal(err)
	}
	p.Cut()
	for i := 0; i < 3; i++ {
		took, err := reserveOne(ctx, s)
		if headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE {
			t.Fatalf("Reserve during a cut = %v, want EUNAVAILABLE", err)
		}
		if took > outageTimeout+slack {
			t.Fatalf("Reserve during a cut took %v, want at most %v", took, outageTimeout+slack)
		}
	}
	if err := s.Ping(ctx); headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE {
		t.Fatalf("Ping during a cut = %v, want EUNAVAILABLE", err)
	}
	p.Restore()
	within(t, 3*time.Second, "Reserve succeeds after the restore", func() bool {
		_, err := reserveOne(ctx, s)
		return err == nil
	})
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after the restore = %v", err)
	}
}

// TestOutageSlow delays every packet beyond OpTimeout: calls fail with
// EUNAVAILABLE within OpTimeout rather than hang, and succeed again once
// the delay is gone.
func TestOutageSlow(t *testing.T) {
	ctx := context.Background()
	p, url := proxied(t, testsvc.Postgres(t))
	s := openStore(t, postgres.Config{URL: url, OpTimeout: outageTimeout})
	if _, err := reserveOne(ctx, s); err != nil {
		t.Fatal(err)
	}
	p.SetDelay(outageTimeout + time.Second)
	took, err := reserveOne(ctx, s)
	if headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE {
		t.Fatalf("Reserve on a slow link = %v, want EUNAVAILABLE", err)
	}
	if took > outageTimeout+slack {
		t.Fatalf("Reserve on a slow link took %v, want at most %v", took, outageTimeout+slack)
	}
	if _, err := s.ListAccounts(ctx); headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE {
		t.Fatalf("ListAccounts on a slow link = %v, want EUNAVAILABLE", err)
	}
	p.SetDelay(0)
	within(t, 5*time.Second, "Reserve succeeds once the link is fast again", func() bool {
		_, err := reserveOne(ctx, s)
		return err == nil
	})
}
