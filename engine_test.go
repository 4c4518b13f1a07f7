package headroom_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/catalog"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/memory"
	"github.com/headroomhq/headroom/phone"
)

const acct = "123456789012"

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type fixture struct {
	e     *headroom.Engine
	clk   *clock.Manual
	store *memory.Store
	ctx   context.Context
}

// newFixture returns an engine on the default catalog with the memory
// backends, a manual clock and one account created in March 2020.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	return newFixtureWith(t, cat)
}

func newFixtureWith(t testing.TB, cat *headroom.Catalog) *fixture {
	t.Helper()
	clk := clock.NewManual(t0)
	store := memory.NewStore()
	e, err := headroom.NewEngine(headroom.Config{Catalog: cat, Store: store, Limiter: memory.NewLimiter(clk), Clock: clk, Numbers: phone.Parser{}})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{e: e, clk: clk, store: store, ctx: context.Background()}
	f.account(acct, time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC), "")
	return f
}

func (f *fixture) account(id string, created time.Time, partner string) {
	if err := f.store.CreateAccount(f.ctx, headroom.Account{ID: id, Created: created, Partner: partner}, headroom.AuditEntry{}); err != nil {
		panic(err)
	}
}

func (f *fixture) do(r headroom.Request) (headroom.Decision, error) {
	if r.Account == "" {
		r.Account = acct
	}
	return f.e.Do(f.ctx, r)
}

// must runs a request that must be allowed.
func (f *fixture) must(t *testing.T, r headroom.Request) headroom.Decision {
	t.Helper()
	d, err := f.do(r)
	if err != nil || !d.Allowed {
		t.Fatalf("%+v: %+v, %v", r, d, err)
	}
	return d
}

// denied runs a request that must be refused with code, and returns the error.
func (f *fixture) denied(t *testing.T, r headroom.Request, code headroom.ErrorCode) *headroom.Error {
	t.Helper()
	d, err := f.do(r)
	var he *headroom.Error
	if !errors.As(err, &he) || he.Code != code {
		t.Fatalf("%+v: %+v, %v; want %s", r, d, err, code)
	}
	if d.Allowed {
		t.Fatalf("%+v: decision allowed with error %v", r, err)
	}
	return he
}

func TestConfigValidate(t *testing.T) {
	_, err := headroom.NewEngine(headroom.Config{})
	var he *headroom.Error
	if !errors.As(err, &he) || he.Code != headroom.EINVALID || he.Field != "Catalog" {
		t.Fatalf("NewEngine(empty) = %v, want EINVALID naming Catalog", err)
	}
}

func TestUsersPerInstance(t *testing.T) {
	f := newFixture(t)
	r := headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1}
	for i := 0; i < 500; i++ {
		d := f.must(t, r)
		if d.Used != int64(i+1) || d.Remaining != int64(499-i) || d.Limit != 500 || d.Level != headroom.LevelDefault {
			t.Fatalf("user %d: %+v", i+1, d)
		}
	}
	he := f.denied(t, r, headroom.EQUOTAEXCEEDED)
	want := "Users per instance quota of 500 reached for instance i-1 (500 in use, 1 requested)"
	if he.Message != want {
		t.Fatalf("message = %q, want %q", he.Message, want)
	}
	dn := he.Denial
	if dn.QuotaCode != "L-9A46857E" || dn.QuotaName != "Users per instance" || dn.Limit != 500 || dn.Used != 500 || dn.Requested != 1 || dn.Scope != "instance/i-1" {
		t.Fatalf("denial = %+v", dn)
	}
	// Another instance has its own 500.
	f.must(t, headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeUsers, Scope: "instance/i-2", Amount: 1})
	// Deleting a user frees its slot.
	f.must(t, headroom.Request{Op: headroom.OpRelease, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1})
	f.must(t, r)
}

