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

const instancesCode = "L-AA17A6B9" // Amazon Connect instances per account: 2

// alarmEnv returns an env with acct at 2 of 2 instances (CRITICAL) and
// other at 1 of 2 under a rule that warns at 50 % (WARNING), evaluated.
func alarmEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, nil)
	ctx := context.Background()
	if _, err := e.client.Reconcile(ctx, acct, instancesCode, "", 2); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Reconcile(ctx, other, instancesCode, "", 1); err != nil {
		t.Fatal(err)
	}
	half := 0.5
	if _, err := e.client.SetAlarmRule(ctx, httpapi.AlarmRuleSet{Account: other, Warning: &half}); err != nil {
		t.Fatal(err)
	}
	if rep, err := e.engine.EvaluateAlarms(ctx); err != nil || len(rep.Transitions) != 2 {
		t.Fatalf("EvaluateAlarms = %+v, %v", rep, err)
	}
	return e
}

func (e *env) serviceToken(t *testing.T, accounts ...string) string {
	t.Helper()
	tok, err := e.client.CreateToken(context.Background(), httpapi.TokenCreate{Name: "svc", Role: "service", Accounts: accounts})
	if err != nil {
		t.Fatal(err)
	}
	return tok.Secret
}

func TestAlarmListings(t *testing.T) {
	e := alarmEnv(t)
	ctx := context.Background()
	all, err := e.client.ListAlarms(ctx, "", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].AccountID != acct || all[0].Level != "CRITICAL" || all[1].AccountID != other || all[1].Level != "WARNING" {
		t.Fatalf("alarms = %+v, want acct CRITICAL then other WARNING", all)
	}
	a := all[0]
	if a.Code != instancesCode || a.Name != "Amazon Connect instances per account" || a.Scope != "account" || a.Kind != "usage" ||
		a.Value != 2 || a.Applied != 2 || a.Percent != 100 || a.Threshold != 0.95 {
		t.Fatalf("alarm %+v", a)
	}
	svc := &httpapi.Client{BaseURL: e.srv.URL, Token: e.serviceToken(t, acct)}
	mine, err := svc.ListAlarms(ctx, "", false)
	if err != nil || len(mine) != 1 || mine[0].AccountID != acct {
		t.Fatalf("service token's alarms = %+v, %v; want acct's only", mine, err)
	}
	if _, err := svc.ListAlarms(ctx, other, false); codeOf(err) != headroom.EFORBIDDEN {
		t.Fatalf("service token reading other: %v, want forbidden", err)
	}
	for _, c := range []struct {
		method, path, token string
		status              int
	}{
		{"GET", "/v1/accounts/" + acct + "/alarms?state=firing", svc.Token, 200},
		{"GET", "/v1/accounts/" + other + "/alarms", svc.Token, 403},
		{"GET", "/v1/alarms", "", 401},
		{"GET", "/v1/alarms?state=bogus", adminToken, 400},
		{"GET", "/v1/alarms?account=000000000000", adminToken, 404},
		{"GET", "/v1/alarm-rules", svc.Token, 403},
		{"PUT", "/v1/alarm-rules", svc.Token, 403},
		{"GET", "/v1/webhooks", svc.Token, 403},
		{"POST", "/v1/webhooks", svc.Token, 403},
	} {
		status, body := e.raw(t, c.method, c.path, c.token, "{}")
		if status != c.status {
			t.Errorf("%s %s = %d %v, want %d", c.method, c.path, status, body, c.status)
		}
	}
	_, body := e.raw(t, "GET", "/v1/accounts/"+acct+"/alarms?state=firing", svc.Token, "")
	if list, _ := body["alarms"].([]any); len(list) != 1 {
		t.Fatalf("account alarms = %v", body)
	}
}

func TestAlarmRulesAPI(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	w, m := 0.6, 20
	got, err := e.client.SetAlarmRule(ctx, httpapi.AlarmRuleSet{Code: instancesCode, Warning: &w, ThrottleMinutes: &m})
	if err != nil {
		t.Fatal(err)
	}
	want := httpapi.AlarmRule{Code: instancesCode, Warning: 0.6, Critical: 0.95, Hysteresis: 0.05, ThrottleCount: 10, ThrottleMinutes: 20, Updated: got.Updated}
	if got != want || got.Updated.IsZero() {
		t.Fatalf("SetAlarmRule = %+v, want %+v", got, want)
	}
	if _, err := e.client.SetAlarmRule(ctx, httpapi.AlarmRuleSet{Account: acct, Off: true}); err != nil {
		t.Fatal(err)
	}
	rules, err := e.client.ListAlarmRules(ctx)
	if err != nil || len(rules) != 2 || rules[0].Code != instancesCode || rules[1].Account != acct || !rules[1].Off {
		t.Fatalf("rules = %+v, %v", rules, err)
	}
	if err := e.client.DeleteAlarmRule(ctx, "", instancesCode); err != nil {
		t.Fatal(err)
	}
	if err := e.client.DeleteAlarmRule(ctx, "", instancesCode); codeOf(err) != headroom.ENOTFOUND {
		t.Fatalf("second delete: %v", err)
	}
	audit, _ := e.client.Audit(ctx, acct)
	if len(audit) == 0 || audit[len(audit)-1].Action != "alarm.rule.set" || !strings.Contains(audit[len(audit)-1].Detail, "alarms off") {
		t.Fatalf("audit = %+v", audit)
	}
}

