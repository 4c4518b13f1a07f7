package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

func testAccessKeys(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	mustAccount(t, s, Account)
	wantCode(t, s.CreateAccessKey(ctx, headroom.AccessKey{ID: "AKIAX", Account: "999999999999", Secret: "s"}, headroom.AuditEntry{}), headroom.EUNKNOWNACCOUNT)
	for i, id := range []string{"AKIAB", "AKIAA"} {
		k := headroom.AccessKey{ID: id, Account: Account, Secret: "secret-" + id, Created: T0.Add(time.Duration(i) * time.Second)}
		if err := s.CreateAccessKey(ctx, k, headroom.AuditEntry{Time: T0, Account: Account, Action: "key.create"}); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, s.CreateAccessKey(ctx, headroom.AccessKey{ID: "AKIAA", Account: Account, Secret: "other"}, headroom.AuditEntry{}), headroom.ECONFLICT)
	k, err := s.FindAccessKey(ctx, "AKIAA")
	if err != nil || k.Secret != "secret-AKIAA" || k.Account != Account || !k.Created.Equal(T0.Add(time.Second)) {
		t.Fatalf("FindAccessKey = %+v, %v", k, err)
	}
	_, err = s.FindAccessKey(ctx, "AKIANOPE")
	wantCode(t, err, headroom.ENOTFOUND)
	list, _ := s.ListAccessKeys(ctx, Account)
	if len(list) != 2 || list[0].ID != "AKIAB" || list[1].ID != "AKIAA" {
		t.Fatalf("ListAccessKeys = %+v, want creation order", list)
	}
	if audit, _ := s.ListAudit(ctx, headroom.AuditFilter{Account: Account}); len(audit) != 2 {
		t.Fatalf("audit = %+v", audit)
	}
}

func testTokens(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	op := headroom.Token{ID: "tok-op", Name: "admin", Role: headroom.RoleOperator, Hash: []byte{1, 2, 3}, Created: T0}
	svc := headroom.Token{ID: "tok-svc", Name: "billing", Role: headroom.RoleService, Hash: []byte{4, 5, 6}, Accounts: []string{Account, "999988887777"}, Created: T0}
	for _, tok := range []headroom.Token{op, svc} {
		if err := s.CreateToken(ctx, tok, headroom.AuditEntry{}); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, s.CreateToken(ctx, headroom.Token{ID: "tok-x", Role: headroom.RoleOperator, Hash: []byte{1, 2, 3}}, headroom.AuditEntry{}), headroom.ECONFLICT)
	got, err := s.FindToken(ctx, []byte{4, 5, 6})
	if err != nil || got.ID != "tok-svc" || got.Role != headroom.RoleService || fmt.Sprint(got.Accounts) != fmt.Sprint(svc.Accounts) || got.Name != "billing" {
		t.Fatalf("FindToken = %+v, %v", got, err)
	}
	_, err = s.FindToken(ctx, []byte{9})
	wantCode(t, err, headroom.ENOTFOUND)
	list, _ := s.ListTokens(ctx)
	if len(list) != 2 || list[0].ID != "tok-op" {
		t.Fatalf("ListTokens = %+v", list)
	}
	if err := s.DeleteToken(ctx, "tok-op", headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteToken(ctx, "tok-op", headroom.AuditEntry{}), headroom.ENOTFOUND)
	_, err = s.FindToken(ctx, []byte{1, 2, 3})
	wantCode(t, err, headroom.ENOTFOUND)
}

func request(id, code, scope string, at time.Time) headroom.ChangeRequest {
	return headroom.ChangeRequest{ID: id, Type: headroom.RequestIncrease, Account: Account, Code: code, Scope: scope,
		DesiredValue: 1000, Status: headroom.StatusPending, SupportCaseAllowed: true, Requester: "alice", Created: at, LastUpdated: at}
}

