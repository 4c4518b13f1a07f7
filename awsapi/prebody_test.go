package awsapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/headroomhq/headroom/awsapi"
	"github.com/headroomhq/headroom/internal/stalled"
)

// A caller that cannot be authenticated from the headers is refused before
// a byte of the body is read: a bad Authorization header, an unknown key, a
// credential for another region or service, a stale or future date.
func TestRefusedBeforeBodyIsRead(t *testing.T) {
	e := newEnv(t)
	k := e.keys[acctA]
	cases := []struct {
		name        string
		id          string
		region, svc string
		at          time.Duration // from the server's clock
		tamper      func(*http.Request)
		status      int
		err         string
	}{
		{name: "no authorization", tamper: func(r *http.Request) { r.Header.Del("Authorization") }, status: 403, err: "MissingAuthenticationTokenException"},
		{name: "not sigv4", tamper: func(r *http.Request) { r.Header.Set("Authorization", "Bearer x") }, status: 400, err: "IncompleteSignatureException"},
		{name: "unknown key", id: "AKIAUNKNOWNUNKNOWN00", status: 403, err: "UnrecognizedClientException"},
		{name: "other region", region: "eu-west-2", status: 403, err: "InvalidSignatureException"},
		{name: "other service", svc: "connect", status: 403, err: "InvalidSignatureException"},
		{name: "stale date", at: -16 * time.Minute, status: 403, err: "InvalidSignatureException"},
		{name: "future date", at: 16 * time.Minute, status: 403, err: "InvalidSignatureException"},
	}
	for _, tc := range cases {
		for _, expect100 := range []bool{true, false} {
			name := tc.name
			if !expect100 {
				name += " without 100-continue"
			}
			t.Run(name, func(t *testing.T) {
				id, reg, svc := tc.id, tc.region, tc.svc
				if id == "" {
					id = k.ID
				}
				if reg == "" {
					reg = region
				}
				if svc == "" {
					svc = awsapi.SigningName
				}
				body := stalled.NewBody()
				req := signedStalled(t, e.url+"/", id, k.Secret, svc, reg, e.clk.Now().Add(tc.at), body)
				if tc.tamper != nil {
					tc.tamper(req)
				}
				resp := stalled.Send(t, req, body, expect100)
				if resp == nil {
					t.Fatal("the server asked for the body of a caller it cannot authenticate")
				}
				if resp.StatusCode != tc.status || resp.Header.Get("X-Amzn-ErrorType") != tc.err {
					t.Fatalf("got %d %s, want %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), tc.status, tc.err)
				}
			})
		}
	}
	// A caller whose headers pass gets its body read: the harness sees it.
	body := stalled.NewBody()
	req := signedStalled(t, e.url+"/", k.ID, k.Secret, awsapi.SigningName, region, e.clk.Now(), body)
	if resp := stalled.Send(t, req, body, true); resp != nil {
		t.Fatalf("an authenticated caller's body was not read: %d", resp.StatusCode)
	}
}

// signedStalled is a Service Quotas request with a body that never comes,
// signed as the SDK signs.
func signedStalled(t *testing.T, url, id, secret, service, reg string, at time.Time, body *stalled.Body) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", awsapi.ContentType)
	req.Header.Set("X-Amz-Target", awsapi.TargetPrefix+".ListServices")
	sum := sha256.Sum256([]byte(strings.Repeat("x", 1<<20)))
	creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, reg, at); err != nil {
		t.Fatal(err)
	}
	return req
}
