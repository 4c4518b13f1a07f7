package headroom_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/catalog"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/memory"
)

// benchEngine is an engine on the memory backends with the coarse clock, as
// an embedding process would run it, and one account whose users quota is
// raised so that reserves never run out. With history on, the engine
// counts rate decisions and a recording pass runs every 100 ms (600 times
// as often as the server's), so that the benchmark sees what recording
// costs decisions; with it off, Config.NoHistory. The memory limiter
// counts rate decisions in its buckets; with tally, it is hidden behind a
// plain Limiter, so that the engine counts them itself, as it does for a
// limiter that cannot (Redis).
func benchEngine(b *testing.B, history, tally bool) (*headroom.Engine, func()) {
	cat, err := catalog.Default()
	if err != nil {
		b.Fatal(err)
	}
	clk := clock.NewCoarse(0)
	store := memory.NewStore()
	var lim headroom.Limiter = memory.NewLimiter(clk)
	if tally {
		lim = countlessLimiter{lim}
	}
	e, err := headroom.NewEngine(headroom.Config{Catalog: cat, Store: store, Limiter: lim, Clock: clk, NoHistory: !history})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	store.CreateAccount(ctx, headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{})
	if err := e.SetOverride(ctx, headroom.Override{Account: acct, Code: headroom.CodeUsers, Value: headroom.MaxValue}, "bench"); err != nil {
		b.Fatal(err)
	}
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if _, err := e.RecordHistory(ctx); err != nil {
					panic(err)
				}
			}
		}
	}()
	return e, func() { close(stop); <-stopped; clk.Close() }
}

// historyModes are the sub-benchmarks of every engine benchmark: usage
// history recorded and not, measured in the same run.
var historyModes = []struct {
	name      string
	on, tally bool
}{{"history=off", false, false}, {"history=on", true, false}, {"history=tally", true, true}}

// countlessLimiter is a Limiter and nothing more: not a DecisionCounter.
type countlessLimiter struct{ headroom.Limiter }

// BenchmarkEngineReserve is one count reserve through the engine on the
// memory store: quota lookup, scope check, account, overrides, reserve.
func BenchmarkEngineReserve(b *testing.B) {
	for _, h := range historyModes {
		b.Run(h.name, func(b *testing.B) {
			e, done := benchEngine(b, h.on, h.tally)
			defer done()
			ctx := context.Background()
			r := headroom.Request{Op: headroom.OpReserve, Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1}
			b.ReportAllocs()
			defer cpuPerOp(b)()
			for b.Loop() {
				if _, err := e.Do(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEngineAcquire is one lease acquire through the engine, paired with
// its release so the quota never fills; the figure is per acquire+release.
func BenchmarkEngineAcquire(b *testing.B) {
	for _, h := range historyModes {
		b.Run(h.name, func(b *testing.B) {
			e, done := benchEngine(b, h.on, h.tally)
			defer done()
			ctx := context.Background()
			ids := make([]string, 1024)
			for i := range ids {
				ids[i] = "chat-" + strconv.Itoa(i)
			}
			acq := headroom.Request{Op: headroom.OpAcquire, Account: acct, Code: headroom.CodeConcurrentChats, Scope: "instance/i-1", TTL: time.Hour}
			rel := headroom.Request{Op: headroom.OpReleaseLease, Account: acct, Code: headroom.CodeConcurrentChats, Scope: "instance/i-1"}
			b.ReportAllocs()
			defer cpuPerOp(b)()
			i := 0
			for b.Loop() {
				acq.LeaseID, rel.LeaseID = ids[i&1023], ids[i&1023]
				if _, err := e.Do(ctx, acq); err != nil {
					b.Fatal(err)
				}
				if _, err := e.Do(ctx, rel); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkEngineTake is one rate decision through the whole engine: on a
// bucket with room (allowed), and on the seed's 2/s bucket, which throttles
// nearly every call (throttled, the denial path with its error).
func BenchmarkEngineTake(b *testing.B) {
	for _, name := range []string{"allowed", "throttled"} {
		for _, h := range historyModes {
			b.Run(name+"/"+h.name, func(b *testing.B) {
				e, done := benchEngine(b, h.on, h.tally)
				defer done()
				ctx := context.Background()
				r := headroom.Request{Op: headroom.OpTake, Account: acct, Code: headroom.CodeConnectAPIRate, Amount: 1}
				if name == "allowed" {
					if err := e.SetOverride(ctx, headroom.Override{Account: acct, Code: headroom.CodeConnectAPIRate, Value: 1e9}, "bench"); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportAllocs()
				defer cpuPerOp(b)()
				for b.Loop() {
					e.Do(ctx, r)
				}
			})
		}
	}
}
