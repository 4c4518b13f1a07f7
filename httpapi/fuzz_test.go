package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

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
