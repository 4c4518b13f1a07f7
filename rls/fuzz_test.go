package rls

import (
	"context"
	"errors"
	"testing"

	rlscommon "github.com/envoyproxy/go-control-plane/envoy/extensions/common/ratelimit/v3"
	rlsv3 "github.com/envoyproxy/go-control-plane/envoy/service/ratelimit/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/headroomhq/headroom"
)

// FuzzLoadConfig: any input either fails with a *ConfigError or loads a
// domain whose every rule the engine accepts as a quota, and which matches
// any descriptor without panicking.
func FuzzLoadConfig(f *testing.F) {
	for _, s := range []string{example2, example3, example4, example5, example8, example9, perMinute, tenants,
		"domain: d\ndescriptors:\n  - key: a\n    rate_limit: {unit: day, requests_per_unit: 4294967295}\n",
		"domain: d\ndescriptors:\n  - key: a\n    value: '*'\n    descriptors: [{key: b, rate_limit: {unlimited: true}}]\n",
		"domain: [\n", "", "domain: d\ndescriptors: ~\n"} {
		f.Add([]byte(s))
	}
	fx := newFixture(f, nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDomain("fuzz.yaml", data)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.File != "fuzz.yaml" {
				t.Fatalf("error %v (%T) is not a *ConfigError naming the file", err, err)
			}
			return
		}
		for _, r := range d.Rules {
			if !headroom.ValidQuotaCode(r.Code) {
				t.Fatalf("rule %s has an invalid code %q", r.StatKey, r.Code)
			}
		}
		if err := fx.svc.Apply(&Config{Domains: map[string]*Domain{d.Name: d}}); err != nil {
			t.Fatalf("a loaded configuration was refused: %v", err)
		}
		for _, r := range d.Rules {
			d.Match([]Entry{{Key: r.StatKey, Value: r.Name}, {Key: "x", Value: ""}})
		}
	})
}

// FuzzShouldRateLimit: any request gets one status per descriptor, or
// InvalidArgument for an empty domain or descriptor list; never a panic
// and never an engine error.
func FuzzShouldRateLimit(f *testing.F) {
	f.Add("edge", "path", "/a", "", "", uint32(0), uint64(0), false)
	f.Add("edge", "shadow", "x", "free", "y", uint32(3), uint64(1), true)
	f.Add("api", "tenant", tenantA, "path", "/x", uint32(1), uint64(1<<63), true)
	f.Add("api", "tenant", "not an account", "path", "\x00\xff", uint32(1<<31), uint64(0), true)
	f.Add("", "k", "v", "", "", uint32(0), uint64(0), false)
	fx := newFixture(f, map[string]string{"edge.yaml": perMinute, "api.yaml": tenants, "e9.yaml": example9})
	f.Fuzz(func(t *testing.T, domain, k1, v1, k2, v2 string, hits uint32, descHits uint64, setDescHits bool) {
		d := &rlscommon.RateLimitDescriptor{Entries: []*rlscommon.RateLimitDescriptor_Entry{{Key: k1, Value: v1}}}
		if k2 != "" || v2 != "" {
			d.Entries = append(d.Entries, &rlscommon.RateLimitDescriptor_Entry{Key: k2, Value: v2})
		}
		if setDescHits {
			d.HitsAddend = wrapperspb.UInt64(descHits)
		}
		req := &rlsv3.RateLimitRequest{Domain: domain, HitsAddend: hits,
			Descriptors: []*rlscommon.RateLimitDescriptor{d, {Entries: d.Entries[:1]}}}
		resp, err := fx.svc.ShouldRateLimit(context.Background(), req)
		if domain == "" {
			if status.Code(err) != codes.InvalidArgument {
				t.Fatalf("empty domain: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("%v: %v", req, err)
		}
		if len(resp.Statuses) != 2 {
			t.Fatalf("%d statuses for 2 descriptors", len(resp.Statuses))
		}
		over := false
		for _, st := range resp.Statuses {
			over = over || st.Code == rlsv3.RateLimitResponse_OVER_LIMIT
		}
		if over != (resp.OverallCode == rlsv3.RateLimitResponse_OVER_LIMIT) {
			t.Fatalf("overall %v with statuses %v", resp.OverallCode, resp.Statuses)
		}
	})
}