func TestIdempotentReserveAndRelease(t *testing.T) {
	f := newFixture(t)
	r := headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 2, IdempotencyKey: "create-alice"}
	for i := 0; i < 3; i++ {
		d := f.must(t, r)
		if d.Used != 2 || d.Replayed != (i > 0) {
			t.Fatalf("try %d: %+v", i, d)
		}
	}
	rel := headroom.Request{Op: headroom.OpRelease, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1, IdempotencyKey: "delete-alice"}
	for i := 0; i < 3; i++ {
		if d := f.must(t, rel); d.Used != 1 {
			t.Fatalf("release try %d: %+v", i, d)
		}
	}
	// Release never goes below zero.
	f.must(t, headroom.Request{Op: headroom.OpRelease, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 50})
	if n, _ := f.e.Usage(f.ctx, acct, headroom.CodeUsers, "instance/i-1"); n != 0 {
		t.Fatalf("usage = %d, want 0", n)
	}
	// A key reused for a different change is a conflict.
	r.Amount = 3
	f.denied(t, r, headroom.ECONFLICT)
}

func TestReconcile(t *testing.T) {
	f := newFixture(t)
	if err := f.e.Reconcile(f.ctx, acct, headroom.CodeUsers, "instance/i-1", 499, "ops@example.com"); err != nil {
		t.Fatal(err)
	}
	r := headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1}
	if d := f.must(t, r); d.Used != 500 {
		t.Fatalf("after reconcile to 499: %+v", d)
	}
	f.denied(t, r, headroom.EQUOTAEXCEEDED)
	audit, _ := f.store.ListAudit(f.ctx, headroom.AuditFilter{Account: acct, Code: headroom.CodeUsers})
	if len(audit) != 1 || audit[0].Actor != "ops@example.com" || audit[0].Action != "usage.reconcile" || !strings.Contains(audit[0].Detail, "usage 499 (was 0)") {
		t.Fatalf("audit = %+v", audit)
	}
	for _, tc := range []struct {
		code, scope string
		used        int64
		want        headroom.ErrorCode
	}{
		{headroom.CodeConcurrentCalls, "instance/i-1", 1, headroom.EWRONGKIND},
		{headroom.CodeUsers, "instance/i-1", -1, headroom.EINVALID},
		{headroom.CodeUsers, "account", 1, headroom.EINVALID},
		{"L-NOPE0000", "account", 1, headroom.EUNKNOWNQUOTA},
	} {
		if err := f.e.Reconcile(f.ctx, acct, tc.code, tc.scope, tc.used, "op"); headroom.ErrorCodeOf(err) != tc.want {
			t.Errorf("Reconcile(%s, %s, %d) = %v, want %s", tc.code, tc.scope, tc.used, err, tc.want)
		}
	}
	if err := f.e.Reconcile(f.ctx, "999999999999", headroom.CodeUsers, "instance/i-1", 1, "op"); headroom.ErrorCodeOf(err) != headroom.EUNKNOWNACCOUNT {
		t.Errorf("Reconcile(unknown account) = %v", err)
	}
}

func TestQueuesPerRoutingProfileCountsQueueChannelPairs(t *testing.T) {
	f := newFixture(t)
	// The seed's example: two queues, three queue–channel combinations.
	for _, pair := range []string{"BasicQueue-Voice", "BasicQueue-Chat", "Queue10-Voice"} {
		f.must(t, headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeQueuesPerProfile,
			Scope: "instance/i-1/routing-profile/rp-1", Amount: 1, IdempotencyKey: "rp-1/" + pair})
	}
	if n, _ := f.e.Usage(f.ctx, acct, headroom.CodeQueuesPerProfile, "instance/i-1/routing-profile/rp-1"); n != 3 {
		t.Fatalf("queue–channel pairs counted = %d, want 3", n)
	}
	f.must(t, headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeQueuesPerProfile, Scope: "instance/i-1/routing-profile/rp-1", Amount: 47})
	f.denied(t, headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeQueuesPerProfile, Scope: "instance/i-1/routing-profile/rp-1", Amount: 1}, headroom.EQUOTAEXCEEDED)
	// An instance-wide scope does not fit a per-routing-profile quota.
	f.denied(t, headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeQueuesPerProfile, Scope: "instance/i-1", Amount: 1}, headroom.EINVALID)
}

