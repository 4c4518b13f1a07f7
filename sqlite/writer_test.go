package sqlite_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/sqlite"
)

// TestFailedWriteUndone runs, among concurrent reserves that share its group
// commit, a transition that changes the request and then fails (its
// override names an unknown account). The transition leaves no trace; the
// reserves all count.
func TestFailedWriteUndone(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  sqlite.Config
	}{
		{"group-commit", sqlite.Config{}},
		{"no-group-commit", sqlite.Config{NoGroupCommit: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := openStore(t, tc.cfg)
			must(t, s.CreateAccount(ctx, headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{}))
			r := headroom.ChangeRequest{ID: "r-1", Type: headroom.RequestIncrease, Account: acct, Code: "L-1", Scope: "account",
				DesiredValue: 9, Status: headroom.StatusPending, Created: t0, LastUpdated: t0}
			must(t, s.CreateChangeRequest(ctx, r, 20, headroom.AuditEntry{}))
			k := headroom.UsageKey{Account: acct, Code: "L-U", Scope: "account"}
			bad := headroom.Transition{RequestID: "r-1", From: headroom.StatusPending, To: headroom.StatusApproved, At: t0}
			apply := &headroom.Override{Account: "999999999999", Code: "L-1", Scope: "account", Value: 9}
			// 8 reservers keep the writer busy, so the failing
			// transitions land in batches with reserves.
			var stop atomic.Bool
			var reserved atomic.Int64
			var wg sync.WaitGroup
			for g := 0; g < 8; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					for i := 0; !stop.Load(); i++ {
						r, err := s.Reserve(ctx, headroom.CountChange{Key: k, Amount: 1, Limit: 1 << 40, IdempotencyKey: fmt.Sprint(g, "-", i), Now: t0})
						if err != nil || !r.Applied {
							t.Errorf("Reserve = %+v, %v", r, err)
							return
						}
						reserved.Add(1)
					}
				}(g)
			}
			for i := 0; i < 100; i++ {
				_, err := s.TransitionChangeRequest(ctx, bad, apply, headroom.AuditEntry{Action: "request.approve", Account: acct})
				if headroom.ErrorCodeOf(err) != headroom.EUNKNOWNACCOUNT {
					t.Errorf("failing transition: %v, want EUNKNOWNACCOUNT", err)
					break
				}
			}
			stop.Store(true)
			wg.Wait()
			got, err := s.FindChangeRequest(ctx, "r-1")
			if err != nil || got.Status != headroom.StatusPending {
				t.Fatalf("request after failed transitions = %+v, %v; want PENDING", got, err)
			}
			if trs, _ := s.ListTransitions(ctx, "r-1"); len(trs) != 1 {
				t.Fatalf("transitions = %+v, want only the first", trs)
			}
			if audit, _ := s.ListAudit(ctx, headroom.AuditFilter{Account: acct}); len(audit) != 0 {
				t.Fatalf("audit of failed transitions = %+v", audit)
			}
			if n, _ := s.CountUsage(ctx, k); n != reserved.Load() {
				t.Fatalf("usage = %d, want %d", n, reserved.Load())
			}
			t.Logf("%v", s.Stats())
		})
	}
}
