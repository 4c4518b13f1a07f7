package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/sqlite"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const acct = "111122223333"

func mustOpen(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	return s
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestReopen writes every kind of state, closes the store, opens it again
// and finds all of it.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "headroom.db")
	s := mustOpen(t, path)
	audit := func(action string) headroom.AuditEntry {
		return headroom.AuditEntry{Time: t0, Actor: "op", Account: acct, Action: action, Detail: action}
	}
	must(t, s.CreateAccount(ctx, headroom.Account{ID: acct, Created: t0, Partner: headroom.PartnerAISPL}, audit("account.create")))
	must(t, s.PutOverride(ctx, headroom.Override{Account: acct, Code: "L-1", Scope: "instance/i-1", Value: 42, Allow: []string{"+447"}, UpdatedBy: "op", UpdatedAt: t0}, audit("override.set")))
	k := headroom.UsageKey{Account: acct, Code: "L-U", Scope: "account"}
	res := headroom.CountChange{Key: k, Amount: 3, Limit: 10, IdempotencyKey: "res-1", Now: t0}
	if r, err := s.Reserve(ctx, res); err != nil || !r.Applied || r.Used != 3 {
		t.Fatalf("Reserve = %+v, %v", r, err)
	}
	rel := headroom.CountChange{Key: k, Amount: 1, IdempotencyKey: "rel-1", Now: t0}
	if r, err := s.Release(ctx, rel); err != nil || r.Used != 2 {
		t.Fatalf("Release = %+v, %v", r, err)
	}
	lk := headroom.UsageKey{Account: acct, Code: "L-C", Scope: "instance/i-1"}
	deadline := t0.Add(90 * time.Minute)
	lc := headroom.LeaseChange{Key: lk, LeaseID: "call-1", Limit: 5, Now: t0, Expires: deadline}
	if r, err := s.AcquireLease(ctx, lc); err != nil || !r.Applied {
		t.Fatalf("AcquireLease = %+v, %v", r, err)
	}
	cr := headroom.ChangeRequest{ID: "r-1", Type: headroom.RequestIncrease, Account: acct, Code: "L-1", Scope: "account",
		DesiredValue: 100, Status: headroom.StatusPending, Requester: "alice", Created: t0, LastUpdated: t0, SupportCaseAllowed: true}
	must(t, s.CreateChangeRequest(ctx, cr, 20, audit("request.create")))
	apply := &headroom.Override{Account: acct, Code: "L-1", Scope: "account", Value: 80, UpdatedBy: "bob", UpdatedAt: t0.Add(time.Hour)}
	if _, err := s.TransitionChangeRequest(ctx, headroom.Transition{RequestID: "r-1", From: headroom.StatusPending, To: headroom.StatusApproved,
		Actor: "bob", At: t0.Add(time.Hour), GrantedValue: 80, Note: "ok"}, apply, audit("request.approve")); err != nil {
		t.Fatal(err)
	}
	must(t, s.CreateAccessKey(ctx, headroom.AccessKey{ID: "AKIA1", Account: acct, Secret: "sec", Created: t0}, audit("key.create")))
	must(t, s.CreateToken(ctx, headroom.Token{ID: "tok", Name: "svc", Role: headroom.RoleService, Hash: []byte{7, 7}, Accounts: []string{acct}, Created: t0}, audit("token.create")))
	must(t, s.PutTemplateEntry(ctx, headroom.TemplateEntry{Service: "connect", Code: "L-1", Region: "us-east-1", DesiredValue: 50}, audit("template.put")))
	must(t, s.SetTemplateAssociated(ctx, true, audit("template.associate")))
	must(t, s.TagResource(ctx, acct, "arn:q", map[string]string{"team": "a"}, 0))
	slot := headroom.UsageKey{Account: acct, Code: "L-USERS", Scope: "instance/i-1"}
	user := headroom.Resource{Account: acct, Kind: "connect:user", ID: "u-1", Parent: "i-1", Name: "alice",
		Data: []byte(`{"Username":"alice"}`), Created: t0, Updated: t0.Add(time.Second)}
	if r, err := s.CreateResource(ctx, user, headroom.SlotChange{Hold: &headroom.CountChange{Key: slot, Amount: 1, Limit: 5, Now: t0}}, nil, audit("user.create")); err != nil || !r.Applied {
		t.Fatalf("CreateResource = %+v, %v", r, err)
	}
	must(t, s.AppendAudit(ctx, audit("custom")))
	before, err := s.ListAudit(ctx, headroom.AuditFilter{})
	must(t, err)
	must(t, s.Close())

	s = mustOpen(t, path)
	defer s.Close()
	if a, err := s.FindAccount(ctx, acct); err != nil || !a.Created.Equal(t0) || a.Partner != headroom.PartnerAISPL {
		t.Fatalf("FindAccount after reopen = %+v, %v", a, err)
	}
	ovs, _ := s.FindOverrides(ctx, acct, "L-1")
	if got := fmt.Sprint(len(ovs)); got != "2" {
		t.Fatalf("FindOverrides after reopen = %+v", ovs)
	}
	list, _ := s.ListOverrides(ctx, acct)
	if len(list) != 2 || list[0].Scope != "account" || list[0].Value != 80 || list[1].Value != 42 ||
		fmt.Sprint(list[1].Allow) != "[+447]" || !list[1].UpdatedAt.Equal(t0) {
		t.Fatalf("ListOverrides after reopen = %+v", list)
	}
	if n, _ := s.CountUsage(ctx, k); n != 2 {
		t.Fatalf("usage after reopen = %d, want 2", n)
	}
	// Idempotency keys replay after the restart, counted once.
	if r, err := s.Reserve(ctx, res); err != nil || !r.Replayed || r.Used != 2 {
		t.Fatalf("Reserve retry after reopen = %+v, %v", r, err)
	}
	if r, err := s.Release(ctx, rel); err != nil || !r.Replayed || r.Used != 2 {
		t.Fatalf("Release retry after reopen = %+v, %v", r, err)
	}
	bad := res
	bad.Amount = 4
	if _, err := s.Reserve(ctx, bad); headroom.ErrorCodeOf(err) != headroom.ECONFLICT {
		t.Fatalf("reused key after reopen: %v, want ECONFLICT", err)
	}
	// The lease keeps its deadline: live just before it, gone at it.
	if n, _ := s.LeaseUsage(ctx, lk, deadline.Add(-time.Nanosecond)); n != 1 {
		t.Fatalf("lease usage before deadline = %d", n)
	}
	if n, _ := s.LeaseUsage(ctx, lk, deadline); n != 0 {
		t.Fatalf("lease usage at deadline = %d", n)
	}
	again := lc
	again.Now, again.Expires = t0.Add(time.Minute), t0.Add(5*time.Hour)
	if r, err := s.AcquireLease(ctx, again); err != nil || !r.Replayed || !r.Expires.Equal(deadline) {
		t.Fatalf("re-acquire after reopen = %+v, %v; want replay with deadline %v", r, err, deadline)
	}
	r, err := s.FindChangeRequest(ctx, "r-1")
	if err != nil || r.Status != headroom.StatusApproved || r.GrantedValue != 80 || !r.Created.Equal(t0) || r.Requester != "alice" {
		t.Fatalf("FindChangeRequest after reopen = %+v, %v", r, err)
	}
	trs, err := s.ListTransitions(ctx, "r-1")
	if err != nil || len(trs) != 2 || trs[1].To != headroom.StatusApproved || trs[1].Note != "ok" || trs[1].GrantedValue != 80 {
		t.Fatalf("transitions after reopen = %+v, %v", trs, err)
	}
	if key, err := s.FindAccessKey(ctx, "AKIA1"); err != nil || key.Secret != "sec" {
		t.Fatalf("FindAccessKey after reopen = %+v, %v", key, err)
	}
	if tok, err := s.FindToken(ctx, []byte{7, 7}); err != nil || tok.ID != "tok" || fmt.Sprint(tok.Accounts) != "["+acct+"]" {
		t.Fatalf("FindToken after reopen = %+v, %v", tok, err)
	}
	if l, _ := s.ListTemplateEntries(ctx); fmt.Sprint(l) != "[{connect L-1 us-east-1 50}]" {
		t.Fatalf("template after reopen = %v", l)
	}
	if on, _ := s.TemplateAssociated(ctx); !on {
		t.Fatal("template association lost in reopen")
	}
	if tags, _ := s.ListTags(ctx, acct, "arn:q"); fmt.Sprint(tags) != "map[team:a]" {
		t.Fatalf("tags after reopen = %v", tags)
	}
	user.Version = 1
	if got, err := s.FindResource(ctx, acct, "connect:user", "u-1"); err != nil || fmt.Sprint(got) != fmt.Sprint(user) {
		t.Fatalf("FindResource after reopen = %+v, %v; want %+v", got, err, user)
	}
	if n, _ := s.CountUsage(ctx, slot); n != 1 {
		t.Fatalf("usage held by the resource after reopen = %d, want 1", n)
	}
	after, err := s.ListAudit(ctx, headroom.AuditFilter{})
	if err != nil || fmt.Sprint(after) != fmt.Sprint(before) || len(after) != 10 {
		t.Fatalf("audit after reopen = %+v, %v\nwant %+v", after, err, before)
	}
	// New entries continue the ids.
	must(t, s.AppendAudit(ctx, audit("later")))
	last, _ := s.ListAudit(ctx, headroom.AuditFilter{AfterID: after[len(after)-1].ID})
	if len(last) != 1 || last[0].Action != "later" {
		t.Fatalf("audit appended after reopen = %+v", last)
	}
}

