package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/httpapi"
)

func TestHandleAccountJSON(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) { c.MaxBodyBytes = 64 })
	s := e.srv.Config.Handler.(*httpapi.Server)
	s.HandleAccountJSON("POST /v1/echo/{account}/{thing}", func(ctx context.Context, account, actor string, r *http.Request, body []byte) (any, error) {
		if string(body) == "fail" {
			return nil, headroom.Errorf(headroom.EPRECONDITION, "the %s has ended", r.PathValue("thing"))
		}
		return map[string]string{"account": account, "actor": actor, "thing": r.PathValue("thing"), "body": string(body)}, nil
	})
	svc, err := e.client.CreateToken(context.Background(), httpapi.TokenCreate{Name: "tenant", Role: "service", Accounts: []string{acct}})
	if err != nil {
		t.Fatal(err)
	}
	call := func(token, account, body string) (int, map[string]string) {
		t.Helper()
		req, _ := http.NewRequest("POST", e.srv.URL+"/v1/echo/"+account+"/contact", strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		var out map[string]string
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatalf("answer %q: %v", data, err)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		if resp.Header.Get("X-Amzn-ErrorType") != "" {
			t.Errorf("native endpoint wrote X-Amzn-ErrorType")
		}
		return resp.StatusCode, out
	}
	if st, out := call(adminToken, other, "hi"); st != 200 || out["account"] != other || out["actor"] != "operator" || out["thing"] != "contact" || out["body"] != "hi" {
		t.Fatalf("operator: %d %v", st, out)
	}
	if st, out := call(svc.Secret, acct, ""); st != 200 || out["account"] != acct || out["actor"] != "token:"+svc.ID || out["body"] != "" {
		t.Fatalf("service token: %d %v", st, out)
	}
	for _, tc := range []struct {
		name, token, account, body string
		status                     int
		code                       headroom.ErrorCode
	}{
		{"other account", svc.Secret, other, "hi", 403, headroom.EFORBIDDEN},
		{"no token", "", acct, "hi", 401, headroom.EUNAUTHENTICATED},
		{"too large", adminToken, acct, strings.Repeat("x", 65), 413, headroom.ETOOLARGE},
		{"fn error", adminToken, acct, "fail", 400, headroom.EPRECONDITION},
	} {
		st, out := call(tc.token, tc.account, tc.body)
		if st != tc.status || out["code"] != string(tc.code) || out["message"] == "" {
			t.Errorf("%s: %d %v", tc.name, st, out)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("a pattern without {account} was accepted")
		}
	}()
	s.HandleAccountJSON("POST /v1/nothing", nil)
}
