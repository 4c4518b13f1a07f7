package server_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rlscommon "github.com/envoyproxy/go-control-plane/envoy/extensions/common/ratelimit/v3"
	rlsv3 "github.com/envoyproxy/go-control-plane/envoy/service/ratelimit/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/rls"
	"github.com/headroomhq/headroom/server"
)

const edgeConfig = `
domain: edge
account_key: tenant
descriptors:
  - key: path
    rate_limit:
      unit: second
      requests_per_unit: %RPU%
  - key: shadow
    shadow_mode: true
    rate_limit:
      unit: minute
      requests_per_unit: 1
  - key: tenant
    descriptors:
      - key: op
        rate_limit:
          unit: second
          requests_per_unit: 2
`

// writeAtomically replaces a file the way configuration tools do: a
// temporary file renamed over it, so the watcher never reads half a file.
func writeAtomically(t *testing.T, dir, name, content string) {
	t.Helper()
	tmp := filepath.Join(dir, ".tmp-"+name)
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds: a reload is asynchronous.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func entry(kv ...string) *rlscommon.RateLimitDescriptor {
	d := &rlscommon.RateLimitDescriptor{}
	for i := 0; i+1 < len(kv); i += 2 {
		d.Entries = append(d.Entries, &rlscommon.RateLimitDescriptor_Entry{Key: kv[i], Value: kv[i+1]})
	}
	return d
}

// TestEnvoyRateLimitService drives the real server over gRPC, with the
// generated Envoy client, through 10 s of injected clock: allow and
// over-limit, hits_addend, shadow mode, a reload in the middle of the
// traffic, a bad reload refused, an override moving a tenant's edge limit
// through account_key, and the health service.
func TestEnvoyRateLimitService(t *testing.T) {
	dir := t.TempDir()
	writeAtomically(t, dir, "edge.yaml", strings.ReplaceAll(edgeConfig, "%RPU%", "5"))
	m, clk := start(t, func(m *server.Server) {
		m.Config.RLSAddr, m.Config.RLSConfig, m.Config.RLSHeaders = "127.0.0.1:0", dir, true
	})
	ctx := context.Background()
	conn, err := grpc.NewClient(m.RLSAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := rlsv3.NewRateLimitServiceClient(conn)
	ask := func(hits uint32, descs ...*rlscommon.RateLimitDescriptor) *rlsv3.RateLimitResponse {
		t.Helper()
		resp, err := client.ShouldRateLimit(ctx, &rlsv3.RateLimitRequest{Domain: "edge", Descriptors: descs, HitsAddend: hits})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}

	// Health: SERVING for the server and for the rate-limit service.
	for _, name := range []string{"", "envoy.service.ratelimit.v3.RateLimitService"} {
		h, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: name})
		if err != nil || h.Status != healthpb.HealthCheckResponse_SERVING {
			t.Fatalf("health %q: %v, %v", name, h, err)
		}
	}

	// 10 s of traffic, a request every 100 ms, on a bucket of 5 per
	// second; at 5 s the limit is raised to 10 per second by a new file.
	allowed := [2]int{}
	for step := 0; step < 100; step++ {
		if step == 50 {
			writeAtomically(t, dir, "edge.yaml", strings.ReplaceAll(edgeConfig, "%RPU%", "10"))
			waitFor(t, "the reload to 10 per second", func() bool {
				r, _ := m.RLS().Config().Domains["edge"].Match([]rls.Entry{{Key: "path", Value: "/a"}})
				return r != nil && r.RequestsPerUnit == 10
			})
		}
		resp := ask(0, entry("path", "/a"))
		st := resp.Statuses[0]
		wantLimit := uint32(5)
		if step >= 50 {
			wantLimit = 10
		}
		if st.CurrentLimit.GetRequestsPerUnit() != wantLimit {
			t.Fatalf("step %d: current limit %v, want %d", step, st.CurrentLimit, wantLimit)
		}
		if resp.OverallCode == rlsv3.RateLimitResponse_OK {
			allowed[step/50]++
		} else if st.Code != rlsv3.RateLimitResponse_OVER_LIMIT {
			t.Fatalf("step %d: overall %v, status %v", step, resp.OverallCode, st.Code)
		}
		clk.Advance(100 * time.Millisecond)
	}
	// First 5 s (requests at 0 … 4.9 s): burst 5 + 4.9 s × 5/s = 29.5, so
	// at most 29, and the bucket never lets fewer through than it refills.
	if allowed[0] < 28 || allowed[0] > 29 {
		t.Fatalf("allowed %d in the first 5 s at 5/s, want 28 or 29", allowed[0])
	}
	// Last 5 s at 10/s, requested at 10/s: every request after the new
	// bucket's shape applies; at most 10 + 4.9 × 10.
	if allowed[1] < 45 || allowed[1] > 50 {
		t.Fatalf("allowed %d in the last 5 s at 10/s", allowed[1])
	}

	// hits_addend takes that many tokens; the headers tell what is left.
	clk.Advance(time.Minute)
	resp := ask(4, entry("path", "/hits"))
	if st := resp.Statuses[0]; st.Code != rlsv3.RateLimitResponse_OK || st.LimitRemaining != 6 {
		t.Fatalf("hits_addend 4: %v", resp)
	}
	headers := map[string]string{}
	for _, h := range resp.ResponseHeadersToAdd {
		headers[h.Key] = h.Value
	}
	if headers["x-ratelimit-limit"] != "10" || headers["x-ratelimit-remaining"] != "6" || headers["x-ratelimit-reset"] != "1" {
		t.Fatalf("headers %v", headers)
	}

	// Shadow mode: the second request is over its limit and still OK.
	ask(0, entry("shadow", "x"))
	if resp := ask(0, entry("shadow", "x")); resp.OverallCode != rlsv3.RateLimitResponse_OK {
		t.Fatalf("shadow mode: %v", resp)
	}
	if v := m.RLS().Metrics().Value("shadow_mode", "edge", "shadow"); v != 1 {
		t.Fatalf("shadow_mode counter %v", v)
	}

	// A bad file is refused; the previous rules keep deciding.
	rejected := m.RLS().Rejected()
	writeAtomically(t, dir, "edge.yaml", "domain: edge\ndescriptors:\n  - key: path\n    rate_limit: {unit: fortnight, requests_per_unit: 1}\n")
	waitFor(t, "the bad file to be refused", func() bool { return m.RLS().Rejected() > rejected })
	if st := ask(0, entry("path", "/b")).Statuses[0]; st.CurrentLimit.GetRequestsPerUnit() != 10 {
		t.Fatalf("after a refused reload: %v", st)
	}

	// account_key: an override of the tenant's account doubles its edge
	// limit (2/s → 4/s); another tenant keeps 2.
	const tenant, other = "111111111111", "222222222222"
	for _, id := range []string{tenant, other} {
		if _, _, err := m.Engine().CreateAccount(ctx, headroom.Account{ID: id}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	code := rls.QuotaCode("edge", "tenant.op")
	if err := m.Engine().SetOverride(ctx, headroom.Override{Account: tenant, Code: code, Value: 4}, "test"); err != nil {
		t.Fatal(err)
	}
	burst := func(account string) int {
		n := 0
		for i := 0; i < 10; i++ {
			if ask(0, entry("tenant", account, "op", "read")).OverallCode == rlsv3.RateLimitResponse_OK {
				n++
			}
		}
		return n
	}
	if a, b := burst(tenant), burst(other); a != 4 || b != 2 {
		t.Fatalf("burst: overridden tenant %d (want 4), other tenant %d (want 2)", a, b)
	}

	// /metrics carries ratelimit's statistics; /readyz the service.
	body := getAuth(t, m, "/metrics")
	for _, want := range []string{`ratelimit_service_rate_limit_total_hits{domain="edge",key="path"}`, `ratelimit_service_rate_limit_shadow_mode{domain="edge",key="shadow"} 1`} {
		if !strings.Contains(body, want) {
			t.Fatalf("/metrics lacks %s", want)
		}
	}
	if body := getAuth(t, m, "/readyz"); !strings.Contains(body, "rls") {
		t.Fatalf("/readyz: %s", body)
	}
}

func getAuth(t *testing.T, m *server.Server, path string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", m.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestRLSConfigValidate: the address needs a directory and the directory
// the address; a bad file stops the start with its file and line.
func TestRLSConfigValidate(t *testing.T) {
	for _, c := range []struct {
		addr, dir string
		headers   bool
		field     string
	}{
		{"127.0.0.1:0", "", false, "rls_config"},
		{"", "/etc/ratelimit", false, "rls_addr"},
		{"", "", true, "rls_addr"},
		{"nonsense", "/d", false, "rls_addr"},
	} {
		cfg := server.DefaultConfig()
		cfg.RLSAddr, cfg.RLSConfig, cfg.RLSHeaders = c.addr, c.dir, c.headers
		err := cfg.Validate()
		if he, ok := err.(*headroom.Error); !ok || he.Field != c.field {
			t.Errorf("%+v: %v, want field %s", c, err, c.field)
		}
	}
	dir := t.TempDir()
	writeAtomically(t, dir, "bad.yaml", "domain: d\ndescriptors:\n  - key: a\n    rate_limit: {unit: second, requests_per_unit: 1, burst: 2}\n")
	m := server.New()
	m.Config.Addr, m.Config.Store, m.Config.DataDir, m.Config.AdminToken = "127.0.0.1:0", "memory", "", adminToken
	m.Config.RLSAddr, m.Config.RLSConfig = "127.0.0.1:0", dir
	m.Stderr = io.Discard
	err := m.Run(context.Background())
	if err == nil {
		m.Close()
		t.Fatal("a bad configuration file started")
	}
	if !strings.Contains(err.Error(), "bad.yaml:4") || !strings.Contains(err.Error(), "burst") {
		t.Fatalf("start error %v does not name the file, line and field", err)
	}
}
