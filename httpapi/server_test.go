package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/catalog"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/httpapi"
	"github.com/headroomhq/headroom/memory"
	"github.com/headroomhq/headroom/phone"
)

const (
	adminToken = "hr_test-operator-secret"
	acct       = "123456789012"
	other      = "210987654321"
)

type env struct {
	srv    *httptest.Server
	client *httpapi.Client
	clk    *clock.Manual
	logs   *syncBuffer
	engine *headroom.Engine
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newEnv(t testing.TB, mod func(*httpapi.Config)) *env {
	t.Helper()
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	e, err := headroom.NewEngine(headroom.Config{Catalog: cat, Store: memory.NewStore(), Limiter: memory.NewLimiter(clk), Clock: clk, Numbers: phone.Parser{}})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	cfg := httpapi.Config{Engine: e, AdminToken: adminToken, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if mod != nil {
		mod(&cfg)
	}
	s, err := httpapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	en := &env{srv: srv, client: &httpapi.Client{BaseURL: srv.URL, Token: adminToken}, clk: clk, logs: logs, engine: e}
	for _, id := range []string{acct, other} {
		if _, err := en.client.CreateAccount(context.Background(), httpapi.AccountCreate{AccountID: id, Created: "2020-03-01"}); err != nil {
			t.Fatal(err)
		}
	}
	return en
}

// raw sends a request and returns the status and decoded JSON body.
func (e *env) raw(t *testing.T, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %s", method, path, data)
		}
	}
	return resp.StatusCode, m
}

func codeOf(err error) headroom.ErrorCode { return headroom.ErrorCodeOf(err) }

