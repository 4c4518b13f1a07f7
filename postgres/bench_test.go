package postgres_test

import (
	"context"
	"math"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/storetest"
	"github.com/headroomhq/headroom/internal/testsvc"
	"github.com/headroomhq/headroom/postgres"
)

// benchReserve measures acknowledged reserves per second from 64 callers
// on one Store, each reserve committed (synchronous_commit on) before it
// returns, spread over counters keys.
func benchReserve(b *testing.B, counters int) { benchReserveKeys(b, counters, false) }

// benchReserveKeys is benchReserve, each reserve with its own idempotency
// key when keyed.
func benchReserveKeys(b *testing.B, counters int, keyed bool) {
	ctx := context.Background()
	s := openStore(b, postgres.Config{URL: testsvc.Postgres(b), MaxConns: 64})
	keys := make([]headroom.UsageKey, counters)
	for i := range keys {
		keys[i] = headroom.UsageKey{Account: "111122223333", Code: "L-U", Scope: "instance/i-" + strconv.Itoa(i)}
	}
	var seq atomic.Int64
	b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := seq.Add(1)
			c := headroom.CountChange{Key: keys[i%int64(len(keys))], Amount: 1, Limit: math.MaxInt32, Now: storetest.T0}
			if keyed {
				c.IdempotencyKey = "k-" + strconv.FormatInt(i, 10)
			}
			r, err := s.Reserve(ctx, c)
			if err != nil || !r.Applied {
				b.Errorf("Reserve = %+v, %v", r, err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reserves/s")
	st := s.Stats()
	b.ReportMetric(float64(st.Batched)/float64(max(st.Batches, 1)), "reserves/commit")
}

// BenchmarkReserveSpread64 is 64 callers over 10,000 counters.
func BenchmarkReserveSpread64(b *testing.B) { benchReserve(b, 10000) }

// BenchmarkReserveHot64 is 64 callers on one counter.
func BenchmarkReserveHot64(b *testing.B) { benchReserve(b, 1) }

// BenchmarkReserveIdempotent64 is 64 callers over 10,000 counters, each
// reserve with its own idempotency key: a transaction of its own, outside
// group commit.
func BenchmarkReserveIdempotent64(b *testing.B) { benchReserveKeys(b, 10000, true) }
