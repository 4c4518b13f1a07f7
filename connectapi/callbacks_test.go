package connectapi_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/connect"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/connectapi"
)

// TestCallbackOfferedOnlyToAvailableAgent: a callback waits uncounted,
// and is counted against concurrent calls only when offered to an agent
// who is online and available, as the seed says. Offering it to an agent
// who is offline, online but unavailable, or whose state was never set,
// is refused, and the callback keeps waiting uncounted.
func TestCallbackOfferedOnlyToAvailableAgent(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	n := e.native()
	var cb connectapi.InboundCallResult
	if err := n.Do(ctx, "POST", simPath(acctA, iid, "/inbound-calls"), connectapi.InboundCall{Callback: true}, &cb); err != nil {
		t.Fatal(err)
	}
	agent := *must[*connect.CreateUserOutput](t)(c.CreateUser(ctx, userInput(iid, "agent"))).UserId
	used := func() int64 {
		t.Helper()
		u, err := e.engine.Usage(ctx, acctA, headroom.CodeConcurrentCalls, "instance/"+iid)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	accept := func() error {
		return n.Do(ctx, "POST", simPath(acctA, iid, "/contacts/"+cb.ContactID+"/accept"), connectapi.Accept{AgentID: agent}, nil)
	}
	for _, st := range []*connectapi.AgentState{
		nil, // never set: offline
		{Online: false, Available: true},
		{Online: true, Available: false},
	} {
		if st != nil {
			if err := n.Do(ctx, "PUT", simPath(acctA, iid, "/agents/"+agent), st, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := accept(); headroom.ErrorCodeOf(err) != headroom.EPRECONDITION {
			t.Fatalf("agent %+v: %v, want EPRECONDITION", st, err)
		}
		if u := used(); u != 0 {
			t.Fatalf("agent %+v: %d calls counted, want 0", st, u)
		}
	}
	if err := n.Do(ctx, "PUT", simPath(acctA, iid, "/agents/"+agent), connectapi.AgentState{Online: true, Available: true}, nil); err != nil {
		t.Fatal(err)
	}
	if err := accept(); err != nil {
		t.Fatal(err)
	}
	if u := used(); u != 1 {
		t.Fatalf("offered callback: %d calls counted, want 1", u)
	}
}
