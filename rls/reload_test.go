package rls

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	rlscommon "github.com/envoyproxy/go-control-plane/envoy/extensions/common/ratelimit/v3"
	rlsv3 "github.com/envoyproxy/go-control-plane/envoy/service/ratelimit/v3"
)

type applied struct {
	version uint64
	err     error
}

// TestWatchReloads: a changed file is reloaded, a bad one refused with the
// previous configuration kept, and a good one adopted again; the test
// waits on the service's OnApply hook, never on time.
func TestWatchReloads(t *testing.T) {
	f := newFixture(t, map[string]string{"edge.yaml": perMinute})
	events := make(chan applied, 64)
	f.svc.onApply = func(v uint64, err error) { events <- applied{v, err} }
	f.svc.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	w, err := Watch(f.dir, f.svc, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// next waits for the first apply that satisfies ok.
	next := func(what string, ok func(applied) bool) {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case a := <-events:
				if ok(a) {
					return
				}
			case <-timeout:
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	limitOf := func() uint32 {
		resp, err := f.svc.ShouldRateLimit(context.Background(), &rlsv3.RateLimitRequest{Domain: "edge", Descriptors: []*rlscommon.RateLimitDescriptor{desc("path=/z")}})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Statuses[0].CurrentLimit.GetRequestsPerUnit()
	}
	replace := func(content string) {
		tmp := filepath.Join(f.dir, ".edge.tmp")
		if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(f.dir, "edge.yaml")); err != nil {
			t.Fatal(err)
		}
	}
	v0 := f.svc.Version()
	replace("domain: edge\ndescriptors:\n  - key: path\n    rate_limit: {unit: minute, requests_per_unit: 7}\n")
	// The temporary file's own events may reload the old content first.
	next("the new file", func(a applied) bool { return a.err == nil && a.version > v0 && limitOf() == 7 })
	v1 := f.svc.Version()
	replace("domain: edge\ndescriptors:\n  - key: path\n    rate_limit: {unit: minute, requests_per_unit: 7, burts: 1}\n")
	next("the refusal", func(a applied) bool {
		var ce *ConfigError
		return asConfigError(a.err, &ce) && ce.Line == 4 && ce.Field == "descriptors[0].rate_limit.burts"
	})
	if got := limitOf(); got != 7 {
		t.Fatalf("after a bad file: limit %d, want the previous 7", got)
	}
	if err := os.Remove(filepath.Join(f.dir, "edge.yaml")); err != nil {
		t.Fatal(err)
	}
	next("the removal", func(a applied) bool { return a.err == nil && a.version > v1 && limitOf() == 0 })
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
