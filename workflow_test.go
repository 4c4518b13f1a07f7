package headroom_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/catalog"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/memory"
	"github.com/headroomhq/headroom/phone"
)

// newWorkflowFixture is newFixture with an auto-approval policy.
func newWorkflowFixture(t *testing.T, policy headroom.AutoApproval) *fixture {
	t.Helper()
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(t0)
	store := memory.NewStore()
	e, err := headroom.NewEngine(headroom.Config{Catalog: cat, Store: store, Limiter: memory.NewLimiter(clk), Clock: clk, AutoApproval: policy, Numbers: phone.Parser{}})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{e: e, clk: clk, store: store, ctx: t.Context()}
	f.account(acct, time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC), "")
	return f
}

func TestIncreaseReviewedAndApproved(t *testing.T) {
	f := newWorkflowFixture(t, headroom.AutoApproval{})
	r, err := f.e.RequestChange(f.ctx, headroom.ChangeInput{Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1", DesiredValue: 800, SupportCaseAllowed: true, Requester: "alice"})
	if err != nil || r.Status != headroom.StatusCaseOpened || r.CaseID == "" || r.DesiredValue != 800 || len(r.ID) != 32 {
		t.Fatalf("intake: %+v %v", r, err)
	}
	// Still 500 until approved.
	if a, _ := f.e.Applied(f.ctx, acct, headroom.CodeUsers, "instance/i-1"); a.Value != 500 {
		t.Fatalf("before approval: %+v", a)
	}
	f.clk.Advance(48 * time.Hour)
	r, err = f.e.DecideRequest(f.ctx, r.ID, headroom.RequestDecision{To: headroom.StatusApproved, Value: 700}, "bob")
	if err != nil || r.Status != headroom.StatusApproved || r.GrantedValue != 700 || !r.LastUpdated.Equal(t0.Add(48*time.Hour)) {
		t.Fatalf("approve: %+v %v", r, err)
	}
	// The next decision sees the new value, for that instance only.
	if a, _ := f.e.Applied(f.ctx, acct, headroom.CodeUsers, "instance/i-1"); a.Value != 700 || a.Level != headroom.LevelResource {
		t.Fatalf("after approval: %+v", a)
	}
	if a, _ := f.e.Applied(f.ctx, acct, headroom.CodeUsers, "instance/i-2"); a.Value != 500 {
		t.Fatalf("other instance: %+v", a)
	}
	if err := f.e.Reconcile(f.ctx, acct, headroom.CodeUsers, "instance/i-1", 699, "ops"); err != nil {
		t.Fatal(err)
	}
	f.must(t, headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1})
	f.denied(t, headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1}, headroom.EQUOTAEXCEEDED)
	// Decided requests cannot be decided again.
	if _, err := f.e.DecideRequest(f.ctx, r.ID, headroom.RequestDecision{To: headroom.StatusDenied, Reason: "no"}, "bob"); headroom.ErrorCodeOf(err) != headroom.ECONFLICT {
		t.Fatalf("decide twice: %v", err)
	}
	// Every transition is audited with actor, time, old and new values.
	trs, _ := f.store.ListTransitions(f.ctx, r.ID)
	if len(trs) != 3 || trs[1].To != headroom.StatusCaseOpened || trs[2].Actor != "bob" {
		t.Fatalf("transitions: %+v", trs)
	}
	audit, _ := f.store.ListAudit(f.ctx, headroom.AuditFilter{Account: acct, Code: headroom.CodeUsers})
	var approved *headroom.AuditEntry
	for i := range audit {
		if audit[i].Action == "request.approved" {
			approved = &audit[i]
		}
	}
	if approved == nil || approved.Actor != "bob" || !strings.Contains(approved.Detail, "CASE_OPENED → APPROVED") || !strings.Contains(approved.Detail, "500 → 700") {
		t.Fatalf("audit: %+v", audit)
	}
}

