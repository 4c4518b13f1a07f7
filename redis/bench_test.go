package redis

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/storetest"
	"github.com/headroomhq/headroom/internal/tcpproxy"
	"github.com/headroomhq/headroom/internal/testsvc"
)

// BenchmarkTake measures decisions per second in Redis from 16 and 64
// goroutines, as single takes and as batches of 10, every take granted
// (the hot path: a throttled take costs the same script call). The
// "proxied" variants put a tcpproxy in the path to count round trips
// (writes to Redis) per decision; the proxy's own copying slows them.
//
//	CI=true go test -run '^$' -bench Take/direct -benchmem ./redis/
//	CI=true go test -run '^$' -bench Take/proxied -benchmem ./redis/
func BenchmarkTake(b *testing.B) {
	for _, proxied := range []bool{false, true} {
		for _, batch := range []int{1, 10} {
			for _, goroutines := range []int{16, 64} {
				path := "direct"
				if proxied {
					path = "proxied"
				}
				name := fmt.Sprintf("%s/batch=%d/goroutines=%d", path, batch, goroutines)
				b.Run(name, func(b *testing.B) { benchTake(b, batch, goroutines, proxied) })
			}
		}
	}
}

func benchTake(b *testing.B, batch, goroutines int, proxied bool) {
	addr, prefix := testsvc.Redis(b)
	var p *tcpproxy.Proxy
	if proxied {
		var err error
		if p, err = tcpproxy.New(addr); err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		addr = p.Addr()
	}
	l := open(b, Config{Addr: addr, Prefix: prefix})
	lim := headroom.RateLimit{Rate: 1e9, Burst: 1e9}
	var next atomic.Int64
	var failed atomic.Pointer[error]
	b.SetParallelism(max(1, goroutines/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	var writes int64
	if p != nil {
		writes = p.Writes()
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		g := next.Add(1)
		ctx := context.Background()
		takes := make([]headroom.Take, batch)
		res, errs := make([]headroom.RateResult, batch), make([]error, batch)
		i := 0
		for pb.Next() {
			for j := range takes {
				i++
				takes[j] = headroom.Take{Key: headroom.UsageKey{Account: storetest.Account, Code: "HR-RATE", Scope: scopes[(int(g)*131+i)%len(scopes)]}, Limit: lim, N: 1}
			}
			if batch == 1 {
				res[0], errs[0] = l.Take(ctx, takes[0].Key, lim, 1)
			} else {
				l.TakeBatch(ctx, takes, res, errs)
			}
			for _, err := range errs {
				if err != nil {
					failed.Store(&err)
				}
			}
		}
	})
	b.StopTimer()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	if l.Mode() != ModeRedis {
		b.Fatalf("the limiter left Redis (mode %v)", l.Mode())
	}
	decisions := float64(b.N * batch)
	b.ReportMetric(decisions/b.Elapsed().Seconds(), "decisions/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/decisions, "ns/decision")
	if p != nil {
		b.ReportMetric(float64(p.Writes()-writes)/decisions, "roundtrips/decision")
	}
}

// scopes are the buckets the benchmark spreads its takes over.
var scopes = func() []string {
	s := make([]string, 4096)
	for i := range s {
		s[i] = fmt.Sprintf("operation/Op%d", i)
	}
	return s
}()
