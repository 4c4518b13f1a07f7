package headroom_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

// cohortCatalog has one count quota whose default differs for accounts
// created before February 2020, and one rate quota.
func cohortCatalog(t *testing.T) *headroom.Catalog {
	t.Helper()
	cat, err := headroom.NewCatalog([]headroom.Quota{
		{Code: "L-USERS", Service: "connect", Name: "Users per instance", Kind: headroom.KindCount, Scope: "instance",
			Unit: headroom.UnitCount, Value: 500, Adjustable: true,
			Cohorts: []headroom.Cohort{{CreatedBefore: time.Date(2020, 2, 1, 0, 0, 0, 0, time.UTC), Value: 100}}},
		{Code: "HR-RATE", Service: "connect", Name: "Rate of API requests", Kind: headroom.KindRate, Scope: "account",
			Unit: headroom.UnitPerSecond, Value: 2, Burst: 5, Adjustable: true},
		{Code: "L-FIXED", Service: "connect", Name: "Agent status per instance", Kind: headroom.KindCount, Scope: "instance",
			Unit: headroom.UnitCount, Value: 50},
	})
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func TestAppliedValuePrecedence(t *testing.T) {
	f := newFixtureWith(t, cohortCatalog(t))
	old := "100020003000"
	f.account(old, time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC), "")
	applied := func(account, scope string) headroom.Applied {
		t.Helper()
		a, err := f.e.Applied(f.ctx, account, "L-USERS", scope)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	// 4. the catalog default; 3. the cohort default.
	if a := applied(acct, "instance/i-1"); a.Value != 500 || a.Level != headroom.LevelDefault {
		t.Fatalf("new account: %+v", a)
	}
	if a := applied(old, "instance/i-1"); a.Value != 100 || a.Level != headroom.LevelCohort {
		t.Fatalf("2019 account: %+v", a)
	}
	// 2. an account-level override beats the cohort and applies to every instance.
	if err := f.e.SetOverride(f.ctx, headroom.Override{Account: old, Code: "L-USERS", Value: 700}, "ops"); err != nil {
		t.Fatal(err)
	}
	for _, inst := range []string{"instance/i-1", "instance/i-2"} {
		if a := applied(old, inst); a.Value != 700 || a.Level != headroom.LevelAccount {
			t.Fatalf("%s after account override: %+v", inst, a)
		}
	}
	// 1. a resource-level override beats it for that instance only.
	if err := f.e.SetOverride(f.ctx, headroom.Override{Account: old, Code: "L-USERS", Scope: "instance/i-2", Value: 900}, "ops"); err != nil {
		t.Fatal(err)
	}
	if a := applied(old, "instance/i-2"); a.Value != 900 || a.Level != headroom.LevelResource || a.Scope != "instance/i-2" {
		t.Fatalf("i-2 after resource override: %+v", a)
	}
	if a := applied(old, "instance/i-1"); a.Value != 700 {
		t.Fatalf("i-1 after i-2's override: %+v", a)
	}
	// Removing the overrides falls back level by level.
	if err := f.e.DeleteOverride(f.ctx, old, "L-USERS", "instance/i-2", "ops"); err != nil {
		t.Fatal(err)
	}
	if a := applied(old, "instance/i-2"); a.Value != 700 {
		t.Fatalf("i-2 after delete: %+v", a)
	}
	if err := f.e.DeleteOverride(f.ctx, old, "L-USERS", "", "ops"); err != nil {
		t.Fatal(err)
	}
	if a := applied(old, "instance/i-2"); a.Value != 100 || a.Level != headroom.LevelCohort {
		t.Fatalf("after both deletes: %+v", a)
	}
	if err := f.e.DeleteOverride(f.ctx, old, "L-USERS", "", "ops"); headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
		t.Fatalf("delete twice: %v", err)
	}
	// Every change is in the audit log, with who and when.
	audit, _ := f.store.ListAudit(f.ctx, headroom.AuditFilter{Account: old})
	var actions []string
	for _, e := range audit {
		if e.Actor != "ops" || !e.Time.Equal(t0) {
			t.Fatalf("audit entry without who/when: %+v", e)
		}
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, ",") != "override.set,override.set,override.delete,override.delete" {
		t.Fatalf("audit actions = %v", actions)
	}
	if !strings.Contains(audit[0].Detail, "700 (was 100, cohort)") {
		t.Fatalf("audit detail = %q", audit[0].Detail)
	}
}

