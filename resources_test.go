package headroom_test

import (
	"context"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/catalog"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/memory"
)

func TestHoldCreateDeleteResource(t *testing.T) {
	ctx := context.Background()
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	store := memory.NewStore()
	e, err := headroom.NewEngine(headroom.Config{Catalog: cat, Store: store, Limiter: memory.NewLimiter(clk), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	const acct = "123456789012"
	if _, _, err := e.CreateAccount(ctx, headroom.Account{ID: acct}, "test"); err != nil {
		t.Fatal(err)
	}
	create := func(id string) (headroom.CountResult, error) {
		hold, a, err := e.Hold(ctx, acct, headroom.CodeInstances, "", 1)
		if err != nil {
			return headroom.CountResult{}, err
		}
		if hold.Limit != 2 || a.Value != 2 {
			t.Fatalf("hold limit %d applied %v, want 2", hold.Limit, a.Value)
		}
		res, err := store.CreateResource(ctx, headroom.Resource{Account: acct, Kind: "connect:instance", ID: id, Created: clk.Now(), Updated: clk.Now()}, hold, headroom.AuditEntry{Time: clk.Now(), Actor: "test", Account: acct, Action: "test"})
		if err == nil && !res.Applied {
			err = e.HoldDenied(hold, a, res)
		}
		return res, err
	}
	for _, id := range []string{"a", "b"} {
		if _, err := create(id); err != nil {
			t.Fatal(err)
		}
	}
	_, err = create("c")
	if headroom.ErrorCodeOf(err) != headroom.EQUOTAEXCEEDED {
		t.Fatalf("third instance: %v", err)
	}
	if want := "Amazon Connect instances per account quota of 2 reached for account 123456789012 (2 in use, 1 requested)"; headroom.ErrorMessage(err) != want {
		t.Errorf("message %q, want %q", headroom.ErrorMessage(err), want)
	}
	if _, err := store.FindResource(ctx, acct, "connect:instance", "c"); headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
		t.Errorf("refused resource stored: %v", err)
	}
	if err := store.DeleteResource(ctx, acct, "connect:instance", "a", e.Free(acct, headroom.CodeInstances, "", 1), headroom.AuditEntry{Time: clk.Now(), Actor: "test", Account: acct, Action: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := create("c"); err != nil {
		t.Fatalf("after delete: %v", err)
	}
	if _, _, err := e.Hold(ctx, acct, headroom.CodeConcurrentCalls, "instance/x", 1); headroom.ErrorCodeOf(err) != headroom.EWRONGKIND {
		t.Errorf("hold of a concurrency quota: %v", err)
	}
	if _, _, err := e.Hold(ctx, acct, headroom.CodeUsers, "", 1); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Errorf("hold without instance scope: %v", err)
	}
	if _, _, err := e.CreateAccount(ctx, headroom.Account{ID: "999999999999", Partner: headroom.PartnerAISPL}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Hold(ctx, "999999999999", headroom.CodeInstances, "", 1); headroom.ErrorCodeOf(err) != headroom.ENOTAVAILABLE {
		t.Errorf("AISPL hold: %v", err)
	}
}
