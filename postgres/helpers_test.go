package postgres_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/headroomhq/headroom/internal/tcpproxy"
)

// acct is the account the tests use.
const acct = "111122223333"

// within polls cond every few milliseconds until it holds, and fails the
// test if it does not within d. It returns how long it took.
func within(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	deadline := start.Add(d)
	for {
		if cond() {
			return time.Since(start)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// proxied returns a proxy to the PostgreSQL of url and url through it; the
// proxy is closed when t ends.
func proxied(t *testing.T, raw string) (*tcpproxy.Proxy, string) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	p, err := tcpproxy.New(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	u.Host = p.Addr()
	return p, u.String()
}
