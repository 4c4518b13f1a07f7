package httpapi_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/httpapi"
)

// recordMinutes runs a recording pass, then moves the clock a minute on,
// n times.
func (e *env) recordMinutes(t *testing.T, n int) {
	t.Helper()
	for range n {
		if _, err := e.engine.RecordHistory(context.Background()); err != nil {
			t.Fatal(err)
		}
		e.clk.Advance(time.Minute)
	}
}

func TestHistoryEndpoint(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	t0 := e.clk.Now()
	enforce := func(items ...httpapi.EnforceItem) {
		t.Helper()
		if _, err := e.client.Enforce(ctx, items); err != nil {
			t.Fatal(err)
		}
	}
	users := httpapi.EnforceItem{Op: "reserve", Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 4}
	take := httpapi.EnforceItem{Op: "take", Account: acct, Code: headroom.CodeConnectAPIRate, Amount: 1}
	enforce(users, take, take, take, take, take, take, take) // the burst is 5: 2 throttled
	e.recordMinutes(t, 2)
	enforce(users)
	e.recordMinutes(t, 1)

	h, err := e.client.History(ctx, acct, headroom.CodeUsers, "instance/i-1", t0, t0.Add(3*time.Minute), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if h.Account != acct || h.Code != headroom.CodeUsers || h.Name != "Users per instance" || h.Scope != "instance/i-1" || h.Kind != "count" ||
		h.Applied != 500 || h.Step != "1m0s" || h.From != "2026-03-01T12:00:00Z" || h.To != "2026-03-01T12:03:00Z" || len(h.Points) != 3 {
		t.Fatalf("history = %+v", h)
	}
	for i, want := range []int64{4, 4, 8} {
		p := h.Points[i]
		if p.Max != want || p.Mean != float64(want) || p.Time != t0.Add(time.Duration(i)*time.Minute).Format(time.RFC3339) || p.Allowed != nil || p.Throttled != nil {
			t.Fatalf("point %d = %+v, want max %d and no decisions", i, p, want)
		}
	}
	// On the wire, a count quota's points carry no decisions.
	status, raw := e.raw(t, "GET", "/v1/accounts/"+acct+"/usage/"+headroom.CodeUsers+"/history?scope=instance/i-1&from=2026-03-01T12:00:00Z&to=2026-03-01T12:01:00Z&step=1m", adminToken, "")
	if status != 200 {
		t.Fatalf("GET history = %d %v", status, raw)
	}
	if pt := raw["points"].([]any)[0].(map[string]any); pt["allowed"] != nil || pt["throttled"] != nil || pt["max"] != 4.0 {
		t.Fatalf("count point on the wire = %v", pt)
	}
	// A rate quota's points carry its decisions, zeros included.
	r, err := e.client.History(ctx, acct, headroom.CodeConnectAPIRate, "", t0, t0.Add(2*time.Minute), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Points) != 2 || r.Points[0].Allowed == nil || *r.Points[0].Allowed != 5 || *r.Points[0].Throttled != 2 ||
		r.Points[1].Allowed == nil || *r.Points[1].Allowed != 0 || r.Kind != "rate" || r.Applied != 2 {
		t.Fatalf("rate history = %+v", r)
	}
	// Defaults: the last 24 hours, by minute.
	d, err := e.client.History(ctx, acct, headroom.CodeUsers, "instance/i-1", time.Time{}, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	now := e.clk.Now()
	if d.Step != "1m0s" || len(d.Points) != 1440 || d.To != now.Format(time.RFC3339) || d.From != now.Add(-24*time.Hour).Format(time.RFC3339) {
		t.Fatalf("default history: step %s, %d points, %s..%s", d.Step, len(d.Points), d.From, d.To)
	}
	if last := d.Points[len(d.Points)-1]; last.Max != 8 {
		t.Fatalf("last default point = %+v, want the 8 users of the last minute", last)
	}
}

func TestHistoryEndpointAuthAndErrors(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	svc, err := e.client.CreateToken(ctx, httpapi.TokenCreate{Name: "tenant", Role: "service", Accounts: []string{acct}})
	if err != nil {
		t.Fatal(err)
	}
	path := func(account, code, query string) string {
		return "/v1/accounts/" + account + "/usage/" + code + "/history?" + query
	}
	users := headroom.CodeUsers
	for _, tc := range []struct {
		name, token, path string
		status            int
		code              string
	}{
		{"operator", adminToken, path(acct, users, "scope=instance/i-1"), 200, ""},
		{"service token of the account", svc.Secret, path(acct, users, "scope=instance/i-1"), 200, ""},
		{"service token of another account", svc.Secret, path(other, users, "scope=instance/i-1"), 403, "forbidden"},
		{"no token", "", path(acct, users, "scope=instance/i-1"), 401, "unauthenticated"},
		{"unknown quota", adminToken, path(acct, "L-NOPE0000", ""), 404, "unknown_quota"},
		{"unknown account", adminToken, path("999999999999", users, "scope=instance/i-1"), 404, "unknown_account"},
		{"size quota", adminToken, path(acct, headroom.CodeAttachmentSize, ""), 400, "wrong_kind"},
		{"bad from", adminToken, path(acct, users, "scope=instance/i-1&from=yesterday"), 400, "invalid_argument"},
		{"bad to", adminToken, path(acct, users, "scope=instance/i-1&to=2026-03-01"), 400, "invalid_argument"},
		{"bad since", adminToken, path(acct, users, "scope=instance/i-1&since=-1h"), 400, "invalid_argument"},
		{"since and from", adminToken, path(acct, users, "scope=instance/i-1&since=1h&from=2026-03-01T11:00:00Z"), 400, "invalid_argument"},
		{"bad step", adminToken, path(acct, users, "scope=instance/i-1&step=often"), 400, "invalid_argument"},
		{"seconds step", adminToken, path(acct, users, "scope=instance/i-1&step=30s"), 400, "invalid_argument"},
		{"from after to", adminToken, path(acct, users, "scope=instance/i-1&from=2026-03-01T12:00:00Z&to=2026-03-01T11:00:00Z"), 400, "invalid_argument"},
		{"too many points", adminToken, path(acct, users, "scope=instance/i-1&from=2026-02-28T00:00:00Z&to=2026-03-01T12:00:00Z&step=1m"), 400, "invalid_argument"},
		{"scope the quota does not count", adminToken, path(acct, users, "scope=account"), 400, "invalid_argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.raw(t, "GET", tc.path, tc.token, "")
			if status != tc.status || (tc.code != "" && body["code"] != tc.code) {
				t.Fatalf("GET %s = %d %v, want %d %s", tc.path, status, body, tc.status, tc.code)
			}
		})
	}
}

func TestParseHistoryQuery(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		query, step string
		span        time.Duration
	}{
		{"", "1m0s", 24 * time.Hour},
		{"from=2026-03-09T00:00:00Z", "2m0s", 36 * time.Hour},
		{"from=2026-03-08T12:00:00Z", "1h0m0s", 48 * time.Hour}, // minute steps would reach past 48 hours
		{"from=2026-01-01T00:00:00Z", "1h0m0s", 68*24*time.Hour + 12*time.Hour},
		{"from=2025-01-01T00:00:00Z", "6h0m0s", 433*24*time.Hour + 12*time.Hour},
		{"from=2026-03-10T11:00:00Z&step=5m", "5m0s", time.Hour},
		{"to=2026-03-10T06:00:00Z", "1m0s", 24 * time.Hour},
		{"since=1h", "1m0s", time.Hour},
		{"since=720h", "1h0m0s", 720 * time.Hour},
	} {
		q, _ := url.ParseQuery(tc.query)
		h, err := httpapi.ParseHistoryQuery(q, now)
		if err != nil || h.Step.String() != tc.step || h.To.Sub(h.From) != tc.span {
			t.Errorf("ParseHistoryQuery(%q) = step %s span %s, %v; want %s, %s", tc.query, h.Step, h.To.Sub(h.From), err, tc.step, tc.span)
		}
		if n := (h.To.Sub(h.From) + h.Step - 1) / h.Step; n > headroom.MaxHistoryPoints {
			t.Errorf("ParseHistoryQuery(%q) gives %d points", tc.query, n)
		}
	}
}
