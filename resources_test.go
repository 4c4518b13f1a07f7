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
	create := func(id string) (headroom.ResourceResult, error) {
		return e.CreateResource(ctx, headroom.ResourceCreate{
			Resource: headroom.Resource{Account: acct, Kind: "connect:instance", ID: id},
			Hold:     &headroom.Slot{Code: headroom.CodeInstances, Amount: 1},
			Note:     headroom.Note{Actor: "test", Action: "test"}})
	}
	for i, id := range []string{"a", "b"} {
		if res, err := create(id); err != nil || !res.Applied || res.Used != int64(i+1) || res.ID != id {
			t.Fatalf("create %s = %+v, %v; want applied, used %d", id, res, err, i+1)
		}
	}
	_, err = create("c")
	if headroom.ErrorCodeOf(err) != headroom.EQUOTAEXCEEDED {
		t.Fatalf("third instance: %v", err)
	}
	if want := "Amazon Connect instances per account quota of 2 reached for account 123456789012 (2 in use, 1 requested)"; headroom.ErrorMessage(err) != want {
		t.Errorf("message %q, want %q", headroom.ErrorMessage(err), want)
	}
	if _, err := e.FindResource(ctx, acct, "connect:instance", "c"); headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
		t.Errorf("refused resource stored: %v", err)
	}
	if err := e.DeleteResource(ctx, headroom.ResourceDelete{Account: acct, Kind: "connect:instance", ID: "a",
		Free: &headroom.Slot{Code: headroom.CodeInstances, Amount: 1}, Note: headroom.Note{Actor: "test", Action: "test"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := create("c"); err != nil {
		t.Fatalf("after delete: %v", err)
	}
	hold := func(account, code, scope string) error {
		_, err := e.CreateResource(ctx, headroom.ResourceCreate{Resource: headroom.Resource{Account: account, Kind: "k", ID: "x"},
			Hold: &headroom.Slot{Code: code, Scope: scope, Amount: 1}})
		return err
	}
	if err := hold(acct, headroom.CodeConcurrentCalls, "instance/x"); headroom.ErrorCodeOf(err) != headroom.EWRONGKIND {
		t.Errorf("hold of a concurrency quota: %v", err)
	}
	if err := hold(acct, headroom.CodeUsers, ""); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Errorf("hold without instance scope: %v", err)
	}
	if _, _, err := e.CreateAccount(ctx, headroom.Account{ID: "999999999999", Partner: headroom.PartnerAISPL}, "test"); err != nil {
		t.Fatal(err)
	}
	if err := hold("999999999999", headroom.CodeInstances, ""); headroom.ErrorCodeOf(err) != headroom.ENOTAVAILABLE {
		t.Errorf("AISPL hold: %v", err)
	}
}