func TestConcurrentCallsAndCallbacks(t *testing.T) {
	f := newFixture(t)
	call := func(id, state string) headroom.Request {
		return headroom.Request{Op: headroom.OpAcquire, Code: headroom.CodeConcurrentCalls, Scope: "instance/i-1", LeaseID: id, TTL: time.Hour, State: state}
	}
	// Queued calls and calls with agents count alike.
	for i := 0; i < 10; i++ {
		state := "queued"
		if i%2 == 0 {
			state = "connected"
		}
		if d := f.must(t, call(fmt.Sprint("call-", i), state)); !d.Counted || d.Used != int64(i+1) {
			t.Fatalf("call %d: %+v", i, d)
		}
	}
	// A callback waiting in a callback queue takes no slot, even at the quota.
	d := f.must(t, call("cb-1", headroom.StateCallbackWaiting))
	if d.Counted || d.Used != 10 {
		t.Fatalf("waiting callback: %+v, want uncounted with 10 in use", d)
	}
	// The 11th call fails; the message reveals the quota.
	he := f.denied(t, call("call-10", "queued"), headroom.EQUOTAEXCEEDED)
	if !strings.Contains(he.Message, "Concurrent calls per instance quota of 10 reached for instance i-1") {
		t.Fatalf("message = %q", he.Message)
	}
	// Offering the callback to an agent counts it, so it needs a slot.
	f.denied(t, call("cb-1", "offered"), headroom.EQUOTAEXCEEDED)
	f.must(t, headroom.Request{Op: headroom.OpReleaseLease, Code: headroom.CodeConcurrentCalls, Scope: "instance/i-1", LeaseID: "call-3"})
	if d := f.must(t, call("cb-1", "offered")); !d.Counted || d.Used != 10 {
		t.Fatalf("offered callback: %+v", d)
	}
}

func TestConcurrentChatsIncludeWaiting(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 100; i++ {
		state := "waiting"
		if i%3 == 0 {
			state = "connected"
		}
		f.must(t, headroom.Request{Op: headroom.OpAcquire, Code: headroom.CodeConcurrentChats, Scope: "instance/i-1", LeaseID: fmt.Sprint("chat-", i), TTL: 25 * time.Hour, State: state})
	}
	he := f.denied(t, headroom.Request{Op: headroom.OpAcquire, Code: headroom.CodeConcurrentChats, Scope: "instance/i-1", LeaseID: "chat-100", TTL: time.Hour, State: "waiting"}, headroom.EQUOTAEXCEEDED)
	if he.Denial.Limit != 100 || he.Denial.Used != 100 {
		t.Fatalf("denial = %+v", he.Denial)
	}
}

