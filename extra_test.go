package headroom_test

import (
	"errors"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

// edgeQuota is an extra rate quota as the rls package makes one: 10
// requests per minute, a burst of 10, one bucket per descriptor value.
func edgeQuota(code string) headroom.Quota {
	return headroom.Quota{Code: code, Service: "rls", Name: "edge: path", Kind: headroom.KindRate,
		Scope: headroom.ScopeDescriptor, Unit: headroom.UnitPerSecond, Value: 10.0 / 60, Burst: 10, Adjustable: true}
}

// TestExtraQuotasRejectsBadSets: a non-rate quota, a catalog code or a
// duplicate is refused and the previous set stays in force.
func TestExtraQuotasRejectsBadSets(t *testing.T) {
	f := newFixture(t)
	if err := f.e.SetExtraQuotas([]headroom.Quota{edgeQuota("RLS-edge-a")}); err != nil {
		t.Fatal(err)
	}
	count := edgeQuota("RLS-edge-b")
	count.Kind, count.Unit, count.Burst = headroom.KindCount, headroom.UnitCount, 0
	for name, set := range map[string][]headroom.Quota{
		"count":     {count},
		"catalog":   {func() headroom.Quota { q := edgeQuota(headroom.CodeConnectAPIRate); return q }()},
		"duplicate": {edgeQuota("RLS-edge-c"), edgeQuota("RLS-edge-c")},
		"invalid":   {func() headroom.Quota { q := edgeQuota("RLS-edge-d"); q.Burst = 0; return q }()},
	} {
		var he *headroom.Error
		if err := f.e.SetExtraQuotas(set); !errors.As(err, &he) || he.Code != headroom.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	if qs := f.e.ExtraQuotas(); len(qs) != 1 || qs[0].Code != "RLS-edge-a" || !qs[0].IsExtra() {
		t.Fatalf("extra quotas after refusals: %v", qs)
	}
}

// TestExtraQuotaIsAQuota: an extra quota is taken from, listed, overridden
// and raised by an approved request like a catalog quota, and leaves with
// the next set.
func TestExtraQuotaIsAQuota(t *testing.T) {
	f := newFixture(t)
	const code = "RLS-edge-path"
	if err := f.e.SetExtraQuotas([]headroom.Quota{edgeQuota(code)}); err != nil {
		t.Fatal(err)
	}
	take := headroom.Request{Op: headroom.OpTake, Account: acct, Code: code, Scope: "descriptor/a", Amount: 1}
	for i := 0; i < 10; i++ {
		f.must(t, take)
	}
	f.denied(t, take, headroom.ETHROTTLED)
	// Another descriptor value has a bucket of its own.
	f.must(t, headroom.Request{Op: headroom.OpTake, Account: acct, Code: code, Scope: "descriptor/b", Amount: 1})

	// Anonymous: no account, the default, its own buckets.
	anon := take
	anon.Account = ""
	if d, err := f.e.Do(f.ctx, anon); err != nil || !d.Allowed || d.Level != headroom.LevelDefault {
		t.Fatalf("anonymous take: %+v, %v", d, err)
	}

	// An override doubles the rate and, with it, the burst.
	if err := f.e.SetOverride(f.ctx, headroom.Override{Account: acct, Code: code, Value: 20.0 / 60}, "op"); err != nil {
		t.Fatal(err)
	}
	a, err := f.e.Applied(f.ctx, acct, code, "descriptor/a")
	if err != nil || a.Burst != 20 || a.Level != headroom.LevelAccount {
		t.Fatalf("applied after override: %+v, %v", a, err)
	}
	// The bucket refills to the new burst.
	f.clk.Advance(time.Minute)
	for i := 0; i < 20; i++ {
		f.must(t, take)
	}
	f.denied(t, take, headroom.ETHROTTLED)

	// ListStatus of the service shows it.
	sts, err := f.e.ListStatus(f.ctx, acct, headroom.StatusFilter{Service: "rls"})
	if err != nil || len(sts) != 1 || sts[0].Quota.Code != code || sts[0].Applied.Value != 20.0/60 {
		t.Fatalf("ListStatus: %+v, %v", sts, err)
	}

	// An approved increase request moves it further.
	r, err := f.e.RequestChange(f.ctx, headroom.ChangeInput{Account: acct, Code: code, DesiredValue: 1, SupportCaseAllowed: true, Requester: acct})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.DecideRequest(f.ctx, r.ID, headroom.RequestDecision{To: headroom.StatusApproved}, "op"); err != nil {
		t.Fatal(err)
	}
	if a, err := f.e.Applied(f.ctx, acct, code, ""); err != nil || a.Value != 1 || a.Burst != 60 {
		t.Fatalf("applied after approval: %+v, %v", a, err)
	}

	// Batch sees it too.
	f.clk.Advance(time.Hour)
	res := f.e.Batch(f.ctx, []headroom.Request{take, anon})
	for i, r := range res {
		if r.Err != nil || !r.Decision.Allowed {
			t.Fatalf("batch item %d: %+v, %v", i, r.Decision, r.Err)
		}
	}

	// The next set drops it: unknown again, the override kept in the store.
	if err := f.e.SetExtraQuotas(nil); err != nil {
		t.Fatal(err)
	}
	var he *headroom.Error
	if _, err := f.do(take); !errors.As(err, &he) || he.Code != headroom.EUNKNOWNQUOTA {
		t.Fatalf("take of a dropped quota: %v", err)
	}
	if err := f.e.SetExtraQuotas([]headroom.Quota{edgeQuota(code)}); err != nil {
		t.Fatal(err)
	}
	if a, err := f.e.Applied(f.ctx, acct, code, ""); err != nil || a.Value != 1 {
		t.Fatalf("applied after the quota returned: %+v, %v", a, err)
	}
}
