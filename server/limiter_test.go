package server_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/httpapi"
	"github.com/headroomhq/headroom/internal/tcpproxy"
	"github.com/headroomhq/headroom/internal/testsvc"
	"github.com/headroomhq/headroom/server"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// --limiter redis://... keeps the buckets in Redis: a batch's takes cost
// one round trip, /readyz and /metrics say when Redis is lost, and the
// server decides by its policy meanwhile and goes back to Redis once it
// returns.
func TestRedisLimiter(t *testing.T) {
	addr, prefix := testsvc.Redis(t)
	proxy, err := tcpproxy.New(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	m, _ := start(t, func(m *server.Server) {
		m.Config.Limiter, m.Config.LimiterPrefix = "redis://"+proxy.Addr()+"/0", prefix
	})
	ctx := context.Background()
	c := &httpapi.Client{BaseURL: m.URL(), Token: adminToken}
	const acct = "123456789012"
	if _, err := c.CreateAccount(ctx, httpapi.AccountCreate{AccountID: acct}); err != nil {
		t.Fatal(err)
	}
	// One token per 100 s (the burst scales down with the rate, to 1): the
	// bucket spent below stays spent for the whole test, however slow the
	// machine.
	if _, err := c.SetOverride(ctx, acct, headroom.CodeConnectAPIRate, httpapi.OverrideSet{Value: ptr(0.01)}); err != nil {
		t.Fatal(err)
	}
	items := make([]httpapi.EnforceItem, 3)
	for i := range items {
		items[i] = httpapi.EnforceItem{Op: "take", Account: acct, Code: headroom.CodeConnectAPIRate, Amount: 1}
	}
	before := proxy.Writes()
	rs, err := c.Enforce(ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	if w := proxy.Writes() - before; w != 1 {
		t.Fatalf("a batch of 3 takes cost %d round trips to Redis, want 1", w)
	}
	for i, r := range rs {
		if want := i < 1; r.Allowed != want {
			t.Fatalf("take %d of a burst of 1: %+v", i+1, r)
		}
	}
	if status, body := get(t, m.URL()+"/readyz"); status != 200 || !strings.Contains(body, "limiter: ok (redis redis://"+proxy.Addr()+"/0, fail local)") {
		t.Fatalf("/readyz with Redis up: %d %q", status, body)
	}
	proxy.Cut()
	// Redis is lost: this node decides in process, at its share of the
	// rate, from a full bucket of its own.
	rs, err = c.Enforce(ctx, items[:1])
	if err != nil || !rs[0].Allowed {
		t.Fatalf("take while Redis is cut: %+v %v", rs, err)
	}
	status, body := get(t, m.URL()+"/readyz")
	if status != 200 || !strings.Contains(body, "limiter: degraded, deciding local while Redis is unreachable") {
		t.Fatalf("/readyz with Redis cut: %d %q", status, body)
	}
	if _, metrics := get(t, m.URL()+"/metrics"); !strings.Contains(metrics, "headroom_limiter_degraded 1") {
		t.Fatal("/metrics does not show the limiter degraded")
	}
	proxy.Restore()
	deadline := time.Now().Add(time.Second)
	for {
		_, body := get(t, m.URL()+"/readyz")
		if strings.Contains(body, "limiter: ok (redis") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Redis back for 1 s, limiter still %q", body)
		}
		time.Sleep(10 * time.Millisecond) // polling; the deadline is the assertion
	}
	// Back on Redis: the shared bucket is still spent.
	rs, err = c.Enforce(ctx, items[:1])
	if err != nil || rs[0].Allowed {
		t.Fatalf("take after Redis came back: %+v %v (the shared bucket was spent)", rs, err)
	}
}

func ptr[T any](v T) *T { return &v }

// With --limiter-fail local, a node that loses Redis decides in process at
// its share of each bucket: the rate and burst divided by the nodes that
// record themselves alive in the shared PostgreSQL store.
func TestRedisLimiterLocalShare(t *testing.T) {
	pg := testsvc.Postgres(t)
	addr, prefix := testsvc.Redis(t)
	proxy, err := tcpproxy.New(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	node := func() *server.Server {
		m, _ := start(t, func(m *server.Server) {
			m.Config.Store, m.Config.DataDir, m.Config.SecretKey = pg, t.TempDir(), strings.Repeat("cd", 32)
			m.Config.Limiter, m.Config.LimiterPrefix = "redis://"+proxy.Addr()+"/0", prefix
		})
		return m
	}
	a := node()
	node() // a second live node: each now has half of every bucket
	ctx := context.Background()
	c := &httpapi.Client{BaseURL: a.URL(), Token: adminToken}
	const acct = "123456789012"
	if _, err := c.CreateAccount(ctx, httpapi.AccountCreate{AccountID: acct}); err != nil {
		t.Fatal(err)
	}
	proxy.Cut()
	items := make([]httpapi.EnforceItem, 5)
	for i := range items {
		items[i] = httpapi.EnforceItem{Op: "take", Account: acct, Code: headroom.CodeConnectAPIRate, Amount: 1}
	}
	rs, err := c.Enforce(ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	allowed := 0
	for _, r := range rs {
		if r.Allowed {
			allowed++
		}
	}
	// Burst 5 over 2 nodes: 2 here (rounded down), 2 on the other node,
	// never more than the shared bucket's 5 together. The node's clock
	// stands still, so nothing refills meanwhile.
	if allowed != 2 {
		t.Fatalf("with Redis cut, %d of a burst of 5 allowed on one of 2 nodes; want its share, 2", allowed)
	}
}
