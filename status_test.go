package headroom_test

import (
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

func TestStatusAndUsageReports(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 3; i++ {
		f.must(t, headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 100})
	}
	f.must(t, headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeInstances, Amount: 1})
	f.must(t, headroom.Request{Op: headroom.OpAcquire, Code: headroom.CodeConcurrentCalls, Scope: "instance/i-1", LeaseID: "c1", TTL: time.Minute})
	if err := f.e.SetOverride(f.ctx, headroom.Override{Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1", Value: 400}, "ops"); err != nil {
		t.Fatal(err)
	}
	st, err := f.e.Status(f.ctx, acct, headroom.CodeUsers, "instance/i-1")
	if err != nil || !st.Counted || st.Used != 300 || st.Applied.Value != 400 || st.Percent() != 75 {
		t.Fatalf("Status = %+v (%.0f%%), %v", st, st.Percent(), err)
	}
	list, err := f.e.ListStatus(f.ctx, acct, headroom.StatusFilter{Service: "connect", Scope: "instance/i-1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.Quota.Scope != "instance" || s.Quota.Service != "connect" {
			t.Fatalf("instance listing has %s (%s)", s.Quota.Code, s.Quota.Scope)
		}
	}
	if len(list) < 20 {
		t.Fatalf("instance listing has %d quotas", len(list))
	}
	all, err := f.e.ListStatus(f.ctx, acct, headroom.StatusFilter{})
	if err != nil || len(all) != len(f.e.Catalog().Quotas()) {
		t.Fatalf("ListStatus(all) = %d quotas, %v; want the whole catalog", len(all), err)
	}
	if _, err := f.e.ListStatus(f.ctx, acct, headroom.StatusFilter{Scope: "tenant/x"}); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("bad scope: %v", err)
	}
	busy, err := f.e.BusiestUsage(f.ctx, acct)
	if err != nil || len(busy) != 3 {
		t.Fatalf("BusiestUsage = %+v, %v", busy, err)
	}
	// instances 1/2 = 50%, users 300/400 = 75%, calls 1/10 = 10%.
	if busy[0].Quota.Code != headroom.CodeUsers || busy[1].Quota.Code != headroom.CodeInstances || busy[2].Quota.Code != headroom.CodeConcurrentCalls {
		t.Fatalf("busiest order: %s %s %s", busy[0].Quota.Code, busy[1].Quota.Code, busy[2].Quota.Code)
	}
}
