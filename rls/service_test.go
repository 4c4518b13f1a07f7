package rls

import (
	"context"
	"math"
	"testing"
	"time"

	rlscommon "github.com/envoyproxy/go-control-plane/envoy/extensions/common/ratelimit/v3"
	rlsv3 "github.com/envoyproxy/go-control-plane/envoy/service/ratelimit/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/catalog"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/memory"
)

const tenantA, tenantB = "111111111111", "222222222222"

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type fixture struct {
	t      testing.TB
	engine *headroom.Engine
	clk    *clock.Manual
	svc    *Service
	dir    string
}

// newFixture is a service on an engine with the memory backends, a manual
// clock, two accounts, headers on, and the configuration files given.
func newFixture(t testing.TB, files map[string]string) *fixture {
	t.Helper()
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(t0)
	store := memory.NewStore()
	e, err := headroom.NewEngine(headroom.Config{Catalog: cat, Store: store, Limiter: memory.NewLimiter(clk), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{tenantA, tenantB} {
		if err := store.CreateAccount(context.Background(), headroom.Account{ID: id, Created: t0}, headroom.AuditEntry{}); err != nil {
			t.Fatal(err)
		}
	}
	svc, err := NewService(Options{Engine: e, Headers: true})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, engine: e, clk: clk, svc: svc, dir: t.TempDir()}
	for name, content := range files {
		write(t, f.dir, name, content)
	}
	if err := svc.Reload(f.dir); err != nil {
		t.Fatal(err)
	}
	return f
}

// desc builds a descriptor from "k=v,k2=v2".
func desc(s string) *rlscommon.RateLimitDescriptor {
	d := &rlscommon.RateLimitDescriptor{}
	for _, e := range entries(s) {
		d.Entries = append(d.Entries, &rlscommon.RateLimitDescriptor_Entry{Key: e.Key, Value: e.Value})
	}
	return d
}

func (f *fixture) ask(domain string, hits uint32, descs ...*rlscommon.RateLimitDescriptor) *rlsv3.RateLimitResponse {
	f.t.Helper()
	resp, err := f.svc.ShouldRateLimit(context.Background(), &rlsv3.RateLimitRequest{Domain: domain, Descriptors: descs, HitsAddend: hits})
	if err != nil {
		f.t.Fatal(err)
	}
	return resp
}

const perMinute = `
domain: edge
descriptors:
  - key: path
    rate_limit:
      unit: minute
      requests_per_unit: 3
  - key: shadow
    shadow_mode: true
    rate_limit:
      unit: minute
      requests_per_unit: 1
  - key: free
    rate_limit:
      unlimited: true
  - key: blocked
    rate_limit:
      unit: second
      requests_per_unit: 0
`

// TestAllowThenOverLimit: statuses carry the limit, the requests remaining
// and the time until the bucket is full; headers name the limit.
func TestAllowThenOverLimit(t *testing.T) {
	f := newFixture(t, map[string]string{"edge.yaml": perMinute})
	for i, want := range []uint32{2, 1, 0} {
		resp := f.ask("edge", 0, desc("path=/a"))
		st := resp.Statuses[0]
		if resp.OverallCode != rlsv3.RateLimitResponse_OK || st.LimitRemaining != want ||
			st.CurrentLimit.RequestsPerUnit != 3 || st.CurrentLimit.Unit != rlsv3.RateLimitResponse_RateLimit_MINUTE {
			t.Fatalf("request %d: %v", i+1, resp)
		}
		// A token refills every 20 s: full again after (3 - remaining) × 20 s.
		if got, want := st.DurationUntilReset.AsDuration(), time.Duration(3-want)*20*time.Second; got != want {
			t.Fatalf("request %d: duration_until_reset %v, want %v", i+1, got, want)
		}
	}
	resp := f.ask("edge", 0, desc("path=/a"))
	if resp.OverallCode != rlsv3.RateLimitResponse_OVER_LIMIT || resp.Statuses[0].Code != rlsv3.RateLimitResponse_OVER_LIMIT {
		t.Fatalf("fourth request: %v", resp)
	}
	h := map[string]string{}
	for _, hv := range resp.ResponseHeadersToAdd {
		h[hv.Key] = hv.Value
	}
	if h[HeaderLimit] != "3" || h[HeaderRemaining] != "0" || h[HeaderReset] != "60" {
		t.Fatalf("headers %v", h)
	}
	// Each value has its own bucket.
	if resp := f.ask("edge", 0, desc("path=/b")); resp.OverallCode != rlsv3.RateLimitResponse_OK {
		t.Fatalf("another path: %v", resp)
	}
	// 20 s refill one token.
	f.clk.Advance(20 * time.Second)
	if resp := f.ask("edge", 0, desc("path=/a")); resp.OverallCode != rlsv3.RateLimitResponse_OK || resp.Statuses[0].LimitRemaining != 0 {
		t.Fatalf("after 20 s: %v", resp)
	}
	m := f.svc.Metrics()
	if m.Value("total_hits", "edge", "path") != 6 || m.Value("over_limit", "edge", "path") != 1 ||
		m.Value("within_limit", "edge", "path") != 5 || m.Value("near_limit", "edge", "path") != 2 {
		t.Fatalf("metrics total %v over %v within %v near %v", m.Value("total_hits", "edge", "path"), m.Value("over_limit", "edge", "path"),
			m.Value("within_limit", "edge", "path"), m.Value("near_limit", "edge", "path"))
	}
}

// TestNoDoubleBurstAtWindowEdge: a fixed window of 10 per minute lets 10
// requests through at 0:59 and 10 more at 1:00, 20 within two seconds.
// Headroom's bucket lets through the burst and what refilled meanwhile.
func TestNoDoubleBurstAtWindowEdge(t *testing.T) {
	const rpu = 10
	f := newFixture(t, map[string]string{"edge.yaml": "domain: edge\ndescriptors:\n  - key: ip\n    rate_limit: {unit: minute, requests_per_unit: 10}\n"})
	// The fixed window that envoyproxy/ratelimit keeps, for comparison:
	// a counter per calendar minute.
	fixed := map[int64]int{}
	fixedAllows := func(at time.Time) bool {
		w := at.Unix() / 60
		fixed[w]++
		return fixed[w] <= rpu
	}
	start := t0.Truncate(time.Minute).Add(time.Minute - time.Second) // 0:59
	f.clk.Set(start)
	var headroomAllowed, fixedAllowed int
	for _, at := range []time.Duration{0, time.Second, 2 * time.Second} { // 0:59, 1:00, 1:01
		f.clk.Set(start.Add(at))
		for i := 0; i < rpu; i++ {
			if f.ask("edge", 0, desc("ip=10.0.0.1")).OverallCode == rlsv3.RateLimitResponse_OK {
				headroomAllowed++
			}
			if fixedAllows(f.clk.Now()) {
				fixedAllowed++
			}
		}
	}
	// Over 2 s the bucket refills 2 s × 10/60 s = 0.33 tokens: none whole.
	if headroomAllowed != rpu {
		t.Fatalf("Headroom allowed %d across the window edge, want %d (burst + whole tokens refilled)", headroomAllowed, rpu)
	}
	if fixedAllowed != 2*rpu {
		t.Fatalf("the fixed window allowed %d, want %d: the comparison is wrong", fixedAllowed, 2*rpu)
	}
}

// TestShadowMode follows "ShadowMode": the end result is always OK, the
// over_limit and shadow_mode statistics count the breach.
func TestShadowMode(t *testing.T) {
	f := newFixture(t, map[string]string{"edge.yaml": perMinute})
	f.ask("edge", 0, desc("shadow=x"))
	resp := f.ask("edge", 0, desc("shadow=x"))
	if resp.OverallCode != rlsv3.RateLimitResponse_OK || resp.Statuses[0].Code != rlsv3.RateLimitResponse_OK || resp.Statuses[0].LimitRemaining != 0 {
		t.Fatalf("shadow over limit: %v", resp)
	}
	m := f.svc.Metrics()
	if m.Value("over_limit", "edge", "shadow") != 1 || m.Value("shadow_mode", "edge", "shadow") != 1 {
		t.Fatalf("shadow metrics: over %v shadow %v", m.Value("over_limit", "edge", "shadow"), m.Value("shadow_mode", "edge", "shadow"))
	}
}

// TestUnlimitedBlockedUnknown: unlimited is OK with MaxUint32 remaining
// (example 5), a zero limit refuses (example 3), an unknown descriptor or
// domain is OK with no limit.
func TestUnlimitedBlockedUnknown(t *testing.T) {
	f := newFixture(t, map[string]string{"edge.yaml": perMinute})
	resp := f.ask("edge", 0, desc("free=x"), desc("blocked=y"), desc("other=z"))
	if resp.OverallCode != rlsv3.RateLimitResponse_OVER_LIMIT {
		t.Fatalf("overall %v", resp.OverallCode)
	}
	if st := resp.Statuses[0]; st.Code != rlsv3.RateLimitResponse_OK || st.LimitRemaining != math.MaxUint32 || st.CurrentLimit != nil {
		t.Fatalf("unlimited: %v", st)
	}
	if st := resp.Statuses[1]; st.Code != rlsv3.RateLimitResponse_OVER_LIMIT || st.CurrentLimit.RequestsPerUnit != 0 {
		t.Fatalf("blocked: %v", st)
	}
	if st := resp.Statuses[2]; st.Code != rlsv3.RateLimitResponse_OK || st.CurrentLimit != nil {
		t.Fatalf("unknown key: %v", st)
	}
	if resp := f.ask("nowhere", 0, desc("path=/a")); resp.OverallCode != rlsv3.RateLimitResponse_OK || resp.Statuses[0].CurrentLimit != nil {
		t.Fatalf("unknown domain: %v", resp)
	}
	for _, req := range []*rlsv3.RateLimitRequest{{Descriptors: []*rlscommon.RateLimitDescriptor{desc("a=b")}}, {Domain: "edge"}} {
		if _, err := f.svc.ShouldRateLimit(context.Background(), req); status.Code(err) != codes.InvalidArgument {
			t.Fatalf("%v: %v, want InvalidArgument", req, err)
		}
	}
}

// TestHitsAddend: the request's hits_addend, or a descriptor's own, is
// the number of tokens taken; more than the bucket holds is over the limit.
func TestHitsAddend(t *testing.T) {
	f := newFixture(t, map[string]string{"edge.yaml": perMinute})
	if st := f.ask("edge", 2, desc("path=/a")).Statuses[0]; st.LimitRemaining != 1 {
		t.Fatalf("hits_addend 2: %v", st)
	}
	d := desc("path=/b")
	d.HitsAddend = wrapperspb.UInt64(3)
	if st := f.ask("edge", 1, d).Statuses[0]; st.LimitRemaining != 0 || st.Code != rlsv3.RateLimitResponse_OK {
		t.Fatalf("descriptor hits_addend 3: %v", st)
	}
	d = desc("path=/c")
	d.HitsAddend = wrapperspb.UInt64(4)
	if st := f.ask("edge", 0, d).Statuses[0]; st.Code != rlsv3.RateLimitResponse_OVER_LIMIT {
		t.Fatalf("4 hits on a bucket of 3: %v", st)
	}
	d = desc("path=/a")
	d.HitsAddend = wrapperspb.UInt64(0)
	if st := f.ask("edge", 0, d).Statuses[0]; st.Code != rlsv3.RateLimitResponse_OK {
		t.Fatalf("0 hits: %v", st)
	}
	if got := f.svc.Metrics().Value("total_hits", "edge", "path"); got != 2+3+4 {
		t.Fatalf("total_hits %v, want 9", got)
	}
}

const tenants = `
domain: api
account_key: tenant
descriptors:
  - key: tenant
    descriptors:
      - key: path
        rate_limit:
          unit: second
          requests_per_unit: 2
`

// TestAccountKeyOverride: with account_key, an override of the tenant's
// account moves its edge limit, and only its own.
func TestAccountKeyOverride(t *testing.T) {
	f := newFixture(t, map[string]string{"api.yaml": tenants})
	code := QuotaCode("api", "tenant.path")
	// Double tenant A's rate (2/s → 4/s): the burst doubles with it.
	if err := f.engine.SetOverride(context.Background(), headroom.Override{Account: tenantA, Code: code, Value: 4}, "op"); err != nil {
		t.Fatal(err)
	}
	count := func(tenant string) int {
		n := 0
		for i := 0; i < 10; i++ {
			if f.ask("api", 0, desc("tenant="+tenant+",path=/x")).OverallCode == rlsv3.RateLimitResponse_OK {
				n++
			}
		}
		return n
	}
	if a, b, anon := count(tenantA), count(tenantB), count("unknown-tenant"); a != 4 || b != 2 || anon != 2 {
		t.Fatalf("allowed: tenant A %d (want 4), tenant B %d (want 2), unknown tenant %d (want 2)", a, b, anon)
	}
	st := f.ask("api", 0, desc("tenant="+tenantA+",path=/y")).Statuses[0]
	if st.CurrentLimit.RequestsPerUnit != 4 {
		t.Fatalf("tenant A's current limit: %v", st.CurrentLimit)
	}
}

// TestBadReloadKeepsConfig: a bad file is refused and the previous rules
// keep deciding.
func TestBadReloadKeepsConfig(t *testing.T) {
	f := newFixture(t, map[string]string{"edge.yaml": perMinute})
	v := f.svc.Version()
	write(t, f.dir, "edge.yaml", "domain: edge\ndescriptors:\n  - key: path\n    rate_limit: {unit: minute, requests_per_unit: 3, burst: 9}\n")
	err := f.svc.Reload(f.dir)
	var ce *ConfigError
	if !asConfigError(err, &ce) || ce.Line != 4 || ce.Field != "descriptors[0].rate_limit.burst" {
		t.Fatalf("reload error %v", err)
	}
	if f.svc.Version() != v || f.svc.Rejected() != 1 {
		t.Fatalf("version %d (was %d), rejected %d", f.svc.Version(), v, f.svc.Rejected())
	}
	for i := 0; i < 3; i++ {
		f.ask("edge", 0, desc("path=/a"))
	}
	if resp := f.ask("edge", 0, desc("path=/a")); resp.OverallCode != rlsv3.RateLimitResponse_OVER_LIMIT {
		t.Fatalf("old rules no longer decide: %v", resp)
	}
}

// TestReplacesThroughService: example 7 through the service: the replaced
// descriptor answers OK without a limit, the replacing one decides.
func TestReplacesThroughService(t *testing.T) {
	f := newFixture(t, map[string]string{"e7.yaml": `
domain: example7
descriptors:
  - key: key_1
    value: value_1
    descriptors:
      - key: user
        value: bkthomps
        rate_limit: {name: specific_limit, requests_per_unit: 5, unit: second}
  - key: key_2
    value: value_2
    descriptors:
      - key: user
        value: bkthomps
        rate_limit: {replaces: [{name: specific_limit}], requests_per_unit: 10, unit: second}
`})
	resp := f.ask("example7", 0, desc("key_1=value_1,user=bkthomps"), desc("key_2=value_2,user=bkthomps"))
	if resp.Statuses[0].CurrentLimit != nil || resp.Statuses[1].CurrentLimit.RequestsPerUnit != 10 || resp.Statuses[1].LimitRemaining != 9 {
		t.Fatalf("%v", resp)
	}
	// The replaced limit was not touched: 5 remain for it alone.
	if st := f.ask("example7", 0, desc("key_1=value_1,user=bkthomps")).Statuses[0]; st.LimitRemaining != 4 {
		t.Fatalf("replaced limit after the pair: %v", st)
	}
}
