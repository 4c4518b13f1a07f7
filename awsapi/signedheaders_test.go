package awsapi_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/headroomhq/headroom/awsapi"
)

// The operation a request runs is one its caller signed: X-Amz-Target must
// be in SignedHeaders.
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