func TestLeaseExpiryRenewAndIdempotency(t *testing.T) {
	f := newFixture(t)
	acq := func(id string, ttl time.Duration) headroom.Request {
		return headroom.Request{Op: headroom.OpAcquire, Code: headroom.CodeChatsPerAgent, Scope: "instance/i-1/agent/a-1", LeaseID: id, TTL: ttl}
	}
	for i := 0; i < 5; i++ {
		f.must(t, acq(fmt.Sprint("c", i), time.Minute))
	}
	// Acquiring a live lease id again is a replay, not a sixth chat.
	if d := f.must(t, acq("c0", time.Minute)); !d.Replayed || d.Used != 5 {
		t.Fatalf("replay: %+v", d)
	}
	f.denied(t, acq("c5", time.Minute), headroom.EQUOTAEXCEEDED)
	f.clk.Advance(30 * time.Second)
	d := f.must(t, headroom.Request{Op: headroom.OpRenew, Code: headroom.CodeChatsPerAgent, Scope: "instance/i-1/agent/a-1", LeaseID: "c0", TTL: time.Minute})
	if !d.Expires.Equal(t0.Add(90 * time.Second)) {
		t.Fatalf("renewed deadline %v", d.Expires)
	}
	// At one minute the other four holders vanished without releasing.
	f.clk.Advance(30 * time.Second)
	if n, _ := f.e.Usage(f.ctx, acct, headroom.CodeChatsPerAgent, "instance/i-1/agent/a-1"); n != 1 {
		t.Fatalf("usage after expiry = %d, want 1", n)
	}
	f.must(t, acq("c5", time.Minute))
	_, err := f.do(headroom.Request{Op: headroom.OpRenew, Code: headroom.CodeChatsPerAgent, Scope: "instance/i-1/agent/a-1", LeaseID: "c1", TTL: time.Minute})
	if headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
		t.Fatalf("renew expired lease: %v", err)
	}
	// Releasing twice is harmless.
	rel := headroom.Request{Op: headroom.OpReleaseLease, Code: headroom.CodeChatsPerAgent, Scope: "instance/i-1/agent/a-1", LeaseID: "c5"}
	f.must(t, rel)
	if d := f.must(t, rel); d.Used != 1 {
		t.Fatalf("second release: %+v", d)
	}
}

func TestAPIThrottling(t *testing.T) {
	f := newFixture(t)
	// Every user and instance of the account draws from one bucket of
	// HR-CONNECT-API-RATE: the request names the quota and the account,
	// nothing more. (Each Connect operation has a quota of its own besides:
	// TestConnectBucketPerOperation.)
	api := headroom.Request{Op: headroom.OpTake, Code: headroom.CodeConnectAPIRate, Amount: 1}
	for i := 0; i < 5; i++ {
		f.must(t, api)
	}
	he := f.denied(t, api, headroom.ETHROTTLED)
	if he.Denial.RetryAfter != 500*time.Millisecond || !strings.Contains(he.Message, "Rate of API requests quota of 2 per second (burst 5) exceeded for account "+acct) {
		t.Fatalf("throttle: %q %+v", he.Message, he.Denial)
	}
	d, _ := f.do(api)
	if d.RetryAfter != 500*time.Millisecond || d.Remaining != 0 {
		t.Fatalf("decision %+v", d)
	}
	// A per-operation or per-instance scope does not fit an account bucket.
	f.denied(t, headroom.Request{Op: headroom.OpTake, Code: headroom.CodeConnectAPIRate, Scope: "instance/i-2", Amount: 1}, headroom.EINVALID)
	f.clk.Advance(500 * time.Millisecond)
	f.must(t, api)
	f.denied(t, api, headroom.ETHROTTLED)
	// GetMetricData has its own 5/s with burst 8, per account.
	q, _ := f.e.Catalog().RateQuotaFor("connect", "GetMetricData")
	for i := 0; i < 8; i++ {
		f.must(t, headroom.Request{Op: headroom.OpTake, Code: q.Code, Amount: 1})
	}
	f.denied(t, headroom.Request{Op: headroom.OpTake, Code: q.Code, Amount: 1}, headroom.ETHROTTLED)
	// Another account has its own buckets.
	f.account("210987654321", t0, "")
	f.must(t, headroom.Request{Op: headroom.OpTake, Account: "210987654321", Code: q.Code, Amount: 1})
	f.must(t, headroom.Request{Op: headroom.OpTake, Account: "210987654321", Code: headroom.CodeConnectAPIRate, Amount: 1})
}

func TestParticipantThrottlingPerInstance(t *testing.T) {
	f := newFixture(t)
	q, err := f.e.Catalog().RateQuotaFor("participant", "SendMessage")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 15; i++ {
		f.must(t, headroom.Request{Op: headroom.OpTake, Code: q.Code, Scope: "instance/i-1", Amount: 1})
	}
	f.denied(t, headroom.Request{Op: headroom.OpTake, Code: q.Code, Scope: "instance/i-1", Amount: 1}, headroom.ETHROTTLED)
	f.must(t, headroom.Request{Op: headroom.OpTake, Code: q.Code, Scope: "instance/i-2", Amount: 1})
	// 10 per second refill: after 100ms exactly one more.
	f.clk.Advance(100 * time.Millisecond)
	f.must(t, headroom.Request{Op: headroom.OpTake, Code: q.Code, Scope: "instance/i-1", Amount: 1})
	f.denied(t, headroom.Request{Op: headroom.OpTake, Code: q.Code, Scope: "instance/i-1", Amount: 1}, headroom.ETHROTTLED)
}

func TestCumulativeLimits(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		code  string
		limit int
	}{{headroom.CodeTaskTransfers, 11}, {headroom.CodeLinkedTasks, 11}, {headroom.CodeAttachmentsPerChat, 5}} {
		r := headroom.Request{Op: headroom.OpIncrement, Code: tc.code, Scope: "contact/c-" + tc.code, Amount: 1}
		for i := 0; i < tc.limit; i++ {
			f.must(t, r)
		}
		f.denied(t, r, headroom.EQUOTAEXCEEDED)
		// Events never go back down.
		f.denied(t, headroom.Request{Op: headroom.OpRelease, Code: tc.code, Scope: r.Scope, Amount: 1}, headroom.EWRONGKIND)
	}
}

func TestAttachments(t *testing.T) {
	f := newFixture(t)
	const mb = 1024 * 1024
	if _, err := f.e.AddAttachment(f.ctx, acct, "chat-1", "Report.PDF", 20*mb, "a1"); err != nil {
		t.Fatalf("20 MB .PDF: %v", err)
	}
	// A retried upload counts once.
	if d, err := f.e.AddAttachment(f.ctx, acct, "chat-1", "Report.PDF", 20*mb, "a1"); err != nil || !d.Replayed || d.Used != 1 {
		t.Fatalf("retried upload: %+v, %v", d, err)
	}
	_, err := f.e.AddAttachment(f.ctx, acct, "chat-1", "setup.exe", 10, "a2")
	if headroom.ErrorCodeOf(err) != headroom.ENOTALLOWED {
		t.Fatalf(".exe: %v", err)
	}
	_, err = f.e.AddAttachment(f.ctx, acct, "chat-1", "big.png", 20*mb+1, "a3")
	if headroom.ErrorCodeOf(err) != headroom.EQUOTAEXCEEDED || !strings.Contains(err.Error(), "20 MB") {
		t.Fatalf("20 MB + 1: %v", err)
	}
	_, err = f.e.AddAttachment(f.ctx, acct, "chat-1", "noextension", 10, "a4")
	if headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("no extension: %v", err)
	}
	for i := 2; i <= 5; i++ {
		if _, err := f.e.AddAttachment(f.ctx, acct, "chat-1", fmt.Sprintf("f%d.txt", i), 1, fmt.Sprint("b", i)); err != nil {
			t.Fatalf("attachment %d: %v", i, err)
		}
	}
	// Refused attachments were not counted; the sixth accepted one is refused.
	_, err = f.e.AddAttachment(f.ctx, acct, "chat-1", "f6.txt", 1, "b6")
	if headroom.ErrorCodeOf(err) != headroom.EQUOTAEXCEEDED {
		t.Fatalf("sixth attachment: %v", err)
	}
	if _, err := f.e.AddAttachment(f.ctx, acct, "chat-2", "f.csv", 1, "c1"); err != nil {
		t.Fatalf("other conversation: %v", err)
	}
}

