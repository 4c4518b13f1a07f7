package headroom_test

import (
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

// takeFor takes one token from an operation's own rate quota.
func (f *fixture) takeFor(api, op, scope string) (headroom.Decision, error) {
	q, err := f.e.Catalog().RateQuotaFor(api, op)
	if err != nil {
		return headroom.Decision{}, err
	}
	return f.do(headroom.Request{Op: headroom.OpTake, Code: q.Code, Scope: scope, Amount: 1})
}

// drain takes an operation's whole burst and checks that the next take is
// throttled.
func (f *fixture) drain(t *testing.T, api, op, scope string, burst int) {
	t.Helper()
	for i := 0; i < burst; i++ {
		if d, err := f.takeFor(api, op, scope); err != nil || !d.Allowed {
			t.Fatalf("%s:%s take %d of %d: %+v, %v", api, op, i+1, burst, d, err)
		}
	}
	if _, err := f.takeFor(api, op, scope); headroom.ErrorCodeOf(err) != headroom.ETHROTTLED {
		t.Fatalf("%s:%s after its burst of %d: %v, want %s", api, op, burst, err, headroom.ETHROTTLED)
	}
}

// Each Amazon Connect operation has its own account bucket, and an
// approved increase of one operation's quota raises that operation only.
func TestConnectBucketPerOperation(t *testing.T) {
	f := newFixture(t)
	f.drain(t, "connect", "CreateUser", "", 5)
	f.drain(t, "connect", "ListUsers", "", 5)
	f.drain(t, "connect", "DescribeInstance", "", 5)
	// The fallback bucket is apart from the operations' own.
	f.must(t, headroom.Request{Op: headroom.OpTake, Code: headroom.CodeConnectAPIRate, Amount: 1})

	r, err := f.e.RequestChange(f.ctx, headroom.ChangeInput{Account: acct, Code: "HR-CONNECT-RATE-CreateUser", DesiredValue: 4, SupportCaseAllowed: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.DecideRequest(f.ctx, r.ID, headroom.RequestDecision{To: headroom.StatusApproved}, "operator"); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(10 * time.Second) // every bucket full again
	f.drain(t, "connect", "CreateUser", "", 10)
	f.drain(t, "connect", "ListUsers", "", 5)
}

// The Participant Service operations get the same reading: one bucket per
// operation, per instance. SendEvent and SendMessage, which the seed gives
// one line, have a code each.
func TestParticipantBucketPerOperation(t *testing.T) {
	f := newFixture(t)
	codes := map[string]bool{}
	for _, op := range []string{"CreateParticipantConnection", "DisconnectParticipant", "GetTranscript", "SendEvent", "SendMessage"} {
		q, err := f.e.Catalog().RateQuotaFor("participant", op)
		if err != nil {
			t.Fatal(err)
		}
		if codes[q.Code] || len(q.Operations) != 1 || q.Operations[0] != "participant:"+op || q.Scope != "instance" {
			t.Errorf("%s: %s covers %v per %s; want a quota of its own per instance", op, q.Code, q.Operations, q.Scope)
		}
		codes[q.Code] = true
	}
	f.drain(t, "participant", "SendMessage", "instance/i-1", 15)
	f.drain(t, "participant", "SendEvent", "instance/i-1", 15)
	f.drain(t, "participant", "SendMessage", "instance/i-2", 15)

	r, err := f.e.RequestChange(f.ctx, headroom.ChangeInput{Account: acct, Code: "HR-PARTICIPANT-SEND-MESSAGE-RATE", DesiredValue: 20, SupportCaseAllowed: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.DecideRequest(f.ctx, r.ID, headroom.RequestDecision{To: headroom.StatusApproved}, "operator"); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(10 * time.Second)
	f.drain(t, "participant", "SendMessage", "instance/i-1", 30)
	f.drain(t, "participant", "SendEvent", "instance/i-1", 15)
}
