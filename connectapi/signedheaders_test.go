package connectapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// A request with two Authorization headers is refused rather than
// resolved by taking the first.
func TestDuplicateAuthorization(t *testing.T) {
	e := newEnv(t)
	k := e.account(acctA, false, "")
	for _, tc := range []struct {
		name   string
		tamper func(*http.Request)
		status int
		err    string
	}{
		{"signed", func(*http.Request) {}, 200, ""},
		{"twice the same", func(r *http.Request) { r.Header.Add("Authorization", r.Header.Get("Authorization")) }, 400, "IncompleteSignatureException"},
		{"a bad one after", func(r *http.Request) { r.Header.Add("Authorization", "AWS4-HMAC-SHA256 Credential=x") }, 400, "IncompleteSignatureException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := http.NewRequest(http.MethodGet, e.url+"/instance", nil)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(nil)
			if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: k.ID, SecretAccessKey: k.Secret},
				r, hex.EncodeToString(sum[:]), "connect", region, time.Now()); err != nil {
				t.Fatal(err)
			}
			tc.tamper(r)
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status || resp.Header.Get("X-Amzn-ErrorType") != tc.err {
				t.Fatalf("got %d %s, want %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), tc.status, tc.err)
			}
		})
	}
}
