package headroom_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

const aisplAcct = "444455556666"

// TestAISPLRefusesAllConnect: an AISPL account may not use Amazon Connect
// at all. Every enforce operation on a Connect (or Customer Profiles)
// quota, every resource write that takes or frees one, and every change
// request for one is refused with the seed's rule; reads of applied
// values still answer, and quotas of other services are unaffected.
func TestAISPLRefusesAllConnect(t *testing.T) {
	cat, err := headroom.NewCatalog([]headroom.Quota{
		{Code: "L-USERS", Service: "connect", Name: "Users per instance", Kind: headroom.KindCount, Scope: "instance",
			Unit: headroom.UnitCount, Value: 500, Adjustable: true},
		{Code: "HR-RATE", Service: "connect", Name: "Rate of API requests", Kind: headroom.KindRate, Scope: "account",
			Unit: headroom.UnitPerSecond, Value: 2, Burst: 5, Adjustable: true},
		{Code: "HR-CALLS", Service: "connect", Name: "Concurrent calls per instance", Kind: headroom.KindConcurrency, Scope: "instance",
			Unit: headroom.UnitCount, Value: 10, Adjustable: true},
		{Code: "HR-PROFILE", Service: "profile", Name: "Maximum domains per account", Kind: headroom.KindCount, Scope: "account",
			Unit: headroom.UnitCount, Value: 100, Adjustable: true},
		{Code: "L-BUCKETS", Service: "s3", Name: "Buckets", Kind: headroom.KindCount, Scope: "account",
			Unit: headroom.UnitCount, Value: 100, Adjustable: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureWith(t, cat)
	f.account(aisplAcct, t0, headroom.PartnerAISPL)
	refused := func(what string, err error) {
		t.Helper()
		var he *headroom.Error
		if !errors.As(err, &he) || he.Code != headroom.ENOTAVAILABLE || !strings.Contains(he.Message, headroom.AISPLRule) {
			t.Errorf("%s: %v, want ENOTAVAILABLE quoting the seed", what, err)
		}
	}
	for _, r := range []headroom.Request{
		{Op: headroom.OpReserve, Code: "L-USERS", Scope: "instance/i-1", Amount: 1},
		{Op: headroom.OpRelease, Code: "L-USERS", Scope: "instance/i-1", Amount: 1},
		{Op: headroom.OpTake, Code: "HR-RATE", Amount: 1},
		{Op: headroom.OpAcquire, Code: "HR-CALLS", Scope: "instance/i-1", LeaseID: "c1", TTL: time.Minute},
		{Op: headroom.OpAcquire, Code: "HR-CALLS", Scope: "instance/i-1", LeaseID: "c2", TTL: time.Minute, State: "callback-waiting"},
		{Op: headroom.OpRenew, Code: "HR-CALLS", Scope: "instance/i-1", LeaseID: "c1", TTL: time.Minute},
		{Op: headroom.OpReleaseLease, Code: "HR-CALLS", Scope: "instance/i-1", LeaseID: "c1"},
		{Op: headroom.OpReserve, Code: "HR-PROFILE", Amount: 1},
	} {
		r.Account = aisplAcct
		_, err := f.e.Do(f.ctx, r)
		refused(string(r.Op)+" "+r.Code, err)
		res := f.e.Batch(f.ctx, []headroom.Request{r})
		refused("batch "+string(r.Op)+" "+r.Code, res[0].Err)
	}
	_, err = f.e.CreateResource(f.ctx, headroom.ResourceCreate{Resource: headroom.Resource{Account: aisplAcct, Kind: "user", ID: "u-1"},
		Hold: &headroom.Slot{Code: "L-USERS", Scope: "instance/i-1", Amount: 1}})
	refused("resource write", err)
	_, err = f.e.RequestChange(f.ctx, headroom.ChangeInput{Account: aisplAcct, Code: "L-USERS", Scope: "instance/i-1", DesiredValue: 600, SupportCaseAllowed: true})
	refused("increase request", err)
	refused("CheckAvailable", f.e.CheckAvailable(f.ctx, aisplAcct, "HR-CALLS"))
	// Reads answer; another service works; another account works.
	if a, err := f.e.Applied(f.ctx, aisplAcct, "L-USERS", "instance/i-1"); err != nil || a.Value != 500 {
		t.Errorf("read: %+v, %v", a, err)
	}
	if _, err := f.e.Do(f.ctx, headroom.Request{Op: headroom.OpReserve, Account: aisplAcct, Code: "L-BUCKETS", Amount: 1}); err != nil {
		t.Errorf("other service: %v", err)
	}
	if _, err := f.e.RequestChange(f.ctx, headroom.ChangeInput{Account: aisplAcct, Code: "L-BUCKETS", DesiredValue: 200, SupportCaseAllowed: true}); err != nil {
		t.Errorf("other service's request: %v", err)
	}
	if err := f.e.CheckAvailable(f.ctx, acct, "HR-CALLS"); err != nil {
		t.Errorf("non-AISPL account: %v", err)
	}
	f.must(t, headroom.Request{Op: headroom.OpReserve, Code: "L-USERS", Scope: "instance/i-1", Amount: 1})
}

// TestAISPLDefaultCatalog: with the default catalog, the destination and
// attachment checks and allow-list and porting requests are refused too.
func TestAISPLDefaultCatalog(t *testing.T) {
	f := newFixture(t)
	f.account(aisplAcct, t0, headroom.PartnerAISPL)
	for what, err := range map[string]error{
		"destination": second(f.e.CheckDestination(f.ctx, aisplAcct, "", "+12065550100")),
		"attachment":  second(f.e.AddAttachment(f.ctx, aisplAcct, "chat-1", "a.pdf", 10, "k")),
		"allow-list": second(f.e.RequestChange(f.ctx, headroom.ChangeInput{Type: headroom.RequestAllowList, Account: aisplAcct,
			Allow: []string{"+447"}, SupportCaseAllowed: true})),
		"porting": second(f.e.RequestChange(f.ctx, headroom.ChangeInput{Type: headroom.RequestPorting, Account: aisplAcct,
			Number: "+12065550100", SupportCaseAllowed: true})),
	} {
		if headroom.ErrorCodeOf(err) != headroom.ENOTAVAILABLE || !strings.Contains(err.Error(), "AISPL") {
			t.Errorf("%s: %v", what, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }
