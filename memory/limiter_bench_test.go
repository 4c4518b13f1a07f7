package memory_test

import (
	"context"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/memory"
)

// A rate high enough that the hot benchmarks measure the decision, not the
// denial path: both limiters grant nearly every request.
var benchLimit = headroom.RateLimit{Rate: 1e9, Burst: 1_000_000}

// benchSizes are the key counts of the many-key benchmarks.
var benchSizes = []int{100_000, 1_000_000}

// benchKeySet returns n distinct keys of one account and quota, as a server
// limiting one API by operation, user or address holds them.
func benchKeySet(n int) []headroom.UsageKey {
	keys := make([]headroom.UsageKey, n)
	for i := range keys {
		keys[i] = headroom.UsageKey{Account: "111122223333", Code: "HR-CONNECT-API-RATE", Scope: fmt.Sprintf("operation/Op%07d", i)}
	}
	return keys
}

// benchOrder returns a fixed pseudo-random permutation of [0, n): the order
// in which the many-key benchmarks visit their keys. Requests for many keys
// arrive in no order the hardware can predict; a constant stride, as an
// earlier version of these benchmarks used, lets the prefetcher fetch the
// next key's memory before it is asked for.
func benchOrder(n int) []int32 {
	r := rand.New(rand.NewPCG(1, 2))
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	r.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	return order
}

// deciders are the limiters under test, each holding one bucket per key of
// a key set; allow makes one decision for keys[i].
type decider interface {
	allow(keys []headroom.UsageKey, i int32) bool
	close()
}

// headroomDecider is memory.Limiter reading the coarse clock as the server
// does, looking its bucket up by key.
type headroomDecider struct {
	clk *clock.Coarse
	l   *memory.Limiter
}

func newHeadroom(keys []headroom.UsageKey) decider {
	d := &headroomDecider{clk: clock.NewCoarse(0)}
	d.l = memory.NewLimiter(d.clk)
	for i := range keys {
		d.allow(keys, int32(i))
	}
	return d
}

func (d *headroomDecider) allow(keys []headroom.UsageKey, i int32) bool {
	r, _ := d.l.Take(context.Background(), keys[i], benchLimit, 1)
	return r.Allowed
}

func (d *headroomDecider) close() { d.clk.Close() }

// sliceDecider is x/time/rate given its limiters for free: keys[i]'s limiter
// is at index i, so it neither reads the key nor looks anything up.
type sliceDecider []*rate.Limiter

func newSlice(keys []headroom.UsageKey) decider {
	ls := make(sliceDecider, len(keys))
	for i := range ls {
		ls[i] = rate.NewLimiter(rate.Limit(benchLimit.Rate), int(benchLimit.Burst))
	}
	return ls
}

func (d sliceDecider) allow(_ []headroom.UsageKey, i int32) bool { return d[i].Allow() }
func (d sliceDecider) close()                                    {}

// hashedSliceDecider is sliceDecider made to read and hash keys[i], as any
// keyed lookup must, before taking the limiter at index i: a perfect lookup
// that costs only reading the caller's key. Beside the plain slice, it
// tells the cost of reading the key from the cost of finding its bucket.
type hashedSliceDecider struct {
	seed maphash.Seed
	ls   []*rate.Limiter
	zero uint64 // 0, which the compiler cannot know
}

func newHashedSlice(keys []headroom.UsageKey) decider {
	return &hashedSliceDecider{seed: maphash.MakeSeed(), ls: newSlice(keys).(sliceDecider)}
}

func (d *hashedSliceDecider) allow(keys []headroom.UsageKey, i int32) bool {
	// The index depends on the hash, as a perfect hash's would, so that
	// the limiter is not fetched before the key is read.
	k := &keys[i]
	h := maphash.String(d.seed, k.Account) ^ maphash.String(d.seed, k.Code)*31 ^ maphash.String(d.seed, k.Scope)*17
	return d.ls[i^int32(h&d.zero)].Allow()
}

func (d *hashedSliceDecider) close() {}

// shardedMapDecider is x/time/rate as a service would key it: a map from the
// key to its limiter, split into read-locked shards so that parallel readers
// do not share one lock word, creating a limiter on a key's first request.
// The shard is picked by the scope alone, which is cheap and spreads keys as
// well here; the map compares whole keys.
type shardedMapDecider struct {
	seed   maphash.Seed
	shards [64]struct {
		mu sync.RWMutex
		m  map[headroom.UsageKey]*rate.Limiter
		_  [32]byte
	}
}

func newShardedMap(keys []headroom.UsageKey) decider {
	d := &shardedMapDecider{seed: maphash.MakeSeed()}
	for i := range d.shards {
		d.shards[i].m = map[headroom.UsageKey]*rate.Limiter{}
	}
	for i := range keys {
		d.allow(keys, int32(i))
	}
	return d
}

func (d *shardedMapDecider) allow(keys []headroom.UsageKey, i int32) bool {
	k := keys[i]
	s := &d.shards[maphash.String(d.seed, k.Scope)&63]
	s.mu.RLock()
	l := s.m[k]
	s.mu.RUnlock()
	if l == nil {
		s.mu.Lock()
		if l = s.m[k]; l == nil {
			l = rate.NewLimiter(rate.Limit(benchLimit.Rate), int(benchLimit.Burst))
			s.m[k] = l
		}
		s.mu.Unlock()
	}
	return l.Allow()
}

func (d *shardedMapDecider) close() {}

// syncMapDecider is x/time/rate keyed in a sync.Map, the other common way.
type syncMapDecider struct{ m sync.Map }

func newSyncMap(keys []headroom.UsageKey) decider {
	d := &syncMapDecider{}
	for i := range keys {
		d.allow(keys, int32(i))
	}
	return d
}

func (d *syncMapDecider) allow(keys []headroom.UsageKey, i int32) bool {
	v, ok := d.m.Load(keys[i])
	if !ok {
		v, _ = d.m.LoadOrStore(keys[i], rate.NewLimiter(rate.Limit(benchLimit.Rate), int(benchLimit.Burst)))
	}
	return v.(*rate.Limiter).Allow()
}

func (d *syncMapDecider) close() {}

var benchDeciders = []struct {
	name string
	new  func([]headroom.UsageKey) decider
}{
	{"headroom", newHeadroom},
	{"x-time-rate-shardedmap", newShardedMap},
	{"x-time-rate-syncmap", newSyncMap},
	{"x-time-rate-slice", newSlice},
	{"x-time-rate-slice-hashkey", newHashedSlice},
}

