package connectapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// A query signed by the SDK's own signer verifies, sent as written: a
// literal '+' (which the signer reads as a space, as url.ParseQuery and
// every handler do), %2B, %20, a repeated name, reserved characters left
// unescaped, and pairs url.ParseQuery leaves out (a bad escape, a
// semicolon), which the signer leaves out too.
func TestQuerySignedBySDK(t *testing.T) {
	e := newEnv(t)
	k := e.account(acctA, false, "")
	iid := e.instance(acctA)
	for _, q := range []string{
		"maxResults=2",
		"nextToken=a+b",
		"nextToken=a%2Bb",
		"nextToken=a%20b",
		"nextToken=a+b&maxResults=2&maxResults=1",
		"nextToken=a/b:c@d!e*f(g)'h",
		"nextToken=%7E~",
		"nextToken=",
		"nextToken=a&junk=%zz",
		"nextToken=a&junk=b;c",
		"nextToken=a&=b&c",
	} {
		t.Run(q, func(t *testing.T) {
			r, err := http.NewRequest(http.MethodGet, e.url+"/users-summary/"+iid+"?"+q, nil)
			if err != nil {
				t.Fatal(err)
			}
			if r.URL.RawQuery != q {
				t.Fatalf("query sent as %q", r.URL.RawQuery)
			}
			sum := sha256.Sum256(nil)
			if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: k.ID, SecretAccessKey: k.Secret},
				r, hex.EncodeToString(sum[:]), "connect", region, time.Now()); err != nil {
				t.Fatal(err)
			}
			// The signer rewrites the query to its canonical form; a
			// client may send it as written.
			r.URL.RawQuery = q
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			// The signature passed: the answer is the users, or the
			// token's own error.
			if name := resp.Header.Get("X-Amzn-ErrorType"); resp.StatusCode != 200 && name != "InvalidParameterException" {
				t.Fatalf("%d %s %s", resp.StatusCode, name, body)
			}
		})
	}
}

// A query changed after signing is refused.
func TestQueryChangedAfterSigning(t *testing.T) {
	e := newEnv(t)
	k := e.account(acctA, false, "")
	iid := e.instance(acctA)
	for _, sent := range []string{"nextToken=b", "nextToken=a&maxResults=1", "nextToken=a%2Bb"} {
		r, err := http.NewRequest(http.MethodGet, e.url+"/users-summary/"+iid+"?nextToken=a+b", nil)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(nil)
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: k.ID, SecretAccessKey: k.Secret},
			r, hex.EncodeToString(sum[:]), "connect", region, time.Now()); err != nil {
			t.Fatal(err)
		}
		r.URL.RawQuery = sent
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 || resp.Header.Get("X-Amzn-ErrorType") != "InvalidSignatureException" {
			t.Errorf("%s: %d %s", sent, resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
		}
	}
}
