package httpapi

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestEnforceEncodingMatchesJSON checks the hand-written encoder against
// encoding/json: what it writes must decode to the value it was given.
func TestEnforceEncodingMatchesJSON(t *testing.T) {
	exp := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	resp := EnforceResponse{Results: []EnforceResult{
		{Allowed: true, Code: "L-9A46857E", Scope: "instance/i-1", Limit: 500, Level: "default", Used: 1, Remaining: 499},
		{Allowed: false, Code: "HR-CONNECT-API-RATE", Scope: "account", Limit: 2.5, Used: 5, RetryAfterMS: 500,
			Error: &ErrorBody{Code: "throttled", Message: "quote \" backslash \\ tab \t nl \n ctl \x01 é \u2028 bad \xff end",
				Quota: &DenialBody{Code: "HR-CONNECT-API-RATE", Name: "Rate of API requests", Scope: "account", Limit: 1e-7, Used: 5, Requested: 1, RetryAfterMS: 500}}},
		{Allowed: true, Expires: &exp, Replayed: true, Uncounted: true, Limit: 1e22},
		{Error: &ErrorBody{Code: "invalid_argument", Message: "bad", Field: "items[3].amount"}},
	}}
	var got EnforceResponse
	if err := json.Unmarshal(appendEnforceResponse(nil, &resp), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, appendEnforceResponse(nil, &resp))
	}
	// Invalid UTF-8 is replaced, as encoding/json does.
	resp.Results[1].Error.Message = "quote \" backslash \\ tab \t nl \n ctl \x01 é \u2028 bad \ufffd end"
	if !reflect.DeepEqual(got, resp) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, resp)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "\"\\\n\x00\x1f", "é\u2028\xff\xfe", "\U0001F600"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got string
		if err := json.Unmarshal(appendString(nil, s), &got); err != nil {
			t.Fatalf("%q encoded as %q: %v", s, appendString(nil, s), err)
		}
		want, _ := json.Marshal(s)
		var w string
		json.Unmarshal(want, &w)
		if got != w {
			t.Fatalf("%q: got %q, encoding/json %q", s, got, w)
		}
	})
}
