// Package storetest is the contract suite every headroom.Store and
// headroom.Limiter must pass. A backend is correct when the suite passes
// unchanged against it.
package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

// T0 is the time every suite clock starts at.
var T0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// NewStoreFunc returns a fresh, empty store for one subtest. The suite does
// not close it; register cleanup with t.Cleanup.
type NewStoreFunc func(t *testing.T) headroom.Store

// contract is one named test of the suite.
type contract struct {
	name string
	fn   func(t *testing.T, s headroom.Store)
}

// The suite, split by the Store's roles. A role's tests call only that
// role's methods, and AuditStore's ListAudit to see the entries its writes
// append, so a new backend can be brought up one role at a time: embed a
// headroom.Store that is nil for the roles not written yet, and run the
// role's suite.
var (
	usageContracts = []contract{
		{"ReserveRelease", testReserveRelease},
		{"Idempotency", testIdempotency},
		{"SetUsage", testSetUsage},
		{"Leases", testLeases},
		{"LeaseExpiry", testLeaseExpiry},
		{"ListUsage", testListUsage},
		{"Purge", testPurge},
		{"Counters", testCounters},
		{"RaceCount", testRaceCount},
		{"RaceLease", testRaceLease},
	}
	accountContracts = []contract{
		{"Accounts", testAccounts},
		{"Overrides", testOverrides},
		{"AccessKeys", testAccessKeys},
		{"Tokens", testTokens},
	}
	workflowContracts = []contract{
		{"ChangeRequests", testChangeRequests},
		{"Template", testTemplate},
	}
	resourceContracts = []contract{
		{"Tags", testTags},
		{"Resources", testResources},
		{"ResourceList", testResourceList},
		{"ResourceUpdateHolds", testResourceUpdateHolds},
		{"ResourceTokens", testResourceTokens},
		{"ResourceTree", testResourceTree},
		{"RaceResources", testRaceResources},
		{"RaceResourceToken", testRaceResourceToken},
		{"RaceResourceVersion", testRaceResourceVersion},
		{"RaceCreateDuringDelete", testRaceCreateDuringDelete},
		{"RaceTags", testRaceTags},
		{"ResourceUses", testResourceUses},
		{"RaceUseDuringDelete", testRaceUseDuringDelete},
		{"ResourceLeases", testResourceLeases},
	}
	auditContracts = []contract{
		{"Audit", testAudit},
		{"AuditRetention", testAuditRetention},
	}
)

func run(t *testing.T, newStore NewStoreFunc, suites ...[]contract) {
	for _, suite := range suites {
		for _, c := range suite {
			t.Run(c.name, func(t *testing.T) { c.fn(t, newStore(t)) })
		}
	}
}

// TestStore runs the whole Store contract against stores made by newStore.
func TestStore(t *testing.T, newStore NewStoreFunc) {
	run(t, newStore, usageContracts, accountContracts, workflowContracts, resourceContracts, auditContracts, historyContracts, alarmContracts)
}

// TestUsageStore runs the contract of the UsageStore role.
func TestUsageStore(t *testing.T, newStore NewStoreFunc) { run(t, newStore, usageContracts) }

// TestAccountStore runs the contract of the AccountStore role.
func TestAccountStore(t *testing.T, newStore NewStoreFunc) { run(t, newStore, accountContracts) }

// TestWorkflowStore runs the contract of the WorkflowStore role.
func TestWorkflowStore(t *testing.T, newStore NewStoreFunc) { run(t, newStore, workflowContracts) }

// TestResourceStore runs the contract of the ResourceStore role.
func TestResourceStore(t *testing.T, newStore NewStoreFunc) { run(t, newStore, resourceContracts) }

// TestAuditStore runs the contract of the AuditStore role.
func TestAuditStore(t *testing.T, newStore NewStoreFunc) { run(t, newStore, auditContracts) }

// Account is the suite's account id.
const Account = "111122223333"

