package sigv4_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/sigv4"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func signed(t testing.TB, body, secret string, at time.Time) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPut, "http://127.0.0.1:1/users/abc?x=1", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(body))
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: secret},
		r, hex.EncodeToString(sum[:]), "connect", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestVerify(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	v := &sigv4.Verifier{Service: "connect", Region: "us-east-1", Clock: fixedClock{now},
		Keys: func(_ context.Context, id string) (headroom.AccessKey, error) {
			if id != "AKIDTEST" {
				return headroom.AccessKey{}, headroom.Errorf(headroom.ENOTFOUND, "no key")
			}
			return headroom.AccessKey{ID: id, Account: "111122223333", Secret: "s3cret"}, nil
		}}
	k, err := v.Verify(signed(t, "{}", "s3cret", now), []byte("{}"))
	if err != nil || k.Account != "111122223333" {
		t.Fatalf("good signature: %v %v", k, err)
	}
	kind := func(err error) sigv4.Kind {
		var se *sigv4.Error
		if errors.As(err, &se) {
			return se.Kind
		}
		return 0
	}
	cases := []struct {
		name string
		r    *http.Request
		body string
		want sigv4.Kind
	}{
		{"wrong secret", signed(t, "{}", "other", now), "{}", sigv4.BadSignature},
		{"tampered body", signed(t, "{}", "s3cret", now), `{"a":1}`, sigv4.BadSignature},
		{"expired", signed(t, "{}", "s3cret", now.Add(-time.Hour)), "{}", sigv4.Expired},
		{"future", signed(t, "{}", "s3cret", now.Add(time.Hour)), "{}", sigv4.Expired},
	}
	missing, _ := http.NewRequest(http.MethodGet, "http://h/", nil)
	cases = append(cases, struct {
		name string
		r    *http.Request
		body string
		want sigv4.Kind
	}{"missing", missing, "", sigv4.Missing})
	for _, c := range cases {
		if _, err := v.Verify(c.r, []byte(c.body)); kind(err) != c.want {
			t.Errorf("%s: got %v, want kind %d", c.name, err, c.want)
		}
	}
	r := signed(t, "{}", "s3cret", now)
	r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AKIDTEST", "AKIDOTHER", 1))
	if _, err := v.Verify(r, []byte("{}")); kind(err) != sigv4.UnknownKey {
		t.Errorf("unknown key: %v", err)
	}
	other := *v
	other.Service = "servicequotas"
	if _, err := other.Verify(signed(t, "{}", "s3cret", now), []byte("{}")); kind(err) != sigv4.WrongScope {
		t.Errorf("wrong service: %v", err)
	}
	r = signed(t, "{}", "s3cret", now)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
	if _, err := v.Verify(r, nil); kind(err) != sigv4.Incomplete {
		t.Errorf("incomplete: %v", err)
	}
}

// CheckHeaders refuses an unknown key and a stale date from the headers
// alone; CheckBody on what Parse alone returned has no secret to check
// against and refuses, even a request signed with an empty secret.
func TestCheckHeadersBeforeBody(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	v := &sigv4.Verifier{Service: "connect", Region: "us-east-1", Clock: fixedClock{now},
		Keys: func(_ context.Context, id string) (headroom.AccessKey, error) {
			if id != "AKIDTEST" {
				return headroom.AccessKey{}, headroom.Errorf(headroom.ENOTFOUND, "no key")
			}
			return headroom.AccessKey{ID: id, Account: "111122223333", Secret: "s3cret"}, nil
		}}
	if _, err := v.CheckHeaders(signed(t, "{}", "s3cret", now.Add(-time.Hour))); kindOf(err) != sigv4.Expired {
		t.Errorf("stale: %v", err)
	}
	r := signed(t, "{}", "s3cret", now)
	r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AKIDTEST", "AKIDOTHER", 1))
	if _, err := v.CheckHeaders(r); kindOf(err) != sigv4.UnknownKey {
		t.Errorf("unknown key: %v", err)
	}
	r = signed(t, "{}", "", now)
	s, err := v.Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.CheckBody(r, s, []byte("{}")); err == nil {
		t.Error("CheckBody accepted a request no key was looked up for")
	}
}

func kindOf(err error) sigv4.Kind {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return se.Kind
	}
	return 0
}

// An Authorization header naming a part twice, or a request with two
// Authorization or X-Amz-Date headers, is incomplete: no part of it is
// picked over another.
func TestDuplicates(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	v := &sigv4.Verifier{Service: "connect", Region: "us-east-1", Clock: fixedClock{now}}
	for name, tamper := range map[string]func(r *http.Request){
		"credential twice": func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a+", Credential=AKIDOTHER/20260102/us-east-1/connect/aws4_request")
		},
		"two headers": func(r *http.Request) { r.Header.Add("Authorization", r.Header.Get("Authorization")) },
		"two dates":   func(r *http.Request) { r.Header.Add("X-Amz-Date", r.Header.Get("X-Amz-Date")) },
	} {
		r := signed(t, "{}", "s3cret", now)
		if _, err := v.Parse(r); err != nil {
			t.Fatalf("%s: untampered: %v", name, err)
		}
		tamper(r)
		if _, err := v.Parse(r); kindOf(err) != sigv4.Incomplete {
			t.Errorf("%s: %v", name, err)
		}
	}
}
