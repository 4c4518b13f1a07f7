package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/httpapi"
)

// FuzzEnforce sends arbitrary bodies to POST /v1/enforce: the server must
// never panic, must answer 200, 400 or 413 with a JSON body, and on 200 must
// return one result per item.
func FuzzEnforce(f *testing.F) {
	for _, s := range []string{
		`{"items":[{"op":"reserve","account":"123456789012","code":"L-9A46857E","scope":"instance/i-1","amount":1}]}`,
		`{"items":[{"op":"acquire","account":"123456789012","code":"L-12AB7C57","scope":"instance/i-1","lease_id":"c","ttl_seconds":1e9}]}`,
		`{"items":[{"op":"check","account":"123456789012","code":"HR-CONNECT-TASK-DURATION","start":"2026-01-01T00:00:00Z","duration_seconds":-1}]}`,
		`{"items":[{"op":"take","account":"123456789012","code":"HR-CONNECT-API-RATE","amount":9223372036854775807}]}`,
		`{"items":[null,1,"x",{}]}`, `{"items":null}`, `{}`, `[]`, `"`, `{"items":[{"text":"\ud800"}]}`,
	} {
		f.Add([]byte(s))
	}
	e := newEnv(f, nil)
	h := e.srv.Config.Handler
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/v1/enforce", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+adminToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			var in struct{ Items []json.RawMessage }
			var out httpapi.EnforceResponse
			if err := json.Unmarshal(body, &in); err != nil {
				t.Fatalf("200 for a body that does not decode: %v", err)
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Results) != len(in.Items) {
				t.Fatalf("200 with %d results for %d items: %v", len(out.Results), len(in.Items), err)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			var eb httpapi.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Code == "" || eb.Message == "" {
				t.Fatalf("%d without a JSON error: %q", rec.Code, rec.Body.String())
			}
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	})
}

// FuzzAdminBodies sends arbitrary bodies to every other call that decodes a
// request body: it must never panic, and must answer with a JSON body and a
// 2xx or 4xx status, never a 5xx.
func FuzzAdminBodies(f *testing.F) {
	type call struct{ method, path string }
	calls := []call{
		{"POST", "/v1/accounts"},
		{"PUT", "/v1/accounts/123456789012/overrides/L-9A46857E"},
		{"PUT", "/v1/accounts/123456789012/overrides/HR-CONNECT-OUTBOUND-COUNTRIES"},
		{"PUT", "/v1/accounts/123456789012/usage/L-9A46857E"},
		{"POST", "/v1/tokens"},
		{"POST", "/v1/requests"},
		{"PUT", "/v1/alarm-rules"},
		{"POST", "/v1/webhooks"},
	}
	for i, s := range []string{
		`{"account_id":"555566667777","created":"2020-03-01","aispl":true}`,
		`{"scope":"instance/i-1","value":800}`,
		`{"allow":["+447"],"deny":["+1"]}`,
		`{"scope":"instance/i-1","used":3}`,
		`{"name":"svc","role":"service","accounts":["123456789012"]}`,
		`{"account_id":"123456789012","code":"L-9A46857E","scope":"instance/i-1","desired_value":900}`,
		`{"type":"port-number","account_id":"123456789012","number":"+12065550100"}`,
		`{"value":1e400}`, `{"used":-9223372036854775809}`, `null`, `{"created":"2020-02-30"}`,
		`{"account":"123456789012","code":"L-AA17A6B9","warning":0.5,"critical":0.9,"hysteresis":0.1,"throttle_count":3,"throttle_minutes":10}`,
		`{"url":"https://hooks.example.com/h","account":"123456789012","secret":"0123456789abcdef0123"}`,
		`{"off":true,"warning":null}`, `{"url":"http://[::1"}`,
	} {
		f.Add(uint8(i), []byte(s))
	}
	e := newEnv(f, nil)
	h := e.srv.Config.Handler
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		c := calls[int(which)%len(calls)]
		req := httptest.NewRequest(c.method, c.path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+adminToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 || rec.Code < 200 {
			t.Fatalf("%s %s: status %d: %s", c.method, c.path, rec.Code, rec.Body.String())
		}
		if rec.Code >= 400 {
			var eb httpapi.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Code == "" || eb.Message == "" {
				t.Fatalf("%d without a JSON error: %q", rec.Code, rec.Body.String())
			}
		}
	})
}

// FuzzHistoryQuery sends arbitrary query strings to GET
// /v1/accounts/{id}/usage/{code}/history: the server must never panic,
// must answer 200 or a 4xx with a JSON body, and on 200 must return at
// most headroom.MaxHistoryPoints points.
func FuzzHistoryQuery(f *testing.F) {
	for _, s := range []string{
		"", "scope=instance/i-1", "from=2026-03-01T00:00:00Z&to=2026-03-01T12:00:00Z&step=1m",
		"step=-1m", "step=1ns", "step=9223372036854775807ns", "from=0001-01-01T00:00:00Z", "to=9999-12-31T23:59:59Z",
		"from=2026-03-01T12:00:00%2B14:00&step=1h", "scope=%00", "step=1h&from=1970-01-01T00:00:00Z",
	} {
		f.Add(s)
	}
	e := newEnv(f, nil)
	h := e.srv.Config.Handler
	f.Fuzz(func(t *testing.T, query string) {
		for _, code := range []string{"L-9A46857E", "HR-CONNECT-API-RATE"} {
			req := httptest.NewRequest("GET", "/v1/accounts/123456789012/usage/"+code+"/history", nil)
			req.URL.RawQuery = query
			req.Header.Set("Authorization", "Bearer "+adminToken)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			switch {
			case rec.Code == http.StatusOK:
				var out httpapi.UsageHistory
				if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Points) > headroom.MaxHistoryPoints || len(out.Points) == 0 {
					t.Fatalf("200 with %d points: %v", len(out.Points), err)
				}
			case rec.Code >= 400 && rec.Code < 500:
				var eb httpapi.ErrorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Code == "" || eb.Message == "" {
					t.Fatalf("%d without a JSON error: %q", rec.Code, rec.Body.String())
				}
			default:
				t.Fatalf("status %d for %q: %s", rec.Code, query, rec.Body.String())
			}
		}
	})
}