func TestAlarmBadBodies(t *testing.T) {
	e := newEnv(t, nil)
	for _, c := range []struct {
		method, path, body, field string
		status                    int
	}{
		{"PUT", "/v1/alarm-rules", `{"warning":0}`, "warning", 400},
		{"PUT", "/v1/alarm-rules", `{"warning":"high"}`, "warning", 400},
		{"PUT", "/v1/alarm-rules", `{"critical":2}`, "critical", 400},
		{"PUT", "/v1/alarm-rules", `{"warning":0.9,"critical":0.8}`, "critical", 400},
		{"PUT", "/v1/alarm-rules", `{"hysteresis":0.9}`, "hysteresis", 400},
		{"PUT", "/v1/alarm-rules", `{"throttle_minutes":0}`, "throttle_minutes", 400},
		{"PUT", "/v1/alarm-rules", `{"throttle_count":-1}`, "throttle_count", 400},
		{"PUT", "/v1/alarm-rules", `{"colour":"red"}`, "colour", 400},
		{"PUT", "/v1/alarm-rules", `{"account":"000000000000"}`, "", 404},
		{"PUT", "/v1/alarm-rules", `{"code":"L-NOPE"}`, "", 404},
		{"PUT", "/v1/alarm-rules", `{"code":"HR-CONNECT-OUTBOUND-COUNTRIES"}`, "code", 400},
		{"PUT", "/v1/alarm-rules", ``, "", 400},
		{"PUT", "/v1/alarm-rules", `[]`, "", 400},
		{"POST", "/v1/webhooks", `{}`, "url", 400},
		{"POST", "/v1/webhooks", `{"url":"ftp://example.com/"}`, "url", 400},
		{"POST", "/v1/webhooks", `{"url":"https://user:pw@example.com/"}`, "url", 400},
		{"POST", "/v1/webhooks", `{"url":"https://example.com/","secret":"short"}`, "secret", 400},
		{"POST", "/v1/webhooks", `{"url":"https://example.com/","account":"000000000000"}`, "", 404},
		{"POST", "/v1/webhooks", `{"url":5}`, "url", 400},
		{"DELETE", "/v1/webhooks/wh-nope", ``, "", 404},
		{"GET", "/v1/webhooks/wh-nope/deliveries", ``, "", 404},
	} {
		status, body := e.raw(t, c.method, c.path, adminToken, c.body)
		if status != c.status || (c.field != "" && body["field"] != c.field) {
			t.Errorf("%s %s %s = %d %v, want %d naming %q", c.method, c.path, c.body, status, body, c.status, c.field)
		}
	}
	// Nothing half-applied.
	ctx := context.Background()
	rules, _ := e.client.ListAlarmRules(ctx)
	hooks, _ := e.client.ListWebhooks(ctx)
	if len(rules) != 0 || len(hooks) != 0 {
		t.Fatalf("after bad bodies: rules %+v, webhooks %+v", rules, hooks)
	}
}

func TestWebhooksAPI(t *testing.T) {
	e := alarmEnv(t)
	ctx := context.Background()
	h, err := e.client.CreateWebhook(ctx, httpapi.WebhookCreate{URL: "https://hooks.example.com/headroom", Account: acct})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h.Secret, "whsec_") || h.Account != acct || !strings.HasPrefix(h.ID, "wh-") {
		t.Fatalf("created %+v", h)
	}
	list, err := e.client.ListWebhooks(ctx)
	if err != nil || len(list) != 1 || list[0].Secret != "" || list[0].ID != h.ID {
		t.Fatalf("ListWebhooks = %+v, %v", list, err)
	}
	// acct falls to OK: one notification for its webhook.
	if _, err := e.client.Reconcile(ctx, acct, instancesCode, "", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.engine.EvaluateAlarms(ctx); err != nil {
		t.Fatal(err)
	}
	ds, err := e.client.ListDeliveries(ctx, h.ID, "pending")
	if err != nil || len(ds) != 1 || ds[0].Attempts != 0 {
		t.Fatalf("ListDeliveries = %+v, %v", ds, err)
	}
	var notice headroom.AlarmNotice
	if err := json.Unmarshal(ds[0].Body, &notice); err != nil || notice.State != headroom.AlarmOK || notice.PreviousState != headroom.AlarmCritical || notice.ID != ds[0].ID {
		t.Fatalf("delivery body %s: %v", ds[0].Body, err)
	}
	for _, q := range []string{"?state=bogus", "?limit=0", "?limit=x"} {
		if status, _ := e.raw(t, "GET", "/v1/webhooks/"+h.ID+"/deliveries"+q, adminToken, ""); status != http.StatusBadRequest {
			t.Errorf("deliveries%s = %d, want 400", q, status)
		}
	}
	if err := e.client.DeleteWebhook(ctx, h.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.ListDeliveries(ctx, h.ID, ""); codeOf(err) != headroom.ENOTFOUND {
		t.Fatalf("deliveries of a deleted webhook: %v", err)
	}
}