func TestOverridesAreEnforced(t *testing.T) {
	f := newFixtureWith(t, cohortCatalog(t))
	r := headroom.Request{Op: headroom.OpReserve, Code: "L-USERS", Scope: "instance/i-1", Amount: 1}
	for i := 0; i < 5; i++ {
		f.must(t, r)
	}
	// Lowering below usage: usage stays, admissions wait until it falls below.
	if err := f.e.SetOverride(f.ctx, headroom.Override{Account: acct, Code: "L-USERS", Scope: "instance/i-1", Value: 3}, "ops"); err != nil {
		t.Fatal(err)
	}
	he := f.denied(t, r, headroom.EQUOTAEXCEEDED)
	if he.Message != "Users per instance quota of 3 reached for instance i-1 (5 in use, 1 requested)" {
		t.Fatalf("message %q", he.Message)
	}
	for i := 0; i < 3; i++ {
		f.must(t, headroom.Request{Op: headroom.OpRelease, Code: "L-USERS", Scope: "instance/i-1", Amount: 1})
	}
	if d := f.must(t, r); d.Used != 3 || d.Limit != 3 || d.Level != headroom.LevelResource {
		t.Fatalf("after falling below: %+v", d)
	}
	// A raised rate scales the burst with it: 4/s gets a burst of 10.
	if err := f.e.SetOverride(f.ctx, headroom.Override{Account: acct, Code: "HR-RATE", Value: 4}, "ops"); err != nil {
		t.Fatal(err)
	}
	take := headroom.Request{Op: headroom.OpTake, Code: "HR-RATE", Amount: 1}
	for i := 0; i < 10; i++ {
		f.must(t, take)
	}
	he = f.denied(t, take, headroom.ETHROTTLED)
	if he.Denial.RetryAfter != 250*time.Millisecond {
		t.Fatalf("retry after %v, want 250ms at 4/s", he.Denial.RetryAfter)
	}
}

func TestOverrideRules(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name string
		o    headroom.Override
		want headroom.ErrorCode
	}{
		{"not adjustable", headroom.Override{Code: "L-D945C9A8", Scope: "instance/i-1", Value: 60}, headroom.ENOTADJUSTABLE},
		{"feature specification", headroom.Override{Code: headroom.CodeAttachmentSize, Value: 40}, headroom.ENOTADJUSTABLE},
		{"unknown quota", headroom.Override{Code: "L-00000000", Value: 1}, headroom.EUNKNOWNQUOTA},
		{"unknown account", headroom.Override{Account: "999999999999", Code: headroom.CodeUsers, Value: 1}, headroom.EUNKNOWNACCOUNT},
		{"NaN", headroom.Override{Code: headroom.CodeUsers, Value: math.NaN()}, headroom.EINVALID},
		{"infinite", headroom.Override{Code: headroom.CodeUsers, Value: math.Inf(1)}, headroom.EINVALID},
		{"negative", headroom.Override{Code: headroom.CodeUsers, Value: -1}, headroom.EINVALID},
		{"above 1e10", headroom.Override{Code: headroom.CodeUsers, Value: 2e10}, headroom.EINVALID},
		{"zero rate", headroom.Override{Code: headroom.CodeConnectAPIRate, Value: 0}, headroom.EINVALID},
		{"scope of another type", headroom.Override{Code: headroom.CodeUsers, Scope: "domain/d-1", Value: 1}, headroom.EINVALID},
		{"scope deeper than the quota", headroom.Override{Code: headroom.CodeUsers, Scope: "instance/i-1/agent/a-1", Value: 1}, headroom.EINVALID},
		{"set entries on a count", headroom.Override{Code: headroom.CodeUsers, Allow: []string{"+1"}}, headroom.EINVALID},
		{"set override without entries", headroom.Override{Code: headroom.CodeOutboundCountries}, headroom.EINVALID},
	} {
		if tc.o.Account == "" {
			tc.o.Account = acct
		}
		err := f.e.SetOverride(f.ctx, tc.o, "ops")
		if got := headroom.ErrorCodeOf(err); got != tc.want {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.want)
		}
	}
	// Nothing was half-applied: no override and no audit entry exists.
	if ovs, _ := f.store.ListOverrides(f.ctx, acct); len(ovs) != 0 {
		t.Fatalf("overrides after refusals: %+v", ovs)
	}
	if audit, _ := f.store.ListAudit(f.ctx, headroom.AuditFilter{}); len(audit) != 0 {
		t.Fatalf("audit after refusals: %+v", audit)
	}
	err := f.e.SetOverride(f.ctx, headroom.Override{Account: acct, Code: "L-D945C9A8", Value: 60}, "ops")
	if !strings.Contains(headroom.ErrorMessage(err), "Agent status per instance (L-D945C9A8) cannot be increased") {
		t.Fatalf("not adjustable message: %v", err)
	}
	// A per-instance override on a per-routing-profile quota is fine.
	if err := f.e.SetOverride(f.ctx, headroom.Override{Account: acct, Code: headroom.CodeQueuesPerProfile, Scope: "instance/i-1", Value: 60}, "ops"); err != nil {
		t.Fatal(err)
	}
	if a, _ := f.e.Applied(f.ctx, acct, headroom.CodeQueuesPerProfile, "instance/i-1/routing-profile/rp-9"); a.Value != 60 || a.Level != headroom.LevelResource {
		t.Fatalf("routing profile under overridden instance: %+v", a)
	}
}

