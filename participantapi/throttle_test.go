package participantapi_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"
)

// Each operation has its own bucket per instance, at the seed's rate and
// burst: every participant of an instance shares it, another instance has
// its own, the clock refills it, and an override moves the edge.
func TestThrottlesPerInstance(t *testing.T) {
	for _, tc := range []struct {
		path, code  string
		rate, burst int
		body        map[string]any
	}{
		{"/participant/connection", "HR-PARTICIPANT-CREATE-CONNECTION-RATE", 6, 9, map[string]any{"Type": []string{"CONNECTION_CREDENTIALS"}}},
		{"/participant/disconnect", "HR-PARTICIPANT-DISCONNECT-RATE", 3, 5, map[string]any{}},
		{"/participant/transcript", "HR-PARTICIPANT-GET-TRANSCRIPT-RATE", 8, 12, map[string]any{}},
		{"/participant/event", "HR-PARTICIPANT-SEND-EVENT-RATE", 10, 15, map[string]any{"ContentType": "application/vnd.amazonaws.connect.event.typing"}},
		{"/participant/message", "HR-PARTICIPANT-SEND-MESSAGE-RATE", 10, 15, msg("hi")},
	} {
		t.Run(tc.path, func(t *testing.T) {
			e := newEnv(t)
			e.account(acctA)
			e.override(acctA, "L-AA17A6B9", "", 10) // instances per account
			// token returns a token the operation takes, for a new chat
			// of iid (the ParticipantToken for CreateParticipantConnection).
			token := func(iid string) string {
				_, ptok := e.chat(acctA, iid)
				if tc.path == "/participant/connection" {
					return ptok
				}
				return e.connection(ptok)
			}
			notThrottled := func(tok string) {
				t.Helper()
				if r := e.call(tc.path, tok, tc.body); r.status == 429 {
					t.Fatalf("throttled: %s", r.message())
				}
			}
			iid, other := e.instance(acctA), e.instance(acctA)
			// The connections are made first, and a second of refill
			// restores the create bucket before the counting starts.
			tok1, tok2, tokOther := token(iid), token(iid), token(other)
			e.clk.Advance(10 * time.Second)
			for i := 0; i < tc.burst; i++ {
				notThrottled([]string{tok1, tok2}[i%2])
			}
			want := fmt.Sprintf("%d per second (burst %d)", tc.rate, tc.burst)
			wantErr(t, e.call(tc.path, tok1, tc.body), "ThrottlingException", 429, want, "instance "+iid)
			wantErr(t, e.call(tc.path, tok2, tc.body), "ThrottlingException", 429, want)
			// Another instance of the account has its own bucket.
			notThrottled(tokOther)
			// A second refills the rate (and a millisecond for the
			// bucket's rounding of 1/rate to whole nanoseconds).
			e.clk.Advance(time.Second + time.Millisecond)
			for i := 0; i < tc.rate; i++ {
				notThrottled(tok2)
			}
			wantErr(t, e.call(tc.path, tok2, tc.body), "ThrottlingException", 429, want)

			// An override of the instance's rate moves the edge: the burst
			// scales with it.
			third := e.instance(acctA)
			tok3 := token(third)
			e.override(acctA, tc.code, "instance/"+third, float64(2*tc.rate))
			e.clk.Advance(10 * time.Second)
			for i := 0; i < 2*tc.burst; i++ {
				notThrottled(tok3)
			}
			wantErr(t, e.call(tc.path, tok3, tc.body), "ThrottlingException", 429,
				strconv.Itoa(2*tc.rate)+" per second (burst "+strconv.Itoa(2*tc.burst)+")")
		})
	}
}
