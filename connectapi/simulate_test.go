package connectapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/connect"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/connectapi"
	"github.com/headroomhq/headroom/httpapi"
)

func (e *env) native() *httpapi.Client {
	return &httpapi.Client{BaseURL: e.url, Token: adminToken}
}

func simPath(account, iid, rest string) string {
	return "/v1/simulate/" + account + "/instances/" + iid + rest
}

// Inbound calls over the concurrent calls quota get a fast busy and are
// counted in CallsBreachingConcurrencyQuota; callbacks wait uncounted
// until offered to an agent; agents take at most 5 chats.
func TestSimulatedTraffic(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.account(acctA, false, "")
	c := e.client(acctA)
	iid := e.instance(acctA)
	n := e.native()
	inbound := func(callback bool) connectapi.InboundCallResult {
		t.Helper()
		var out connectapi.InboundCallResult
		if err := n.Do(ctx, "POST", simPath(acctA, iid, "/inbound-calls"), connectapi.InboundCall{Callback: callback}, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	var calls []string
	for i := 0; i < 10; i++ {
		r := inbound(false)
		if r.Outcome != connectapi.OutcomeQueued {
			t.Fatalf("call %d: %+v", i+1, r)
		}
		calls = append(calls, r.ContactID)
	}
	if r := inbound(false); r.Outcome != connectapi.OutcomeReorderTone || r.ContactID != "" {
		t.Fatalf("11th call: %+v", r)
	}
	// A callback is queued although every slot is taken.
	cb := inbound(true)
	if cb.Outcome != connectapi.OutcomeCallbackQueued {
		t.Fatalf("callback: %+v", cb)
	}
	var m connectapi.InstanceMetrics
	if err := n.Do(ctx, "GET", simPath(acctA, iid, "/metrics"), nil, &m); err != nil {
		t.Fatal(err)
	}
	if m.ConcurrentCalls != 10 || m.ConcurrentCallsPercentage != 1 || m.CallsBreachingConcurrencyQuota != 1 {
		t.Fatalf("metrics %+v", m)
	}
	agent := *must[*connect.CreateUserOutput](t)(c.CreateUser(ctx, userInput(iid, "agent"))).UserId
	if err := n.Do(ctx, "PUT", simPath(acctA, iid, "/agents/"+agent), connectapi.AgentState{Online: true, Available: true}, nil); err != nil {
		t.Fatal(err)
	}
	// Offering the callback now would be the 11th call: refused, counted.
	err := n.Do(ctx, "POST", simPath(acctA, iid, "/contacts/"+cb.ContactID+"/accept"), connectapi.Accept{AgentID: agent}, nil)
	if headroom.ErrorCodeOf(err) != headroom.EQUOTAEXCEEDED {
		t.Fatalf("callback offered over the quota: %v", err)
	}
	// A call ends; the callback is offered and counts.
	if err := n.Do(ctx, "POST", simPath(acctA, iid, "/contacts/"+calls[0]+"/end"), nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := n.Do(ctx, "POST", simPath(acctA, iid, "/contacts/"+cb.ContactID+"/accept"), connectapi.Accept{AgentID: agent}, nil); err != nil {
		t.Fatal(err)
	}
	if err := n.Do(ctx, "GET", simPath(acctA, iid, "/metrics"), nil, &m); err != nil {
		t.Fatal(err)
	}
	if m.ConcurrentCalls != 10 || m.CallsBreachingConcurrencyQuota != 2 {
		t.Fatalf("metrics after the callback: %+v", m)
	}
	// Chats: an agent takes at most 5.
	for i := 0; i < 6; i++ {
		id := must[string](t)(chat(c, iid, 0))
		err := n.Do(ctx, "POST", simPath(acctA, iid, "/contacts/"+id+"/accept"), connectapi.Accept{AgentID: agent}, nil)
		if i < 5 && err != nil {
			t.Fatalf("chat %d: %v", i+1, err)
		}
		if i == 5 && (headroom.ErrorCodeOf(err) != headroom.EQUOTAEXCEEDED || !strings.Contains(headroom.ErrorMessage(err), "Active chats per agent quota of 5")) {
			t.Fatalf("6th chat for one agent: %v", err)
		}
	}
	// A refused chat is counted in ChatsBreachingActiveChatQuota.
	e.override(acctA, headroom.CodeConcurrentChats, "instance/"+iid, 6)
	_, err = chat(c, iid, 0)
	wantErr(t, err, "LimitExceededException", 429, "quota of 6")
	if err := n.Do(ctx, "GET", simPath(acctA, iid, "/metrics"), nil, &m); err != nil {
		t.Fatal(err)
	}
	if m.ConcurrentActiveChats != 6 || m.ChatsBreachingActiveChatQuota != 1 {
		t.Fatalf("chat metrics %+v", m)
	}
	// Tokens of other accounts may not simulate here; unknown ids are 404.
	e.account(acctB, false, "")
	_, secret, err := e.engine.CreateToken(ctx, "svc", headroom.RoleService, []string{acctB}, "test")
	if err != nil {
		t.Fatal(err)
	}
	other := &httpapi.Client{BaseURL: e.url, Token: secret}
	if err := other.Do(ctx, "GET", simPath(acctA, iid, "/metrics"), nil, &m); headroom.ErrorCodeOf(err) != headroom.EFORBIDDEN {
		t.Errorf("another account's token: %v", err)
	}
	for _, p := range []string{simPath(acctA, "nope", "/metrics"), simPath(acctA, iid, "/contacts/nope/end")} {
		method := "GET"
		if p[len(p)-3:] == "end" {
			method = "POST"
		}
		if err := n.Do(ctx, method, p, nil, nil); headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
			t.Errorf("%s: %v", p, err)
		}
	}
	resp, err := http.Get(e.url + simPath(acctA, iid, "/metrics"))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without a token: %v %v", resp, err)
	}
	resp.Body.Close()
}
