package sigv4_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/sigv4"
)

// FuzzParse feeds arbitrary Authorization and X-Amz-Date headers and
// queries through the whole verification. Nothing panics; every refusal
// is a *sigv4.Error; nothing passes without a real signature.
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 30s ./internal/sigv4/
func FuzzParse(f *testing.F) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	v := &sigv4.Verifier{Service: "connect", Region: "us-east-1", Clock: fixedClock{now}, MustSign: []string{"x-amz-target"},
		Keys: func(_ context.Context, id string) (headroom.AccessKey, error) {
			if id != "AKIDTEST" {
				return headroom.AccessKey{}, headroom.Errorf(headroom.ENOTFOUND, "no key")
			}
			return headroom.AccessKey{ID: id, Account: "111122223333", Secret: "s3cret"}, nil
		}}
	good := signed(f, "{}", "s3cret", now)
	goodSig := good.Header.Get("Authorization")
	goodSig = goodSig[strings.LastIndex(goodSig, "=")+1:]
	f.Add(good.Header.Get("Authorization"), good.Header.Get("X-Amz-Date"), "x=1", "")
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDTEST/20260102/us-east-1/connect/aws4_request, SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("a", 64),
		"20260102T030405Z", "a+b=%zz;c", "ListUsers")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=, Signature=", "x", "", "")
	f.Add("AWS4-HMAC-SHA256 ,,,===", "20991301T250000Z", "&&=&", "")
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDTEST/20260102/us-east-1/connect/aws4_request, Credential=x, SignedHeaders=HOST, Signature=", "", "", "")
	f.Add("", "", "", "")
	f.Fuzz(func(t *testing.T, authz, amzDate, query, target string) {
		r, err := http.NewRequest(http.MethodPut, "http://127.0.0.1:1/users/abc", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		r.URL.RawQuery = query
		r.Header["Authorization"] = []string{authz}
		r.Header["X-Amz-Date"] = []string{amzDate}
		if target != "" {
			r.Header["X-Amz-Target"] = []string{target}
		}
		k, err := v.Verify(r, []byte("{}"))
		var se *sigv4.Error
		switch {
		case err != nil && !errors.As(err, &se):
			t.Fatalf("error %v (%T) is not a *sigv4.Error", err, err)
		case err != nil && (se.Kind < sigv4.Missing || se.Kind > sigv4.BadSignature || se.Message == ""):
			t.Fatalf("error %+v", se)
		case err == nil && (!strings.Contains(strings.ToLower(authz), goodSig) || k.Account != "111122223333"):
			t.Fatalf("verified %q %q %q as %+v", authz, amzDate, query, k)
		}
	})
}
