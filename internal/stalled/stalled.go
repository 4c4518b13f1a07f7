// Package stalled sends requests whose bodies never come, for the tests
// that check a server answers, and refuses, without reading a body.
package stalled

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Body is a request body that is never written: its first Read
// reports that the body was asked for, and every Read blocks until the
// request is closed.
type Body struct {
	asked     chan struct{}
	closed    chan struct{}
	askOnce   sync.Once
	closeOnce sync.Once
}

func NewBody() *Body {
	return &Body{asked: make(chan struct{}), closed: make(chan struct{})}
}

func (b *Body) Read(p []byte) (int, error) {
	b.askOnce.Do(func() { close(b.asked) })
	<-b.closed
	return 0, http.ErrBodyReadAfterClose
}

func (b *Body) Close() error {
	b.closeOnce.Do(func() { close(b.closed) })
	return nil
}

// Send sends a request announcing a body that never comes. With
// expect100, the client sends the body only once the server asks for it
// (100 Continue, which Go's server sends on the handler's first read of the
// body), so a read of the body shows on the client; the body announced is
// 1 MiB. Without, the client sends at once and the body announced is 1 KiB,
// which Go's server would drain after the handler unless told to close the
// connection: then only an answer that does not wait for the body arrives.
// It returns the response, or nil if the server asked for the body first.
func Send(t *testing.T, req *http.Request, body *Body, expect100 bool) *http.Response {
	t.Helper()
	t.Cleanup(func() { body.Close() })
	req.ContentLength = 1 << 10
	if expect100 {
		req.ContentLength = 1 << 20
		req.Header.Set("Expect", "100-continue")
	}
	// A client that waits for 100 Continue as long as it takes, so that
	// only the server decides whether the body is sent.
	tr := &http.Transport{ExpectContinueTimeout: time.Hour}
	t.Cleanup(tr.CloseIdleConnections)
	// Without 100 Continue the client writes at once and a server that
	// reads the body never answers: the deadline turns that into a failure.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	// The client waits for its body writer before returning an error: the
	// deadline ends the body too.
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