// BenchmarkAllow compares one rate decision of Headroom's memory limiter,
// reading the coarse clock as the server does, with golang.org/x/time/rate's
// Limiter.Allow in the same run: on one hot key, and on 100,000 and
// 1,000,000 keys visited in a fixed pseudo-random order, from one goroutine
// and from GOMAXPROCS goroutines. Headroom looks each bucket up by its key.
// Of the x/time/rate baselines, two look the limiter up by the same key (a
// sharded map, a sync.Map) and one is handed it by index ("slice"), which no
// keyed service can do; "slice-hashkey" is that slice made to read and hash
// the key first, a lookup that costs nothing beyond reading the key.
func BenchmarkAllow(b *testing.B) {
	ctx := context.Background()
	b.Run("hot-key/headroom", func(b *testing.B) {
		clk := clock.NewCoarse(0)
		defer clk.Close()
		l := memory.NewLimiter(clk)
		k := headroom.UsageKey{Account: "111122223333", Code: "HR-CONNECT-API-RATE", Scope: "operation/CreateUser"}
		b.ReportAllocs()
		c0 := cpuTime()
		for b.Loop() {
			l.Take(ctx, k, benchLimit, 1)
		}
		reportCPU(b, c0)
	})
	b.Run("hot-key/x-time-rate", func(b *testing.B) {
		l := rate.NewLimiter(rate.Limit(benchLimit.Rate), int(benchLimit.Burst))
		b.ReportAllocs()
		c0 := cpuTime()
		for b.Loop() {
			l.Allow()
		}
		reportCPU(b, c0)
	})
	for _, n := range benchSizes {
		// Built on first use, so that a -bench pattern picking a few cases
		// does not pay for all of them.
		var keys []headroom.UsageKey
		var order []int32
		for _, dc := range benchDeciders {
			var d decider
			setup := func(b *testing.B) decider {
				if d == nil {
					if keys == nil {
						keys, order = benchKeySet(n), benchOrder(n)
					}
					d = dc.new(keys)
					runtime.GC()
				}
				b.ReportAllocs()
				b.ResetTimer()
				return d
			}
			b.Run(fmt.Sprintf("keys=%d/serial/%s", n, dc.name), func(b *testing.B) {
				d := setup(b)
				c0 := cpuTime()
				i := 0
				for b.Loop() {
					d.allow(keys, order[i])
					if i++; i == len(order) {
						i = 0
					}
				}
				reportCPU(b, c0)
			})
			b.Run(fmt.Sprintf("keys=%d/parallel/%s", n, dc.name), func(b *testing.B) {
				d := setup(b)
				c0 := cpuTime()
				var g atomic.Int64
				b.RunParallel(func(pb *testing.PB) {
					// Each goroutine walks the same order from its own
					// point, so that they do not touch the same buckets
					// in step.
					i := int(g.Add(1)*int64(len(order))/int64(runtime.GOMAXPROCS(0)+1)) % len(order)
					for pb.Next() {
						d.allow(keys, order[i])
						if i++; i == len(order) {
							i = 0
						}
					}
				})
				reportCPU(b, c0)
			})
			if d != nil {
				d.close()
			}
		}
	}
}

// cpuTime returns the CPU time the process has used, all threads together.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the process's CPU time per operation since c0, as
// cpu-ns/op. On a machine shared with other work, ns/op counts the time the
// benchmark waited for a core; cpu-ns/op does not (though the others still
// share the caches). In parallel it is the CPU of all goroutines: about
// GOMAXPROCS times ns/op when the cores are free.
func reportCPU(b *testing.B, c0 time.Duration) {
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkLimiterMemory reports the heap bytes each tracked rate key costs,
// with 100,000 and 1,000,000 keys, with decisions not counted and counted
// (CountDecisions, as the server's engine has it with usage history on,
// drained a second after the keys are in, as a recording pass would, once
// the replaced tables are let go). The keys'
// strings are the caller's and are not counted.
func BenchmarkLimiterMemory(b *testing.B) {
	ctx := context.Background()
	clk := clock.NewManual(storetestT0)
	for _, n := range benchSizes {
		for _, counting := range []bool{false, true} {
			b.Run(fmt.Sprintf("keys=%d/counts=%v", n, counting), func(b *testing.B) {
				keys := benchKeySet(n)
				for b.Loop() {
					runtime.GC()
					var before, after runtime.MemStats
					runtime.ReadMemStats(&before)
					l := memory.NewLimiter(clk)
					if counting {
						l.CountDecisions()
					}
					for _, k := range keys {
						l.Take(ctx, k, benchLimit, 1)
					}
					if counting {
						// The tables replaced while the keys went in are
						// kept a second for late counts: measure after a
						// drain lets them go, as a recording pass would.
						time.Sleep(1100 * time.Millisecond)
						l.DrainDecisions(nil, storetestT0)
					}
					runtime.GC()
					runtime.ReadMemStats(&after)
					b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(n), "bytes/key")
					runtime.KeepAlive(l)
				}
				runtime.KeepAlive(keys)
			})
		}
	}
}