func TestHealthz(t *testing.T) {
	e := newEnv(t, nil)
	resp, err := http.Get(e.srv.URL + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
}

func TestEnforceBatchPerItemResults(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	body := `{"items":[
		{"op":"reserve","account":"123456789012","code":"L-9A46857E","scope":"instance/i-1","amount":1},
		{"op":"reserve","account":"123456789012","code":"L-9A46857E","scope":"instance/i-1","amount":"two"},
		{"op":"take","account":"123456789012","code":"L-9A46857E","scope":"instance/i-1","amount":1},
		{"op":"reserve","account":"123456789012","code":"L-9A46857E","scope":"instance/i-1","amount":1,"colour":"red"},
		{"op":"acquire","account":"123456789012","code":"L-12AB7C57","scope":"instance/i-1","lease_id":"cb","ttl_seconds":60,"state":"callback-waiting"},
		{"op":"check","account":"123456789012","code":"HR-CONNECT-OUTBOUND-COUNTRIES","value":"+447700900123"},
		{"op":"reserve","account":"123456789012","code":"L-9A46857E","scope":"instance/i-1","amount":1}
	]}`
	status, m := e.raw(t, "POST", "/v1/enforce", adminToken, body)
	if status != 200 {
		t.Fatalf("status %d: %v", status, m)
	}
	res := m["results"].([]any)
	if len(res) != 7 {
		t.Fatalf("%d results", len(res))
	}
	item := func(i int) map[string]any { return res[i].(map[string]any) }
	errOf := func(i int) map[string]any {
		e, _ := item(i)["error"].(map[string]any)
		return e
	}
	if item(0)["allowed"] != true || item(0)["used"].(float64) != 1 {
		t.Fatalf("item 0: %v", item(0))
	}
	if e := errOf(1); e["code"] != "invalid_argument" || e["field"] != "items[1].amount" {
		t.Fatalf("item 1: %v", item(1))
	}
	if e := errOf(2); e["code"] != "wrong_kind" {
		t.Fatalf("item 2: %v", item(2))
	}
	if e := errOf(3); e["code"] != "invalid_argument" || e["field"] != "items[3].colour" {
		t.Fatalf("item 3: %v", item(3))
	}
	if item(4)["allowed"] != true || item(4)["uncounted"] != true {
		t.Fatalf("item 4: %v", item(4))
	}
	if e := errOf(5); e["code"] != "not_allowed" {
		t.Fatalf("item 5: %v", item(5))
	}
	if item(6)["used"].(float64) != 2 {
		t.Fatalf("item 6: %v", item(6))
	}
	// The client sees the same through typed results.
	rs, err := e.client.Enforce(ctx, []httpapi.EnforceItem{{Op: "take", Account: acct, Code: "HR-CONNECT-API-RATE", Amount: 6}})
	if err != nil || codeOf(rs[0].ItemError()) != headroom.EINVALID {
		t.Fatalf("take 6 of burst 5: %+v %v", rs, err)
	}
}

func TestDenialStatesLimit(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	if _, err := e.client.Reconcile(ctx, acct, "L-9A46857E", "instance/i-1", 500); err != nil {
		t.Fatal(err)
	}
	rs, err := e.client.Enforce(ctx, []httpapi.EnforceItem{{Op: "reserve", Account: acct, Code: "L-9A46857E", Scope: "instance/i-1", Amount: 1}})
	if err != nil {
		t.Fatal(err)
	}
	r := rs[0]
	if r.Allowed || r.Error == nil || r.Error.Code != "quota_exceeded" || r.Limit != 500 || r.Used != 500 ||
		r.Error.Message != "Users per instance quota of 500 reached for instance i-1 (500 in use, 1 requested)" ||
		r.Error.Quota == nil || r.Error.Quota.Code != "L-9A46857E" || r.Error.Quota.Limit != 500 {
		t.Fatalf("denial: %+v %+v", r, r.Error)
	}
	for i := 0; i < 5; i++ {
		e.client.Enforce(ctx, []httpapi.EnforceItem{{Op: "take", Account: acct, Code: "HR-CONNECT-API-RATE", Amount: 1}})
	}
	rs, _ = e.client.Enforce(ctx, []httpapi.EnforceItem{{Op: "take", Account: acct, Code: "HR-CONNECT-API-RATE", Amount: 1}})
	if rs[0].Allowed || rs[0].RetryAfterMS != 500 || rs[0].Error.Code != "throttled" || rs[0].Error.Quota.RetryAfterMS != 500 {
		t.Fatalf("throttle: %+v %+v", rs[0], rs[0].Error)
	}
}

func TestAuth(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	// No token, wrong token.
	for _, tok := range []string{"", "hr_wrong"} {
		status, m := e.raw(t, "GET", "/v1/accounts", tok, "")
		if status != 401 || m["code"] != "unauthenticated" || m["message"] == "" {
			t.Fatalf("token %q: %d %v", tok, status, m)
		}
	}
	svc, err := e.client.CreateToken(ctx, httpapi.TokenCreate{Name: "billing", Role: "service", Accounts: []string{acct}})
	if err != nil || !strings.HasPrefix(svc.Secret, "hr_") {
		t.Fatalf("create token: %+v %v", svc, err)
	}
	sc := &httpapi.Client{BaseURL: e.srv.URL, Token: svc.Secret}
	// A service token enforces and reads for its account...
	rs, err := sc.Enforce(ctx, []httpapi.EnforceItem{
		{Op: "reserve", Account: acct, Code: "L-9A46857E", Scope: "instance/i-1", Amount: 1},
		{Op: "reserve", Account: other, Code: "L-9A46857E", Scope: "instance/i-1", Amount: 1},
	})
	if err != nil || !rs[0].Allowed || rs[1].Error == nil || rs[1].Error.Code != "forbidden" {
		t.Fatalf("service enforce: %+v %v", rs, err)
	}
	if _, err := sc.ListQuotas(ctx, acct, "connect", ""); err != nil {
		t.Fatalf("service reads own quotas: %v", err)
	}
	// ...but nothing of another account, and no operator calls.
	if _, err := sc.ListQuotas(ctx, other, "", ""); codeOf(err) != headroom.EFORBIDDEN {
		t.Fatalf("service reads other account: %v", err)
	}
	if _, err := sc.ListAccounts(ctx); codeOf(err) != headroom.EFORBIDDEN {
		t.Fatalf("service lists accounts: %v", err)
	}
	if _, err := sc.SetOverride(ctx, acct, "L-9A46857E", httpapi.OverrideSet{Value: ptr(1000.0)}); codeOf(err) != headroom.EFORBIDDEN {
		t.Fatalf("service sets override: %v", err)
	}
	// Revoked tokens stop working.
	if err := e.client.DeleteToken(ctx, svc.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.ListQuotas(ctx, acct, "", ""); codeOf(err) != headroom.EUNAUTHENTICATED {
		t.Fatalf("revoked token: %v", err)
	}
	// No secret ever reaches the log.
	logs := e.logs.String()
	for _, secret := range []string{adminToken, svc.Secret} {
		if strings.Contains(logs, secret) {
			t.Fatalf("log holds a secret:\n%s", logs)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestAdminCalls(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	created, err := e.client.CreateAccount(ctx, httpapi.AccountCreate{AccountID: "444455556666", Created: "2019-05-01", AISPL: true})
	if err != nil || created.AccessKeyID == "" || len(created.SecretAccessKey) != 40 || !created.AISPL || created.Created != "2019-05-01" {
		t.Fatalf("create: %+v %v", created, err)
	}
	if _, err := e.client.CreateAccount(ctx, httpapi.AccountCreate{AccountID: "444455556666"}); codeOf(err) != headroom.ECONFLICT {
		t.Fatalf("duplicate: %v", err)
	}
	for _, bad := range []httpapi.AccountCreate{{AccountID: "12345"}, {AccountID: "123456789012x"}, {AccountID: "777766665555", Created: "March"}} {
		if _, err := e.client.CreateAccount(ctx, bad); codeOf(err) != headroom.EINVALID {
			t.Fatalf("bad account %+v: %v", bad, err)
		}
	}
	accts, _ := e.client.ListAccounts(ctx)
	if len(accts) != 3 {
		t.Fatalf("accounts: %+v", accts)
	}
	key, err := e.client.CreateAccessKey(ctx, acct)
	if err != nil || key.AccountID != acct || key.AccessKeyID == created.AccessKeyID {
		t.Fatalf("new key: %+v %v", key, err)
	}
	if _, err := e.client.CreateAccessKey(ctx, "999999999999"); codeOf(err) != headroom.EUNKNOWNACCOUNT {
		t.Fatalf("key for unknown account: %v", err)
	}
	// Overrides: not adjustable, raise, lower, per instance.
	if _, err := e.client.SetOverride(ctx, acct, "L-D945C9A8", httpapi.OverrideSet{Value: ptr(60.0)}); codeOf(err) != headroom.ENOTADJUSTABLE {
		t.Fatalf("not adjustable: %v", err)
	}
	q, err := e.client.SetOverride(ctx, acct, "L-9A46857E", httpapi.OverrideSet{Scope: "instance/i-1", Value: ptr(1000.0)})
	if err != nil || q.Value != 1000 || q.Level != "resource" {
		t.Fatalf("set: %+v %v", q, err)
	}
	q, _ = e.client.GetQuota(ctx, acct, "L-9A46857E", "instance/i-2")
	if q.Value != 500 || q.Level != "default" || q.Usage == nil || *q.Usage != 0 {
		t.Fatalf("other instance: %+v", q)
	}
	if _, err := e.client.SetOverride(ctx, acct, "L-9A46857E", httpapi.OverrideSet{}); codeOf(err) != headroom.EINVALID {
		t.Fatalf("override without value: %v", err)
	}
	ovs, _ := e.client.ListOverrides(ctx, acct)
	if len(ovs) != 1 || ovs[0].UpdatedBy != "operator" {
		t.Fatalf("overrides: %+v", ovs)
	}
	if err := e.client.DeleteOverride(ctx, acct, "L-9A46857E", "instance/i-1"); err != nil {
		t.Fatal(err)
	}
	if err := e.client.DeleteOverride(ctx, acct, "L-9A46857E", "instance/i-1"); codeOf(err) != headroom.ENOTFOUND {
		t.Fatalf("delete twice: %v", err)
	}
	// Reconcile and usage, busiest first.
	e.client.Reconcile(ctx, acct, "L-9A46857E", "instance/i-1", 400)
	e.client.Reconcile(ctx, acct, "L-19A87C94", "instance/i-1", 10)
	usage, err := e.client.Usage(ctx, acct)
	if err != nil || len(usage) != 2 || usage[0].Code != "L-9A46857E" || usage[0].PercentUsed != 80 {
		t.Fatalf("usage: %+v %v", usage, err)
	}
	audit, _ := e.client.Audit(ctx, acct)
	if len(audit) < 5 {
		t.Fatalf("audit: %+v", audit)
	}
}

func TestBadBodies(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) { c.MaxBodyBytes = 4096; c.MaxBatchItems = 3 })
	item := `{"op":"reserve","account":"123456789012","code":"L-9A46857E","scope":"instance/i-1","amount":1}`
	for _, tc := range []struct {
		name, path, body string
		status           int
		field            string
	}{
		{"malformed", "/v1/enforce", `{"items":[`, 400, ""},
		{"not an object", "/v1/enforce", `[1,2]`, 400, ""},
		{"empty", "/v1/enforce", ``, 400, ""},
		{"trailing data", "/v1/enforce", `{"items":[` + item + `]} {}`, 400, ""},
		{"unknown top field", "/v1/enforce", `{"items":[` + item + `],"x":1}`, 400, "x"},
		{"no items", "/v1/enforce", `{"items":[]}`, 400, "items"},
		{"too many items", "/v1/enforce", `{"items":[` + strings.Repeat(item+",", 3) + item + `]}`, 400, "items"},
		{"items of the wrong type", "/v1/enforce", `{"items":"all"}`, 400, "items"},
		{"too large", "/v1/enforce", `{"items":[` + strings.Repeat(" ", 5000) + `]}`, 413, ""},
		{"wrong type", "/v1/accounts", `{"account_id":123456789012}`, 400, "account_id"},
		{"unknown field", "/v1/accounts", `{"account_id":"777766665555","plan":"gold"}`, 400, "plan"},
		{"override out of range", "/v1/accounts/123456789012/overrides/L-9A46857E", `{"value":1e300}`, 400, "value"},
		{"usage out of range", "/v1/accounts/123456789012/usage/L-9A46857E", `{"scope":"instance/i-1","used":1e30}`, 400, "used"},
		{"usage negative", "/v1/accounts/123456789012/usage/L-9A46857E", `{"scope":"instance/i-1","used":-1}`, 400, "used"},
		{"usage missing", "/v1/accounts/123456789012/usage/L-9A46857E", `{"scope":"instance/i-1"}`, 400, "used"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := "POST"
			if strings.Contains(tc.path, "/overrides/") || strings.Contains(tc.path, "/usage/") {
				method = "PUT"
			}
			status, m := e.raw(t, method, tc.path, adminToken, tc.body)
			if status != tc.status || m["message"] == "" || m["code"] == "" {
				t.Fatalf("status %d body %v, want %d", status, m, tc.status)
			}
			if tc.field != "" && m["field"] != tc.field {
				t.Fatalf("field %v, want %q (%v)", m["field"], tc.field, m)
			}
		})
	}
	// Nothing was half-applied.
	if u, _ := e.client.Usage(context.Background(), acct); len(u) != 0 {
		t.Fatalf("usage after bad bodies: %+v", u)
	}
	if status, m := e.raw(t, "GET", "/v1/nope", adminToken, ""); status != 404 || m["code"] != "not_found" {
		t.Fatalf("unknown endpoint: %d %v", status, m)
	}
}

func TestRequestsAPI(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	svc, _ := e.client.CreateToken(ctx, httpapi.TokenCreate{Name: "tenant", Role: "service", Accounts: []string{acct}})
	sc := &httpapi.Client{BaseURL: e.srv.URL, Token: svc.Secret}
	r, err := sc.CreateRequest(ctx, httpapi.RequestCreate{AccountID: acct, Code: "L-9A46857E", Scope: "instance/i-1", DesiredValue: 900})
	if err != nil || r.Status != "CASE_OPENED" || r.Requester != "token:"+svc.ID {
		t.Fatalf("service files a request: %+v %v", r, err)
	}
	if _, err := sc.CreateRequest(ctx, httpapi.RequestCreate{AccountID: other, Code: "L-9A46857E", DesiredValue: 900}); codeOf(err) != headroom.EFORBIDDEN {
		t.Fatalf("service files for another account: %v", err)
	}
	if _, err := sc.DecideRequest(ctx, r.ID, "approve", httpapi.RequestDecide{}); codeOf(err) != headroom.EFORBIDDEN {
		t.Fatalf("service approves: %v", err)
	}
	if _, err := e.client.CreateRequest(ctx, httpapi.RequestCreate{Type: "teleport", AccountID: acct}); codeOf(err) != headroom.EINVALID {
		t.Fatalf("unknown type: %v", err)
	}
	if _, err := e.client.ListRequests(ctx, "MAYBE", ""); codeOf(err) != headroom.EINVALID {
		t.Fatalf("bad status filter: %v", err)
	}
	got, err := e.client.DecideRequest(ctx, r.ID, "approve", httpapi.RequestDecide{Value: 800})
	if err != nil || got.Status != "APPROVED" || got.GrantedValue != 800 {
		t.Fatalf("approve: %+v %v", got, err)
	}
	full, err := e.client.GetRequest(ctx, r.ID)
	if err != nil || len(full.Transitions) != 3 || full.Transitions[2].To != "APPROVED" || full.Transitions[2].Actor != "operator" {
		t.Fatalf("get: %+v %v", full, err)
	}
	q, _ := e.client.GetQuota(ctx, acct, "L-9A46857E", "instance/i-1")
	if q.Value != 800 {
		t.Fatalf("quota after approval: %+v", q)
	}
	if _, err := e.client.GetRequest(ctx, "nope"); codeOf(err) != headroom.ENOTFOUND {
		t.Fatalf("unknown request: %v", err)
	}
}

// An oversized batch of invalid items costs memory in proportion to the
// bytes read before the item cap, not to the whole body decoded twice.
func TestEnforceBatchAmplification(t *testing.T) {
	e := newEnv(t, nil)
	item := `{"op":1,"account":"123456789012","code":"L-9A46857E"},`
	body := `{"items":[` + strings.Repeat(item, 510<<10/len(item)) + `{}]}`
	e.raw(t, "POST", "/v1/enforce", adminToken, body) // warm up
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	status, m := e.raw(t, "POST", "/v1/enforce", adminToken, body)
	runtime.ReadMemStats(&after)
	if msg, _ := m["message"].(string); status != 400 || m["field"] != "items" || !strings.Contains(msg, "at most 1000 per call") {
		t.Fatalf("oversized batch: %d %v", status, m)
	}
	// The client and the server share this process: the bound covers both,
	// with the 510 KB body sent and read once each.
	if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
		t.Fatalf("one %d-byte invalid batch allocated %d MB", len(body), got>>20)
	}
}

// With TokenCacheTTL below zero every call asks the store, so a token
// deleted behind this server's back (by another node sharing the store)
// stops working at once; with the cache it would live on.
func TestTokenCacheOff(t *testing.T) {
	for _, tc := range []struct {
		ttl       time.Duration
		wantAfter headroom.ErrorCode
	}{{-1, headroom.EUNAUTHENTICATED}, {time.Hour, ""}} {
		e := newEnv(t, func(c *httpapi.Config) { c.TokenCacheTTL = tc.ttl })
		ctx := context.Background()
		svc, err := e.client.CreateToken(ctx, httpapi.TokenCreate{Name: "billing", Role: "service", Accounts: []string{acct}})
		if err != nil {
			t.Fatal(err)
		}
		sc := &httpapi.Client{BaseURL: e.srv.URL, Token: svc.Secret}
		if _, err := sc.ListQuotas(ctx, acct, "connect", ""); err != nil {
			t.Fatal(err)
		}
		// Another node deletes the token: straight through the engine.
		if err := e.engine.DeleteToken(ctx, svc.ID, "operator"); err != nil {
			t.Fatal(err)
		}
		if _, err := sc.ListQuotas(ctx, acct, "connect", ""); codeOf(err) != tc.wantAfter {
			t.Fatalf("ttl %v: after the store deleted the token: %v, want %q", tc.ttl, err, tc.wantAfter)
		}
	}
}
