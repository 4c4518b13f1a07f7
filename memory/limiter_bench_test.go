package memory_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"golang.org/x/time/rate"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/memory"
)

// A rate high enough that the hot benchmarks measure the decision, not the
// denial path: both limiters grant nearly every request.
var benchLimit = headroom.RateLimit{Rate: 1e9, Burst: 1_000_000}

const benchKeys = 100_000

func benchKeySet() []headroom.UsageKey {
	keys := make([]headroom.UsageKey, benchKeys)
	for i := range keys {
		keys[i] = headroom.UsageKey{Account: "111122223333", Code: "HR-CONNECT-API-RATE", Scope: fmt.Sprintf("operation/Op%06d", i)}
	}
	return keys
}

// BenchmarkAllow compares one rate decision of Headroom's memory limiter,
// reading the coarse clock as the server does, with golang.org/x/time/rate's
// Limiter.Allow in the same run.
func BenchmarkAllow(b *testing.B) {
	ctx := context.Background()
	b.Run("headroom/hot-key", func(b *testing.B) {
		clk := clock.NewCoarse(0)
		defer clk.Close()
		l := memory.NewLimiter(clk)
		k := headroom.UsageKey{Account: "111122223333", Code: "HR-CONNECT-API-RATE", Scope: "operation/CreateUser"}
		b.ReportAllocs()
		for b.Loop() {
			l.Take(ctx, k, benchLimit, 1)
		}
	})
	b.Run("x-time-rate/hot-key", func(b *testing.B) {
		l := rate.NewLimiter(rate.Limit(benchLimit.Rate), int(benchLimit.Burst))
		b.ReportAllocs()
		for b.Loop() {
			l.Allow()
		}
	})
	b.Run("headroom/100k-keys", func(b *testing.B) {
		clk := clock.NewCoarse(0)
		defer clk.Close()
		l := memory.NewLimiter(clk)
		keys := benchKeySet()
		for _, k := range keys {
			l.Take(ctx, k, benchLimit, 1)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			l.Take(ctx, keys[i], benchLimit, 1)
			i = (i + 7919) % benchKeys
		}
	})
	b.Run("x-time-rate/100k-keys", func(b *testing.B) {
		// A slice, not a map: the baseline gets its keys for free.
		ls := make([]*rate.Limiter, benchKeys)
		for i := range ls {
			ls[i] = rate.NewLimiter(rate.Limit(benchLimit.Rate), int(benchLimit.Burst))
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			ls[i].Allow()
			i = (i + 7919) % benchKeys
		}
	})
	b.Run("headroom/parallel-100k-keys", func(b *testing.B) {
		clk := clock.NewCoarse(0)
		defer clk.Close()
		l := memory.NewLimiter(clk)
		keys := benchKeySet()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				l.Take(ctx, keys[i], benchLimit, 1)
				i = (i + 7919) % benchKeys
			}
		})
	})
	b.Run("x-time-rate/parallel-100k-keys", func(b *testing.B) {
		ls := make([]*rate.Limiter, benchKeys)
		for i := range ls {
			ls[i] = rate.NewLimiter(rate.Limit(benchLimit.Rate), int(benchLimit.Burst))
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				ls[i].Allow()
				i = (i + 7919) % benchKeys
			}
		})
	})
}

// BenchmarkLimiterMemory reports the heap bytes each tracked rate key costs.
func BenchmarkLimiterMemory(b *testing.B) {
	ctx := context.Background()
	clk := clock.NewManual(storetestT0)
	for b.Loop() {
		keys := benchKeySet()
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		l := memory.NewLimiter(clk)
		for _, k := range keys {
			l.Take(ctx, k, benchLimit, 1)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/benchKeys, "bytes/key")
		runtime.KeepAlive(l)
		runtime.KeepAlive(keys)
	}
}