func TestBadRequests(t *testing.T) {
	f := newFixture(t)
	users := func(r headroom.Request) headroom.Request {
		r.Code, r.Scope = headroom.CodeUsers, "instance/i-1"
		return r
	}
	for _, tc := range []struct {
		name  string
		r     headroom.Request
		want  headroom.ErrorCode
		field string
	}{
		{"unknown op", users(headroom.Request{Op: "grab", Amount: 1}), headroom.EINVALID, "op"},
		{"unknown quota", headroom.Request{Op: headroom.OpReserve, Code: "L-FFFFFFFF", Amount: 1}, headroom.EUNKNOWNQUOTA, "code"},
		{"unknown account", users(headroom.Request{Op: headroom.OpReserve, Account: "999999999999", Amount: 1}), headroom.EUNKNOWNACCOUNT, ""},
		{"zero amount", users(headroom.Request{Op: headroom.OpReserve}), headroom.EINVALID, "amount"},
		{"negative amount", users(headroom.Request{Op: headroom.OpReserve, Amount: -3}), headroom.EINVALID, "amount"},
		{"negative release", users(headroom.Request{Op: headroom.OpRelease, Amount: -1}), headroom.EINVALID, "amount"},
		{"zero tokens", headroom.Request{Op: headroom.OpTake, Code: headroom.CodeConnectAPIRate}, headroom.EINVALID, "amount"},
		{"scope on an account bucket", headroom.Request{Op: headroom.OpTake, Code: headroom.CodeConnectAPIRate, Scope: "operation/CreateUser", Amount: 1}, headroom.EINVALID, "scope"},
		{"more tokens than the burst", headroom.Request{Op: headroom.OpTake, Code: headroom.CodeConnectAPIRate, Amount: 6}, headroom.EINVALID, "amount"},
		{"take on a count", users(headroom.Request{Op: headroom.OpTake, Amount: 1}), headroom.EWRONGKIND, "op"},
		{"reserve on a rate", headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeConnectAPIRate, Amount: 1}, headroom.EWRONGKIND, "op"},
		{"acquire on a count", users(headroom.Request{Op: headroom.OpAcquire, LeaseID: "x", TTL: time.Minute}), headroom.EWRONGKIND, "op"},
		{"reserve on a concurrency", headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeConcurrentCalls, Scope: "instance/i-1", Amount: 1}, headroom.EWRONGKIND, "op"},
		{"check on a count", users(headroom.Request{Op: headroom.OpCheck, Size: 1}), headroom.EWRONGKIND, "op"},
		{"reserve on a size", headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeAttachmentSize, Amount: 1}, headroom.EWRONGKIND, "op"},
		{"missing scope", headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeUsers, Amount: 1}, headroom.EINVALID, "scope"},
		{"scope on an account quota", headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeInstances, Scope: "instance/i-1", Amount: 1}, headroom.EINVALID, "scope"},
		{"scope of the wrong type", headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeUsers, Scope: "domain/d-1", Amount: 1}, headroom.EINVALID, "scope"},
		{"empty scope id", headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeUsers, Scope: "instance/", Amount: 1}, headroom.EINVALID, "scope"},
		{"bad scope id", headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeUsers, Scope: "instance/i 1", Amount: 1}, headroom.EINVALID, "scope"},
		{"missing lease id", headroom.Request{Op: headroom.OpAcquire, Code: headroom.CodeConcurrentCalls, Scope: "instance/i-1", TTL: time.Minute}, headroom.EINVALID, "lease_id"},
		{"zero ttl", headroom.Request{Op: headroom.OpAcquire, Code: headroom.CodeConcurrentCalls, Scope: "instance/i-1", LeaseID: "c", TTL: 0}, headroom.EINVALID, "ttl"},
		{"negative ttl", headroom.Request{Op: headroom.OpRenew, Code: headroom.CodeConcurrentCalls, Scope: "instance/i-1", LeaseID: "c", TTL: -time.Second}, headroom.EINVALID, "ttl"},
		{"huge ttl", headroom.Request{Op: headroom.OpAcquire, Code: headroom.CodeConcurrentCalls, Scope: "instance/i-1", LeaseID: "c", TTL: 400 * 24 * time.Hour}, headroom.EINVALID, "ttl"},
		{"negative duration", headroom.Request{Op: headroom.OpCheck, Code: headroom.CodeTaskDuration, Duration: -time.Hour}, headroom.EINVALID, "duration"},
		{"empty set value", headroom.Request{Op: headroom.OpCheck, Code: headroom.CodeOutboundCountries, Value: " "}, headroom.EINVALID, "value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			he := f.denied(t, tc.r, tc.want)
			if he.Field != tc.field {
				t.Fatalf("field = %q, want %q (%v)", he.Field, tc.field, he)
			}
			if he.Message == "" {
				t.Fatal("empty message")
			}
		})
	}
	// None of the bad requests counted anything.
	if u, _ := f.store.ListUsage(f.ctx, acct, f.clk.Now()); len(u) != 0 {
		t.Fatalf("usage after bad requests: %+v", u)
	}
}
