package connectapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// stalledBody is a request body that is never written: its first Read
// reports that the body was asked for, and every Read blocks until the
// request is closed.
type stalledBody struct {
	asked     chan struct{}
	closed    chan struct{}
	askOnce   sync.Once
	closeOnce sync.Once
}

func newStalledBody() *stalledBody {
	return &stalledBody{asked: make(chan struct{}), closed: make(chan struct{})}
}

func (b *stalledBody) Read(p []byte) (int, error) {
	b.askOnce.Do(func() { close(b.asked) })
	<-b.closed
	return 0, http.ErrBodyReadAfterClose
}

func (b *stalledBody) Close() error {
	b.closeOnce.Do(func() { close(b.closed) })
	return nil
}

// sendStalled sends a request announcing a body that never comes. With
// expect100, the client sends the body only once the server asks for it
// (100 Continue, which Go's server sends on the handler's first read of the
// body), so a read of the body shows on the client; the body announced is
// 1 MiB. Without, the client sends at once and the body announced is 1 KiB,
// which Go's server would drain after the handler unless told to close the
// connection: then only an answer that does not wait for the body arrives.
// It returns the response, or nil if the server asked for the body first.
func sendStalled(t *testing.T, req *http.Request, body *stalledBody, expect100 bool) *http.Response {
	t.Helper()
	t.Cleanup(func() { body.Close() })
	req.ContentLength = 1 << 10
	if expect100 {
		req.ContentLength = 1 << 20
		req.Header.Set("Expect", "100-continue")
	}
	tr := &http.Transport{ExpectContinueTimeout: time.Hour}
	t.Cleanup(tr.CloseIdleConnections)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	go func() { <-ctx.Done(); body.Close() }()
	type result struct {
		resp *http.Response
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := (&http.Client{Transport: tr}).Do(req.WithContext(ctx))
		done <- result{resp, err}
	}()
	if expect100 {
		select {
		case res := <-done:
			if res.err != nil {
				t.Fatal(res.err)
			}
			t.Cleanup(func() { res.resp.Body.Close() })
			select {
			case <-body.asked:
				t.Fatalf("the server asked for the body before answering %d", res.resp.StatusCode)
			default:
			}
			return res.resp
		case <-body.asked:
			return nil
		}
	}
	res := <-done
	if res.err != nil {
		t.Fatalf("no answer while the body is unsent: %v", res.err)
	}
	t.Cleanup(func() { res.resp.Body.Close() })
	return res.resp
}

// A caller that cannot be authenticated from the headers is refused before
// a byte of the body is read.
func TestRefusedBeforeBodyIsRead(t *testing.T) {
	e := newEnv(t)
	k := e.account(acctA, false, "")
	sign := func(id, svc, reg string, at time.Time, body *stalledBody) *http.Request {
		req, err := http.NewRequest(http.MethodPut, e.url+"/instance", body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		sum := sha256.Sum256([]byte(strings.Repeat("x", 1<<20)))
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: id, SecretAccessKey: k.Secret},
			req, hex.EncodeToString(sum[:]), svc, reg, at); err != nil {
			t.Fatal(err)
		}
		return req
	}
	cases := []struct {
		name        string
		id          string
		region, svc string
		at          time.Duration
		tamper      func(*http.Request)
		status      int
		err         string
	}{
		{name: "no authorization", tamper: func(r *http.Request) { r.Header.Del("Authorization") }, status: 403, err: "MissingAuthenticationTokenException"},
		{name: "not sigv4", tamper: func(r *http.Request) { r.Header.Set("Authorization", "Bearer x") }, status: 400, err: "IncompleteSignatureException"},
		{name: "unknown key", id: "AKIAUNKNOWNUNKNOWN00", status: 403, err: "UnrecognizedClientException"},
		{name: "other region", region: "eu-west-2", status: 403, err: "InvalidSignatureException"},
		{name: "other service", svc: "servicequotas", status: 403, err: "InvalidSignatureException"},
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
					svc = "connect"
				}
				body := newStalledBody()
				req := sign(id, svc, reg, time.Now().Add(tc.at), body)
				if tc.tamper != nil {
					tc.tamper(req)
				}
				resp := sendStalled(t, req, body, expect100)
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
	body := newStalledBody()
	if resp := sendStalled(t, sign(k.ID, "connect", region, time.Now(), body), body, true); resp != nil {
		t.Fatalf("an authenticated caller's body was not read: %d", resp.StatusCode)
	}
}
