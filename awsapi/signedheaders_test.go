package awsapi_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/headroomhq/headroom/awsapi"
)

// The operation a request runs is one its caller signed: X-Amz-Target must
// be in SignedHeaders. A request with two Authorization headers, or two
// X-Amz-Date headers, is refused rather than resolved by taking the first.
func TestSignedHeadersRules(t *testing.T) {
	e := newEnv(t)
	k := e.keys[acctA]
	cases := []struct {
		name   string
		r      raw
		status int
		err    string
		msg    string
	}{
		{"target not signed", raw{body: getUsers, tamper: func(r *http.Request) {
			r.Header.Set("X-Amz-Target", awsapi.TargetPrefix+".GetServiceQuota")
		}}, 403, "InvalidSignatureException", "x-amz-target"},
		{"two authorization headers", raw{target: "GetServiceQuota", body: getUsers, tamper: func(r *http.Request) {
			r.Header.Add("Authorization", r.Header.Get("Authorization"))
		}}, 400, "IncompleteSignatureException", "Authorization"},
		{"a bad authorization header after", raw{target: "GetServiceQuota", body: getUsers, tamper: func(r *http.Request) {
			r.Header.Add("Authorization", "AWS4-HMAC-SHA256 Credential=x")
		}}, 400, "IncompleteSignatureException", "Authorization"},
		{"two dates", raw{target: "GetServiceQuota", body: getUsers, tamper: func(r *http.Request) {
			r.Header.Add("X-Amz-Date", r.Header.Get("X-Amz-Date"))
		}}, 400, "IncompleteSignatureException", "X-Amz-Date"},
		{"signed", raw{target: "GetServiceQuota", body: getUsers}, 200, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, name, body := e.doWithKey(k.ID, k.Secret, tc.r)
			if status != tc.status || name != tc.err || !bytes.Contains(body, []byte(tc.msg)) {
				t.Fatalf("got %d %s %s, want %d %s containing %q", status, name, body, tc.status, tc.err, tc.msg)
			}
		})
	}
}