func TestSizes(t *testing.T) {
	f := newFixture(t)
	check := func(code string, size int64, text string) (headroom.Decision, error) {
		return f.do(headroom.Request{Op: headroom.OpCheck, Code: code, Size: size, Text: text})
	}
	// Characters, not bytes: 1024 two-byte characters fit.
	if _, err := check(headroom.CodeChatMessageChars, 0, strings.Repeat("é", 1024)); err != nil {
		t.Fatalf("1024 characters: %v", err)
	}
	if _, err := check(headroom.CodeChatMessageChars, 0, strings.Repeat("a", 1025)); headroom.ErrorCodeOf(err) != headroom.EQUOTAEXCEEDED {
		t.Fatalf("1025 characters: %v", err)
	}
	for _, tc := range []struct {
		code  string
		limit int64
	}{
		{headroom.CodeCTRAttributesSize, 32 * 1024},
		{"HR-PROFILE-SIZE", 250 * 1024},
		{"HR-PROFILE-OBJECT-SIZE", 250 * 1024},
		{"L-63975AF3", 5 * 1024 * 1024},
		{headroom.CodeAttachmentSize, 20 * 1024 * 1024},
	} {
		if d, err := check(tc.code, tc.limit, ""); err != nil || d.Remaining != 0 {
			t.Errorf("%s at %d: %+v, %v", tc.code, tc.limit, d, err)
		}
		if _, err := check(tc.code, tc.limit+1, ""); headroom.ErrorCodeOf(err) != headroom.EQUOTAEXCEEDED {
			t.Errorf("%s at %d+1: %v", tc.code, tc.limit, err)
		}
	}
	if _, err := check(headroom.CodeCTRAttributesSize, -1, ""); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("negative size: %v", err)
	}
}

func TestDurations(t *testing.T) {
	f := newFixture(t)
	dur := func(code string, start time.Time, d time.Duration) (headroom.Decision, error) {
		return f.do(headroom.Request{Op: headroom.OpCheck, Code: code, Start: start, Duration: d})
	}
	now := f.clk.Now()
	// Total duration per chat: 25 hours, wait time included.
	if d, err := dur(headroom.CodeChatDuration, now.Add(-25*time.Hour+time.Second), 0); err != nil || !d.Expires.Equal(now.Add(time.Second)) {
		t.Fatalf("chat at 24:59:59: %+v, %v", d, err)
	}
	if _, err := dur(headroom.CodeChatDuration, now.Add(-25*time.Hour), 0); headroom.ErrorCodeOf(err) != headroom.EQUOTAEXCEEDED {
		t.Fatalf("chat at 25h: %v", err)
	}
	// A task may not ask for more than 7 days.
	if _, err := dur(headroom.CodeTaskDuration, time.Time{}, 7*24*time.Hour); err != nil {
		t.Fatalf("7-day task: %v", err)
	}
	if _, err := dur(headroom.CodeTaskDuration, time.Time{}, 7*24*time.Hour+time.Second); headroom.ErrorCodeOf(err) != headroom.EQUOTAEXCEEDED {
		t.Fatalf("7-day task + 1s: %v", err)
	}
	// Contact records are kept 24 calendar months from initiation.
	initiated := time.Date(2024, 2, 29, 10, 0, 0, 0, time.UTC)
	f.clk.Set(time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC))
	d, err := dur(headroom.CodeCTRRetention, initiated, 0)
	if err != nil || !d.Expires.Equal(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("CTR within retention: %+v, %v", d, err)
	}
	f.clk.Set(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	if _, err := dur(headroom.CodeCTRRetention, initiated, 0); headroom.ErrorCodeOf(err) != headroom.EQUOTAEXCEEDED {
		t.Fatalf("CTR past retention: %v", err)
	}
	// Profiles and objects expire after at most 3 years.
	if _, err := dur("L-3217D1F1", time.Time{}, 3*366*24*time.Hour); headroom.ErrorCodeOf(err) != headroom.EQUOTAEXCEEDED {
		t.Fatalf("expiration beyond 3 years: %v", err)
	}
	if _, err := dur(headroom.CodeTaskDuration, time.Time{}, 0); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("no start nor duration: %v", err)
	}
}