func testChangeRequests(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	mustAccount(t, s, Account)
	r := request("r-1", "L-U", "instance/i-1", T0)
	r.Allow, r.Details = []string{"+447"}, "why"
	if err := s.CreateChangeRequest(ctx, r, 3, headroom.AuditEntry{Time: T0, Account: Account, Action: "request.create"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindChangeRequest(ctx, "r-1")
	if err != nil || got.DesiredValue != 1000 || got.Status != headroom.StatusPending || got.Requester != "alice" ||
		!got.Created.Equal(T0) || !got.SupportCaseAllowed || fmt.Sprint(got.Allow) != "[+447]" || got.Details != "why" || got.Type != headroom.RequestIncrease {
		t.Fatalf("FindChangeRequest = %+v, %v", got, err)
	}
	// One open request per quota and scope; another scope is fine.
	wantCode(t, s.CreateChangeRequest(ctx, request("r-2", "L-U", "instance/i-1", T0), 3, headroom.AuditEntry{}), headroom.ECONFLICT)
	if err := s.CreateChangeRequest(ctx, request("r-3", "L-U", "instance/i-2", T0.Add(time.Second)), 3, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateChangeRequest(ctx, request("r-4", "L-V", "account", T0.Add(2*time.Second)), 3, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	// The fourth open request of the account is one too many.
	wantCode(t, s.CreateChangeRequest(ctx, request("r-5", "L-W", "account", T0), 3, headroom.AuditEntry{}), headroom.EQUOTAEXCEEDED)
	// A request created final (NOT_APPROVED at once) does not count as open.
	closed := request("r-6", "L-W", "account", T0.Add(3*time.Second))
	closed.Status = headroom.StatusNotApproved
	if err := s.CreateChangeRequest(ctx, closed, 3, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	_, err = s.FindChangeRequest(ctx, "r-404")
	wantCode(t, err, headroom.ENOTFOUND)

	// Review: PENDING → CASE_OPENED → APPROVED with a smaller value, which
	// applies the override in the same step.
	tr := headroom.Transition{RequestID: "r-1", From: headroom.StatusPending, To: headroom.StatusCaseOpened, Actor: "system", At: T0.Add(time.Minute), CaseID: "case-1"}
	if got, err = s.TransitionChangeRequest(ctx, tr, nil, headroom.AuditEntry{}); err != nil || got.Status != headroom.StatusCaseOpened || got.CaseID != "case-1" {
		t.Fatalf("to CASE_OPENED: %+v, %v", got, err)
	}
	// A stale transition (from a status it has left) is a conflict.
	_, err = s.TransitionChangeRequest(ctx, tr, nil, headroom.AuditEntry{})
	wantCode(t, err, headroom.ECONFLICT)
	_, err = s.TransitionChangeRequest(ctx, headroom.Transition{RequestID: "r-404", From: headroom.StatusPending, To: headroom.StatusDenied}, nil, headroom.AuditEntry{})
	wantCode(t, err, headroom.ENOTFOUND)
	apply := &headroom.Override{Account: Account, Code: "L-U", Scope: "instance/i-1", Value: 800, UpdatedBy: "bob", UpdatedAt: T0.Add(time.Hour)}
	approve := headroom.Transition{RequestID: "r-1", From: headroom.StatusCaseOpened, To: headroom.StatusApproved, Actor: "bob", At: T0.Add(time.Hour), Note: "granted 800", GrantedValue: 800}
	got, err = s.TransitionChangeRequest(ctx, approve, apply, headroom.AuditEntry{Time: T0.Add(time.Hour), Actor: "bob", Account: Account, Action: "request.approve"})
	if err != nil || got.Status != headroom.StatusApproved || got.GrantedValue != 800 || !got.LastUpdated.Equal(T0.Add(time.Hour)) || got.CaseID != "case-1" {
		t.Fatalf("approve: %+v, %v", got, err)
	}
	ovs, _ := s.FindOverrides(ctx, Account, "L-U")
	if len(ovs) != 1 || ovs[0].Value != 800 || ovs[0].Scope != "instance/i-1" || ovs[0].UpdatedBy != "bob" {
		t.Fatalf("approval did not apply the override: %+v", ovs)
	}
	trs, err := s.ListTransitions(ctx, "r-1")
	if err != nil || len(trs) != 3 {
		t.Fatalf("transitions = %+v, %v", trs, err)
	}
	if trs[0].From != "" || trs[0].To != headroom.StatusPending || trs[0].Actor != "alice" ||
		trs[2].From != headroom.StatusCaseOpened || trs[2].To != headroom.StatusApproved || trs[2].Actor != "bob" || trs[2].Note != "granted 800" || !trs[2].At.Equal(T0.Add(time.Hour)) {
		t.Fatalf("transitions = %+v", trs)
	}
	// With r-1 closed, a new request for the same quota and scope is allowed.
	if err := s.CreateChangeRequest(ctx, request("r-7", "L-U", "instance/i-1", T0.Add(4*time.Second)), 3, headroom.AuditEntry{}); err != nil {
		t.Fatalf("new request after approval: %v", err)
	}

	all, _ := s.ListChangeRequests(ctx, headroom.ChangeRequestFilter{Account: Account})
	var ids []string
	for _, x := range all {
		ids = append(ids, x.ID)
	}
	if fmt.Sprint(ids) != "[r-1 r-3 r-4 r-6 r-7]" {
		t.Fatalf("ListChangeRequests = %v, want creation order", ids)
	}
	pending, _ := s.ListChangeRequests(ctx, headroom.ChangeRequestFilter{Status: headroom.StatusPending, Code: "L-U"})
	if len(pending) != 2 || pending[0].ID != "r-3" || pending[1].ID != "r-7" {
		t.Fatalf("pending L-U = %+v", pending)
	}
	page, _ := s.ListChangeRequests(ctx, headroom.ChangeRequestFilter{Account: Account, AfterID: "r-3", Limit: 2})
	if len(page) != 2 || page[0].ID != "r-4" || page[1].ID != "r-6" {
		t.Fatalf("page after r-3 = %+v", page)
	}
	byScope, _ := s.ListChangeRequests(ctx, headroom.ChangeRequestFilter{Scope: "instance/i-2"})
	if len(byScope) != 1 || byScope[0].ID != "r-3" {
		t.Fatalf("by scope = %+v", byScope)
	}
	audit, _ := s.ListAudit(ctx, headroom.AuditFilter{Account: Account})
	if len(audit) != 2 || audit[1].Action != "request.approve" {
		t.Fatalf("audit = %+v", audit)
	}
}

func testPurge(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	k := key("L-U", "instance/i-1")
	old := headroom.CountChange{Key: k, Amount: 1, Limit: 10, IdempotencyKey: "old", Now: T0}
	s.Reserve(ctx, old)
	s.Reserve(ctx, headroom.CountChange{Key: k, Amount: 1, Limit: 10, IdempotencyKey: "new", Now: T0.Add(2 * time.Hour)})
	s.AcquireLease(ctx, lease("short", 5, T0, time.Minute))
	s.AcquireLease(ctx, lease("long", 5, T0, 3*time.Hour))
	res, err := s.Purge(ctx, T0.Add(time.Hour), T0.Add(time.Hour))
	if err != nil || res.Leases != 1 || res.IdempotencyKeys != 1 {
		t.Fatalf("Purge = %+v, %v; want 1 lease and 1 key", res, err)
	}
	// Usage is untouched; the purged key counts again, the kept one does not.
	if n, _ := s.CountUsage(ctx, k); n != 2 {
		t.Fatalf("usage after purge = %d", n)
	}
	if r, _ := s.Reserve(ctx, old); r.Replayed || r.Used != 3 {
		t.Fatalf("purged key: %+v, want counted anew", r)
	}
	if r, _ := s.Reserve(ctx, headroom.CountChange{Key: k, Amount: 1, Limit: 10, IdempotencyKey: "new", Now: T0.Add(2 * time.Hour)}); !r.Replayed {
		t.Fatalf("kept key: %+v, want replay", r)
	}
	if n, _ := s.LeaseUsage(ctx, key("L-C", "instance/i-1"), T0.Add(time.Hour)); n != 1 {
		t.Fatalf("leases after purge = %d", n)
	}
}