// TestCancelledWrite checks that a write whose context has ended is not
// made.
func TestCancelledWrite(t *testing.T) {
	s := openStore(t, sqlite.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	k := headroom.UsageKey{Account: acct, Code: "L-U", Scope: "account"}
	_, err := s.Reserve(ctx, headroom.CountChange{Key: k, Amount: 1, Limit: 5, Now: t0})
	if headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE || !errors.Is(err, context.Canceled) {
		t.Fatalf("Reserve with cancelled context: %v, want EUNAVAILABLE wrapping context.Canceled", err)
	}
	if n, _ := s.CountUsage(context.Background(), k); n != 0 {
		t.Fatalf("cancelled reserve counted: %d", n)
	}
}

// TestClosed checks that a closed store answers EUNAVAILABLE.
func TestClosed(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "headroom.db"))
	must(t, s.Close())
	must(t, s.Close())
	ctx := context.Background()
	if _, err := s.FindAccount(ctx, acct); headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE {
		t.Fatalf("FindAccount after Close: %v", err)
	}
	if _, err := s.Reserve(ctx, headroom.CountChange{Amount: 1, Limit: 1}); headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE {
		t.Fatalf("Reserve after Close: %v", err)
	}
	if _, err := s.CountUsage(ctx, headroom.UsageKey{}); headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE {
		t.Fatalf("CountUsage after Close: %v", err)
	}
	r := headroom.Resource{Account: acct, Kind: "connect:user", ID: "u-1"}
	if _, err := s.CreateResource(ctx, r, headroom.SlotChange{}, nil, headroom.AuditEntry{}); headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE {
		t.Fatalf("CreateResource after Close: %v", err)
	}
	if _, err := s.FindResource(ctx, acct, r.Kind, r.ID); headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE {
		t.Fatalf("FindResource after Close: %v", err)
	}
	if _, err := s.ListResources(ctx, headroom.ResourceFilter{Account: acct, Kind: r.Kind}); headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE {
		t.Fatalf("ListResources after Close: %v", err)
	}
}