func TestOutboundDestinations(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		number string
		want   headroom.ErrorCode
	}{
		{"+12065550100", ""},
		{"+1 (206) 555-0100", ""},
		{"+442079460000", ""},
		{"+447700900123", headroom.ENOTALLOWED},
		{"+4915112345678", headroom.ENOTALLOWED},
		{"12065550100", headroom.EINVALID},
		{"+1206555x100", headroom.EINVALID},
		{"+1", headroom.EINVALID},
	} {
		_, err := f.e.CheckDestination(f.ctx, acct, "", tc.number)
		if headroom.ErrorCodeOf(err) != tc.want {
			t.Errorf("%s: %v, want %q", tc.number, err, tc.want)
		}
	}
	// Allow more: UK mobiles and Germany; and limit: no more +1.
	err := f.e.SetOverride(f.ctx, headroom.Override{Account: acct, Code: headroom.CodeOutboundCountries, Allow: []string{"+447", "+49"}, Deny: []string{"+1"}}, "ops")
	if err != nil {
		t.Fatal(err)
	}
	for number, want := range map[string]headroom.ErrorCode{
		"+447700900123": "", "+4915112345678": "", "+442079460000": "", "+12065550100": headroom.ENOTALLOWED,
	} {
		if _, err := f.e.CheckDestination(f.ctx, acct, "", number); headroom.ErrorCodeOf(err) != want {
			t.Errorf("after override %s: %v, want %q", number, err, want)
		}
	}
	// Other accounts keep the default list.
	f.account("210987654321", t0, "")
	if _, err := f.e.CheckDestination(f.ctx, "210987654321", "", "+447700900123"); headroom.ErrorCodeOf(err) != headroom.ENOTALLOWED {
		t.Fatalf("other account +447: %v", err)
	}
	if err := f.e.SetOverride(f.ctx, headroom.Override{Account: acct, Code: headroom.CodeOutboundCountries, Allow: []string{"44"}}, "ops"); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("bad prefix: %v", err)
	}
}

func TestAISPLCannotCreateInstance(t *testing.T) {
	f := newFixture(t)
	f.account("444455556666", t0, headroom.PartnerAISPL)
	_, err := f.do(headroom.Request{Op: headroom.OpReserve, Account: "444455556666", Code: headroom.CodeInstances, Amount: 1})
	var he *headroom.Error
	if !errors.As(err, &he) || he.Code != headroom.ENOTAVAILABLE || !strings.Contains(he.Message, "AISPL") || !strings.Contains(he.Message, "India") {
		t.Fatalf("AISPL instance: %v", err)
	}
	// Other accounts get their two instances, and no third.
	r := headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeInstances, Amount: 1}
	f.must(t, r)
	f.must(t, r)
	f.denied(t, r, headroom.EQUOTAEXCEEDED)
}

func TestBatchHasPerItemResults(t *testing.T) {
	f := newFixture(t)
	res := f.e.Batch(f.ctx, []headroom.Request{
		{Op: headroom.OpReserve, Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1},
		{Op: headroom.OpReserve, Account: acct, Code: "L-DOESNOTEXIST", Amount: 1},
		{Op: headroom.OpTake, Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1},
		{Op: headroom.OpReserve, Account: "000000000000", Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1},
		{Op: headroom.OpReserve, Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1},
	})
	want := []headroom.ErrorCode{"", headroom.EUNKNOWNQUOTA, headroom.EWRONGKIND, headroom.EUNKNOWNACCOUNT, ""}
	for i, r := range res {
		if got := headroom.ErrorCodeOf(r.Err); got != want[i] {
			t.Errorf("item %d: %v, want %q", i, r.Err, want[i])
		}
	}
	if res[4].Decision.Used != 2 {
		t.Fatalf("last item used = %d, want 2", res[4].Decision.Used)
	}
}

func asError(err error, target **headroom.Error) bool { return errors.As(err, target) }