func TestIntakeChecks(t *testing.T) {
	f := newWorkflowFixture(t, headroom.AutoApproval{})
	base := headroom.ChangeInput{Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1", DesiredValue: 600, SupportCaseAllowed: true, Requester: "alice"}
	for _, tc := range []struct {
		name string
		mod  func(*headroom.ChangeInput)
		want headroom.ErrorCode
		msg  string
	}{
		{"not adjustable", func(in *headroom.ChangeInput) { in.Code = "L-D945C9A8" }, headroom.ENOTADJUSTABLE, "cannot be increased"},
		{"feature spec", func(in *headroom.ChangeInput) { in.Code = headroom.CodeAttachmentSize; in.Scope = "" }, headroom.ENOTADJUSTABLE, "cannot be increased"},
		{"not above current", func(in *headroom.ChangeInput) { in.DesiredValue = 500 }, headroom.EINVALID, "not above the current value 500"},
		{"below current", func(in *headroom.ChangeInput) { in.DesiredValue = 10 }, headroom.EINVALID, "not above"},
		{"negative", func(in *headroom.ChangeInput) { in.DesiredValue = -1 }, headroom.EINVALID, "above 0"},
		{"NaN", func(in *headroom.ChangeInput) { in.DesiredValue = math.NaN() }, headroom.EINVALID, "above 0"},
		{"over 1e10", func(in *headroom.ChangeInput) { in.DesiredValue = 2e10 }, headroom.EINVALID, "at most"},
		{"unknown quota", func(in *headroom.ChangeInput) { in.Code = "L-00000000" }, headroom.EUNKNOWNQUOTA, ""},
		{"unknown account", func(in *headroom.ChangeInput) { in.Account = "999999999999" }, headroom.EUNKNOWNACCOUNT, ""},
		{"bad scope", func(in *headroom.ChangeInput) { in.Scope = "domain/d" }, headroom.EINVALID, ""},
		{"unknown type", func(in *headroom.ChangeInput) { in.Type = "upgrade" }, headroom.EINVALID, "unknown request type"},
		{"increase of an allow-list", func(in *headroom.ChangeInput) { in.Code = headroom.CodeOutboundCountries; in.Scope = "" }, headroom.EINVALID, "allow-list request"},
	} {
		in := base
		tc.mod(&in)
		_, err := f.e.RequestChange(f.ctx, in)
		if headroom.ErrorCodeOf(err) != tc.want || !strings.Contains(headroom.ErrorMessage(err), tc.msg) {
			t.Errorf("%s: %v, want %s containing %q", tc.name, err, tc.want, tc.msg)
		}
	}
	if list, _ := f.store.ListChangeRequests(f.ctx, headroom.ChangeRequestFilter{}); len(list) != 0 {
		t.Fatalf("refused intakes left requests: %+v", list)
	}
	// One open request per quota and context.
	if _, err := f.e.RequestChange(f.ctx, base); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.RequestChange(f.ctx, base); headroom.ErrorCodeOf(err) != headroom.ECONFLICT {
		t.Fatalf("second open request: %v", err)
	}
	// At most 20 open requests per account.
	for i := 2; i <= 20; i++ {
		in := base
		in.Scope = "instance/i-" + string(rune('a'+i))
		if _, err := f.e.RequestChange(f.ctx, in); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	in := base
	in.Scope = "instance/i-z99"
	if _, err := f.e.RequestChange(f.ctx, in); headroom.ErrorCodeOf(err) != headroom.EQUOTAEXCEEDED {
		t.Fatalf("21st open request: %v", err)
	}
}

func TestAutoApprovalPolicy(t *testing.T) {
	f := newWorkflowFixture(t, headroom.AutoApproval{Codes: []string{headroom.CodeUsers, headroom.CodeOutboundCountries}})
	// Up to 2× the default: approved at once, applied at once.
	r, err := f.e.RequestChange(f.ctx, headroom.ChangeInput{Account: acct, Code: headroom.CodeUsers, DesiredValue: 1000, Requester: "alice"})
	if err != nil || r.Status != headroom.StatusApproved || r.GrantedValue != 1000 {
		t.Fatalf("within policy: %+v %v", r, err)
	}
	if a, _ := f.e.Applied(f.ctx, acct, headroom.CodeUsers, "instance/i-9"); a.Value != 1000 || a.Level != headroom.LevelAccount {
		t.Fatalf("applied: %+v", a)
	}
	// Beyond the bound, with no support case allowed: NOT_APPROVED.
	r, err = f.e.RequestChange(f.ctx, headroom.ChangeInput{Account: acct, Code: headroom.CodeUsers, DesiredValue: 1001, Requester: "alice"})
	if err != nil || r.Status != headroom.StatusNotApproved {
		t.Fatalf("beyond policy without case: %+v %v", r, err)
	}
	// A quota the operator did not list goes to review.
	r, err = f.e.RequestChange(f.ctx, headroom.ChangeInput{Account: acct, Code: headroom.CodeQueuesPerProfile, Scope: "instance/i-1", DesiredValue: 60, SupportCaseAllowed: true})
	if err != nil || r.Status != headroom.StatusCaseOpened {
		t.Fatalf("unlisted: %+v %v", r, err)
	}
	// Bad policies are refused.
	for _, p := range []headroom.AutoApproval{{Codes: []string{"L-D945C9A8"}}, {Codes: []string{"nope"}}, {Factor: -1}} {
		cat, _ := catalog.Default()
		_, err := headroom.NewEngine(headroom.Config{Catalog: cat, Store: memory.NewStore(), Limiter: memory.NewLimiter(f.clk), Clock: f.clk, AutoApproval: p})
		if headroom.ErrorCodeOf(err) != headroom.EINVALID {
			t.Errorf("policy %+v: %v", p, err)
		}
	}
}

func TestAllowListAndPortingRequests(t *testing.T) {
	f := newWorkflowFixture(t, headroom.AutoApproval{})
	if _, err := f.e.CheckDestination(f.ctx, acct, "", "+447700900123"); headroom.ErrorCodeOf(err) != headroom.ENOTALLOWED {
		t.Fatalf("before: %v", err)
	}
	r, err := f.e.RequestChange(f.ctx, headroom.ChangeInput{Type: headroom.RequestAllowList, Account: acct, Allow: []string{"447", "49"}, Deny: []string{"1"}, SupportCaseAllowed: true, Requester: "alice"})
	if err != nil || r.Status != headroom.StatusCaseOpened || r.Code != headroom.CodeOutboundCountries || strings.Join(r.Allow, ",") != "+447,+49" {
		t.Fatalf("allow-list intake: %+v %v", r, err)
	}
	if _, err := f.e.DecideRequest(f.ctx, r.ID, headroom.RequestDecision{To: headroom.StatusApproved, Value: 3}, "bob"); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("value on an allow-list: %v", err)
	}
	if _, err := f.e.DecideRequest(f.ctx, r.ID, headroom.RequestDecision{To: headroom.StatusApproved}, "bob"); err != nil {
		t.Fatal(err)
	}
	for number, want := range map[string]headroom.ErrorCode{"+447700900123": "", "+4930123456": "", "+12065550100": headroom.ENOTALLOWED, "+442079460000": ""} {
		if _, err := f.e.CheckDestination(f.ctx, acct, "", number); headroom.ErrorCodeOf(err) != want {
			t.Errorf("%s after approval: %v, want %q", number, err, want)
		}
	}
	// A second change merges with the first: allow +1 again, keep the rest.
	r, _ = f.e.RequestChange(f.ctx, headroom.ChangeInput{Type: headroom.RequestAllowList, Account: acct, Allow: []string{"+1"}, SupportCaseAllowed: true})
	f.e.DecideRequest(f.ctx, r.ID, headroom.RequestDecision{To: headroom.StatusApproved}, "bob")
	for _, number := range []string{"+12065550100", "+447700900123", "+4930123456"} {
		if _, err := f.e.CheckDestination(f.ctx, acct, "", number); err != nil {
			t.Errorf("%s after second approval: %v", number, err)
		}
	}
	// Porting: US numbers only, reviewed, no quota change.
	if _, err := f.e.RequestChange(f.ctx, headroom.ChangeInput{Type: headroom.RequestPorting, Account: acct, Number: "+442079460000", SupportCaseAllowed: true}); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("UK porting: %v", err)
	}
	p, err := f.e.RequestChange(f.ctx, headroom.ChangeInput{Type: headroom.RequestPorting, Account: acct, Number: "+1 206 555 0100", Details: "from Acme Telecom", SupportCaseAllowed: true})
	if err != nil || p.Status != headroom.StatusCaseOpened || p.Scope != "number/+12065550100" || !strings.Contains(p.Details, "Acme") {
		t.Fatalf("porting: %+v %v", p, err)
	}
	if _, err := f.e.DecideRequest(f.ctx, p.ID, headroom.RequestDecision{To: headroom.StatusDenied}, "bob"); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("denial without reason: %v", err)
	}
	d, err := f.e.DecideRequest(f.ctx, p.ID, headroom.RequestDecision{To: headroom.StatusDenied, Reason: "number not portable"}, "bob")
	if err != nil || d.Status != headroom.StatusDenied {
		t.Fatalf("deny: %+v %v", d, err)
	}
	if _, err := f.e.DecideRequest(f.ctx, "nope", headroom.RequestDecision{To: headroom.StatusApproved}, "bob"); headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
		t.Fatalf("unknown request: %v", err)
	}
	var he *headroom.Error
	if _, err := f.e.DecideRequest(f.ctx, r.ID, headroom.RequestDecision{To: "MAYBE"}, "bob"); !errors.As(err, &he) {
		t.Fatalf("bad decision: %v", err)
	}
}
