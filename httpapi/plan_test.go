package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/httpapi"
)

const planCSV = "start,minutes,calls,aht_seconds\n2026-04-01T08:00:00Z,30,120,300\n"

// POST /v1/accounts/{id}/plan: the plan with applied values, the requests
// filed once however often it is asked, bad rows named by file, line and
// column, and the account's token rules.
func TestPlan(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	in := httpapi.PlanRequest{Instance: "i-1", Forecast: planCSV, ForecastName: "april.csv", Growth: "resources:\n  - date: 2026-04-01\n    users: 600\n", LeadTime: "10d"}
	res, err := e.client.Plan(ctx, acct, in)
	if err != nil {
		t.Fatal(err)
	}
	// Breaking quotas come soonest first: the users on the day, the calls
	// at 08:00.
	if len(res.Quotas) != 2 || res.Quotas[0].Code != headroom.CodeUsers || res.Quotas[1].Code != headroom.CodeConcurrentCalls ||
		res.Quotas[1].BreaksAt == nil || res.Quotas[1].BreaksAt.Format("15:04") != "08:00" || len(res.Requests) != 2 {
		t.Fatalf("%+v", res)
	}
	if got := res.Requests[1].FileBy.Format("2006-01-02 15:04"); got != "2026-03-22 08:00" || res.Requests[1].Late {
		t.Fatalf("file by %s, late %v", got, res.Requests[1].Late)
	}
	for _, r := range res.Requests {
		if r.Filed != nil {
			t.Fatalf("filed without being asked: %+v", r)
		}
	}
	in.FileRequests = true
	first, err := e.client.Plan(ctx, acct, in)
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.client.Plan(ctx, acct, in)
	if err != nil {
		t.Fatal(err)
	}
	for i := range first.Requests {
		a, b := first.Requests[i].Filed, second.Requests[i].Filed
		if a == nil || a.Already || b == nil || !b.Already || a.ID != b.ID {
			t.Fatalf("request %d: first %+v, second %+v", i, a, b)
		}
	}
	list, err := e.client.ListRequests(ctx, "", acct)
	if err != nil || len(list) != 2 {
		t.Fatalf("%d requests, %v", len(list), err)
	}
	// A bad row: EINVALID naming the file, line and column.
	in.Forecast = planCSV + "2026-04-01T08:30:00Z,30,lots,300\n"
	_, err = e.client.Plan(ctx, acct, in)
	if codeOf(err) != headroom.EINVALID || !strings.Contains(headroom.ErrorMessage(err), "april.csv:3:3: column calls: \"lots\" is not a number") {
		t.Fatalf("bad row: %v", err)
	}
	for _, c := range []struct {
		body, want string
	}{
		{`{"forecast":""}`, "is required"},
		{`{"forecast":"start,minutes,calls,aht_seconds\n2026-04-01T08:00:00Z,30,1,300\n","lead_time":"soon"}`, "lead_time"},
		{`{"forecast":"start,minutes,calls,aht_seconds\n2026-04-01T08:00:00Z,30,1,300\n","growth":"wat: 1"}`, "growth: line 1: field wat not found\""},
		{`{"forecast":"x","colour":"red"}`, "colour"},
	} {
		status, body := e.raw(t, http.MethodPost, "/v1/accounts/"+acct+"/plan", adminToken, c.body)
		msg, _ := json.Marshal(body)
		if status != http.StatusBadRequest || !strings.Contains(string(msg), c.want) {
			t.Errorf("%s: %d %s; want 400 naming %q", c.body, status, msg, c.want)
		}
	}
	// Unknown account; a token of another account.
	if _, err := e.client.Plan(ctx, "999999999999", httpapi.PlanRequest{Forecast: planCSV}); codeOf(err) != headroom.EUNKNOWNACCOUNT {
		t.Fatalf("unknown account: %v", err)
	}
	tok, err := e.client.CreateToken(ctx, httpapi.TokenCreate{Name: "svc", Role: "service", Accounts: []string{other}})
	if err != nil {
		t.Fatal(err)
	}
	svc := &httpapi.Client{BaseURL: e.srv.URL, Token: tok.Secret}
	if _, err := svc.Plan(ctx, acct, httpapi.PlanRequest{Forecast: planCSV}); codeOf(err) != headroom.EFORBIDDEN {
		t.Fatalf("other account's token: %v", err)
	}
	if _, err := svc.Plan(ctx, other, httpapi.PlanRequest{Forecast: planCSV}); err != nil {
		t.Fatalf("own account: %v", err)
	}
}