func mustAccount(t *testing.T, s headroom.Store, id string) {
	t.Helper()
	if err := s.CreateAccount(context.Background(), headroom.Account{ID: id, Created: T0}, headroom.AuditEntry{}); err != nil {
		t.Fatalf("CreateAccount(%s): %v", id, err)
	}
}

func wantCode(t *testing.T, err error, code headroom.ErrorCode) {
	t.Helper()
	if got := headroom.ErrorCodeOf(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func testAccounts(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	a := headroom.Account{ID: "222233334444", Created: T0, Partner: headroom.PartnerAISPL}
	if err := s.CreateAccount(ctx, a, headroom.AuditEntry{Time: T0, Actor: "op", Account: a.ID, Action: "account.create"}); err != nil {
		t.Fatal(err)
	}
	mustAccount(t, s, Account)
	wantCode(t, s.CreateAccount(ctx, a, headroom.AuditEntry{}), headroom.ECONFLICT)
	got, err := s.FindAccount(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != a.ID || !got.Created.Equal(a.Created) || got.Partner != a.Partner {
		t.Fatalf("FindAccount = %+v, want %+v", got, a)
	}
	_, err = s.FindAccount(ctx, "999999999999")
	wantCode(t, err, headroom.EUNKNOWNACCOUNT)
	list, err := s.ListAccounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != Account || list[1].ID != a.ID {
		t.Fatalf("ListAccounts = %+v, want [%s %s]", list, Account, a.ID)
	}
	audit, err := s.ListAudit(ctx, headroom.AuditFilter{Account: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 1 || audit[0].Action != "account.create" {
		t.Fatalf("audit after create = %+v, want one account.create", audit)
	}
}

func testOverrides(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	mustAccount(t, s, Account)
	o := headroom.Override{Account: Account, Code: "L-1", Scope: headroom.ScopeAccount, Value: 10, UpdatedBy: "op", UpdatedAt: T0}
	wantCode(t, s.PutOverride(ctx, headroom.Override{Account: "999999999999", Code: "L-1", Scope: "account", Value: 1}, headroom.AuditEntry{}), headroom.EUNKNOWNACCOUNT)
	if err := s.PutOverride(ctx, o, headroom.AuditEntry{Time: T0, Actor: "op", Account: Account, Action: "override.set", Code: "L-1"}); err != nil {
		t.Fatal(err)
	}
	inst := headroom.Override{Account: Account, Code: "L-1", Scope: "instance/i-1", Value: 20}
	if err := s.PutOverride(ctx, inst, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	set := headroom.Override{Account: Account, Code: "L-0", Scope: headroom.ScopeAccount, Allow: []string{"+447"}, Deny: []string{"+1"}}
	if err := s.PutOverride(ctx, set, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	// Replace keeps one override per (account, code, scope).
	o.Value = 15
	if err := s.PutOverride(ctx, o, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindOverrides(ctx, Account, "L-1")
	if err != nil {
		t.Fatal(err)
	}
	byScope := map[string]headroom.Override{}
	for _, x := range got {
		byScope[x.Scope] = x
	}
	if len(got) != 2 || byScope["account"].Value != 15 || byScope["instance/i-1"].Value != 20 {
		t.Fatalf("FindOverrides = %+v, want account=15 and instance/i-1=20", got)
	}
	if byScope["account"].UpdatedBy != "op" || !byScope["account"].UpdatedAt.Equal(T0) {
		t.Fatalf("override lost who/when: %+v", byScope["account"])
	}
	list, err := s.ListOverrides(ctx, Account)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].Code != "L-0" || list[1].Scope != "account" || list[2].Scope != "instance/i-1" {
		t.Fatalf("ListOverrides = %+v, want ordered by code then scope", list)
	}
	if fmt.Sprint(list[0].Allow, list[0].Deny) != "[+447] [+1]" {
		t.Fatalf("set override entries = %v %v", list[0].Allow, list[0].Deny)
	}
	if err := s.DeleteOverride(ctx, Account, "L-1", "instance/i-1", headroom.AuditEntry{Time: T0, Action: "override.delete", Account: Account}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteOverride(ctx, Account, "L-1", "instance/i-1", headroom.AuditEntry{}), headroom.ENOTFOUND)
	got, _ = s.FindOverrides(ctx, Account, "L-1")
	if len(got) != 1 {
		t.Fatalf("after delete: %+v", got)
	}
	none, err := s.FindOverrides(ctx, Account, "L-404")
	if err != nil || len(none) != 0 {
		t.Fatalf("FindOverrides(no overrides) = %v, %v", none, err)
	}
	audit, _ := s.ListAudit(ctx, headroom.AuditFilter{Account: Account})
	if len(audit) != 2 || audit[0].Action != "override.set" || audit[1].Action != "override.delete" {
		t.Fatalf("audit = %+v, want override.set then override.delete", audit)
	}
}

func key(code, scope string) headroom.UsageKey {
	return headroom.UsageKey{Account: Account, Code: code, Scope: scope}
}

func testReserveRelease(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	k := key("L-U", "instance/i-1")
	r, err := s.Reserve(ctx, headroom.CountChange{Key: k, Amount: 3, Limit: 5, Now: T0})
	if err != nil || !r.Applied || r.Used != 3 {
		t.Fatalf("Reserve 3/5 = %+v, %v", r, err)
	}
	r, err = s.Reserve(ctx, headroom.CountChange{Key: k, Amount: 3, Limit: 5, Now: T0})
	if err != nil || r.Applied || r.Used != 3 {
		t.Fatalf("Reserve beyond limit = %+v, %v; want refused with used 3", r, err)
	}
	r, err = s.Reserve(ctx, headroom.CountChange{Key: k, Amount: 2, Limit: 5, Now: T0})
	if err != nil || !r.Applied || r.Used != 5 {
		t.Fatalf("Reserve to the limit = %+v, %v", r, err)
	}
	// Other scopes and codes count apart.
	if r, _ := s.Reserve(ctx, headroom.CountChange{Key: key("L-U", "instance/i-2"), Amount: 5, Limit: 5, Now: T0}); !r.Applied || r.Used != 5 {
		t.Fatalf("other scope = %+v", r)
	}
	// A lowered limit: usage above it stays, new admissions wait.
	if r, _ := s.Reserve(ctx, headroom.CountChange{Key: k, Amount: 1, Limit: 3, Now: T0}); r.Applied || r.Used != 5 {
		t.Fatalf("reserve under lowered limit = %+v", r)
	}
	r, err = s.Release(ctx, headroom.CountChange{Key: k, Amount: 4, Now: T0})
	if err != nil || !r.Applied || r.Used != 1 {
		t.Fatalf("Release 4 = %+v, %v", r, err)
	}
	r, err = s.Release(ctx, headroom.CountChange{Key: k, Amount: 10, Now: T0})
	if err != nil || r.Used != 0 {
		t.Fatalf("Release below zero = %+v, %v; want used 0", r, err)
	}
	if n, err := s.CountUsage(ctx, k); err != nil || n != 0 {
		t.Fatalf("CountUsage = %d, %v; want 0", n, err)
	}
	if n, err := s.CountUsage(ctx, key("L-never", "account")); err != nil || n != 0 {
		t.Fatalf("CountUsage(unused) = %d, %v", n, err)
	}
}

func testIdempotency(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	k := key("L-U", "instance/i-1")
	c := headroom.CountChange{Key: k, Amount: 2, Limit: 10, IdempotencyKey: "req-1", Now: T0}
	for i := 0; i < 3; i++ {
		r, err := s.Reserve(ctx, c)
		if err != nil || !r.Applied || r.Used != 2 || r.Replayed != (i > 0) {
			t.Fatalf("Reserve try %d = %+v, %v; want used 2 counted once", i, r, err)
		}
	}
	// The same key for a different change is a conflict, and changes nothing.
	bad := c
	bad.Amount = 3
	_, err := s.Reserve(ctx, bad)
	wantCode(t, err, headroom.ECONFLICT)
	_, err = s.Release(ctx, headroom.CountChange{Key: k, Amount: 2, IdempotencyKey: "req-1", Now: T0})
	wantCode(t, err, headroom.ECONFLICT)
	rel := headroom.CountChange{Key: k, Amount: 1, IdempotencyKey: "rel-1", Now: T0}
	for i := 0; i < 3; i++ {
		r, err := s.Release(ctx, rel)
		if err != nil || r.Used != 1 || r.Replayed != (i > 0) {
			t.Fatalf("Release try %d = %+v, %v; want used 1 freed once", i, r, err)
		}
	}
	// A refused reserve records nothing: the same key succeeds later.
	full := headroom.CountChange{Key: k, Amount: 20, Limit: 10, IdempotencyKey: "req-2", Now: T0}
	if r, _ := s.Reserve(ctx, full); r.Applied {
		t.Fatalf("reserve of 20/10 applied")
	}
	full.Limit = 30
	if r, err := s.Reserve(ctx, full); err != nil || !r.Applied || r.Replayed || r.Used != 21 {
		t.Fatalf("retry after refusal = %+v, %v; want applied, used 21", r, err)
	}
	if n, _ := s.CountUsage(ctx, k); n != 21 {
		t.Fatalf("usage = %d, want 21", n)
	}
}

func testSetUsage(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	mustAccount(t, s, Account)
	k := key("L-U", "instance/i-1")
	if err := s.SetUsage(ctx, k, 42, headroom.AuditEntry{Time: T0, Actor: "op", Account: Account, Action: "usage.reconcile", Code: "L-U"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountUsage(ctx, k); n != 42 {
		t.Fatalf("after SetUsage: %d", n)
	}
	if r, _ := s.Reserve(ctx, headroom.CountChange{Key: k, Amount: 1, Limit: 42, Now: T0}); r.Applied {
		t.Fatal("reserve beyond reconciled usage applied")
	}
	if err := s.SetUsage(ctx, k, 0, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountUsage(ctx, k); n != 0 {
		t.Fatalf("after SetUsage 0: %d", n)
	}
	audit, _ := s.ListAudit(ctx, headroom.AuditFilter{Account: Account, Code: "L-U"})
	if len(audit) != 1 || audit[0].Action != "usage.reconcile" {
		t.Fatalf("audit = %+v", audit)
	}
}

func lease(id string, limit int64, now time.Time, ttl time.Duration) headroom.LeaseChange {
	return headroom.LeaseChange{Key: key("L-C", "instance/i-1"), LeaseID: id, Limit: limit, Now: now, Expires: now.Add(ttl)}
}

func testLeases(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		r, err := s.AcquireLease(ctx, lease(fmt.Sprint("c", i), 3, T0, time.Minute))
		if err != nil || !r.Applied || r.Used != int64(i+1) || !r.Expires.Equal(T0.Add(time.Minute)) {
			t.Fatalf("Acquire %d = %+v, %v", i, r, err)
		}
	}
	r, err := s.AcquireLease(ctx, lease("c3", 3, T0, time.Minute))
	if err != nil || r.Applied || r.Used != 3 {
		t.Fatalf("Acquire beyond limit = %+v, %v", r, err)
	}
	// The same lease id again is a replay, not a second slot.
	r, err = s.AcquireLease(ctx, lease("c1", 3, T0.Add(time.Second), time.Hour))
	if err != nil || !r.Applied || !r.Replayed || r.Used != 3 || !r.Expires.Equal(T0.Add(time.Minute)) {
		t.Fatalf("re-acquire = %+v, %v; want replay keeping its deadline", r, err)
	}
	r, err = s.ReleaseLease(ctx, lease("c1", 3, T0, 0))
	if err != nil || !r.Applied || r.Used != 2 {
		t.Fatalf("Release = %+v, %v", r, err)
	}
	r, err = s.ReleaseLease(ctx, lease("c1", 3, T0, 0))
	if err != nil || r.Applied || r.Used != 2 {
		t.Fatalf("second Release = %+v, %v; want not applied, no error", r, err)
	}
	if r, _ := s.AcquireLease(ctx, lease("c3", 3, T0, time.Minute)); !r.Applied {
		t.Fatal("acquire after release refused")
	}
	_, err = s.RenewLease(ctx, lease("nope", 3, T0, time.Minute))
	wantCode(t, err, headroom.ENOTFOUND)
	if n, _ := s.LeaseUsage(ctx, key("L-C", "instance/i-1"), T0); n != 3 {
		t.Fatalf("LeaseUsage = %d, want 3", n)
	}
}

func testLeaseExpiry(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	k := key("L-C", "instance/i-1")
	if r, _ := s.AcquireLease(ctx, lease("a", 2, T0, 10*time.Second)); !r.Applied {
		t.Fatal("acquire a")
	}
	if r, _ := s.AcquireLease(ctx, lease("b", 2, T0, 20*time.Second)); !r.Applied {
		t.Fatal("acquire b")
	}
	// Renew a to 30s from t=5s.
	r, err := s.RenewLease(ctx, lease("a", 2, T0.Add(5*time.Second), 25*time.Second))
	if err != nil || !r.Applied || !r.Expires.Equal(T0.Add(30*time.Second)) {
		t.Fatalf("renew = %+v, %v", r, err)
	}
	at := func(d time.Duration) time.Time { return T0.Add(d) }
	if n, _ := s.LeaseUsage(ctx, k, at(19*time.Second)); n != 2 {
		t.Fatalf("usage at 19s = %d, want 2", n)
	}
	// b's holder vanished: at its deadline its slot is free.
	if n, _ := s.LeaseUsage(ctx, k, at(20*time.Second)); n != 1 {
		t.Fatalf("usage at 20s = %d, want 1 (b expired)", n)
	}
	if r, _ := s.AcquireLease(ctx, lease("c", 2, at(20*time.Second), time.Minute)); !r.Applied || r.Used != 2 {
		t.Fatalf("acquire into expired slot = %+v", r)
	}
	_, err = s.RenewLease(ctx, lease("b", 2, at(21*time.Second), time.Minute))
	wantCode(t, err, headroom.ENOTFOUND)
	// An expired lease id acquired again is a new lease, not a replay.
	r, err = s.AcquireLease(ctx, lease("a", 2, at(30*time.Second), time.Minute))
	if err != nil || !r.Applied || r.Replayed || !r.Expires.Equal(at(90*time.Second)) {
		t.Fatalf("acquire of expired id = %+v, %v", r, err)
	}
}

func testListUsage(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	s.Reserve(ctx, headroom.CountChange{Key: key("L-B", "instance/i-1"), Amount: 4, Limit: 10, Now: T0})
	s.Reserve(ctx, headroom.CountChange{Key: key("L-A", "account"), Amount: 1, Limit: 10, Now: T0})
	s.Reserve(ctx, headroom.CountChange{Key: headroom.UsageKey{Account: "999988887777", Code: "L-A", Scope: "account"}, Amount: 1, Limit: 10, Now: T0})
	s.Reserve(ctx, headroom.CountChange{Key: key("L-Z", "account"), Amount: 1, Limit: 10, Now: T0})
	s.Release(ctx, headroom.CountChange{Key: key("L-Z", "account"), Amount: 1, Now: T0})
	s.AcquireLease(ctx, lease("x", 5, T0, time.Minute))
	s.AcquireLease(ctx, headroom.LeaseChange{Key: key("L-D", "account"), LeaseID: "gone", Limit: 5, Now: T0, Expires: T0.Add(time.Second)})
	got, err := s.ListUsage(ctx, Account, T0.Add(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	want := "[{L-A account 1} {L-B instance/i-1 4} {L-C instance/i-1 1}]"
	var parts []string
	for _, u := range got {
		if u.Key.Account != Account {
			t.Fatalf("ListUsage leaked another account: %+v", u)
		}
		parts = append(parts, fmt.Sprintf("{%s %s %d}", u.Key.Code, u.Key.Scope, u.Used))
	}
	if g := fmt.Sprint(parts); g != want {
		t.Fatalf("ListUsage = %s, want %s", g, want)
	}
}

func testAudit(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		acct := Account
		if i%2 == 1 {
			acct = "999988887777"
		}
		e := headroom.AuditEntry{Time: T0.Add(time.Duration(i) * time.Second), Actor: "op", Account: acct, Action: "test.step", Code: fmt.Sprint("L-", i), Detail: fmt.Sprint(i)}
		if err := s.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.ListAudit(ctx, headroom.AuditFilter{})
	if err != nil || len(all) != 5 {
		t.Fatalf("ListAudit = %d entries, %v", len(all), err)
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID <= all[i-1].ID {
			t.Fatalf("audit ids not increasing: %+v", all)
		}
	}
	if !all[0].Time.Equal(T0) || all[0].Actor != "op" || all[0].Detail != "0" {
		t.Fatalf("audit entry lost fields: %+v", all[0])
	}
	mine, _ := s.ListAudit(ctx, headroom.AuditFilter{Account: Account})
	if len(mine) != 3 {
		t.Fatalf("filter by account: %d, want 3", len(mine))
	}
	page, _ := s.ListAudit(ctx, headroom.AuditFilter{AfterID: all[1].ID, Limit: 2})
	if len(page) != 2 || page[0].ID != all[2].ID || page[1].ID != all[3].ID {
		t.Fatalf("page = %+v", page)
	}
	byCode, _ := s.ListAudit(ctx, headroom.AuditFilter{Code: "L-4"})
	if len(byCode) != 1 || byCode[0].Detail != "4" {
		t.Fatalf("filter by code: %+v", byCode)
	}
}

// Racers and Slots size the race tests: Racers goroutines race for the last
// Slots slots.
const (
	Racers = 1000
	Slots  = 50
)

func testRaceCount(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	k := key("L-U", "instance/i-1")
	const limit = 500
	if r, err := s.Reserve(ctx, headroom.CountChange{Key: k, Amount: limit - Slots, Limit: limit, Now: T0}); err != nil || !r.Applied {
		t.Fatalf("fill: %+v, %v", r, err)
	}
	var admitted atomic.Int64
	race(t, func(i int) error {
		r, err := s.Reserve(ctx, headroom.CountChange{Key: k, Amount: 1, Limit: limit, IdempotencyKey: fmt.Sprint("race-", i), Now: T0})
		if r.Applied {
			admitted.Add(1)
		}
		return err
	})
	if got := admitted.Load(); got != Slots {
		t.Fatalf("%d of %d racers admitted for %d slots", got, Racers, Slots)
	}
	if n, _ := s.CountUsage(ctx, k); n != limit {
		t.Fatalf("usage = %d, want %d", n, limit)
	}
}

func testRaceLease(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	const limit = 100
	for i := 0; i < limit-Slots; i++ {
		if r, err := s.AcquireLease(ctx, lease(fmt.Sprint("fill-", i), limit, T0, time.Hour)); err != nil || !r.Applied {
			t.Fatalf("fill %d: %+v, %v", i, r, err)
		}
	}
	var admitted atomic.Int64
	race(t, func(i int) error {
		r, err := s.AcquireLease(ctx, lease(fmt.Sprint("race-", i), limit, T0, time.Hour))
		if r.Applied {
			admitted.Add(1)
		}
		return err
	})
	if got := admitted.Load(); got != Slots {
		t.Fatalf("%d of %d racers admitted for %d slots", got, Racers, Slots)
	}
	if n, _ := s.LeaseUsage(ctx, key("L-C", "instance/i-1"), T0); n != limit {
		t.Fatalf("live leases = %d, want %d", n, limit)
	}
}

// race starts Racers goroutines that wait on one gate, then run fn at once.
func race(t *testing.T, fn func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	gate := make(chan struct{})
	errs := make(chan error, Racers)
	for i := 0; i < Racers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-gate
			if err := fn(i); err != nil {
				errs <- err
			}
		}(i)
	}
	close(gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("racer error: %v", err)
	}
}
