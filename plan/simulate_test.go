package plan_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/plan"
)

// steady is a forecast of hours of the same traffic, hour by hour.
func steady(hours int, callsPerHour, aht float64, agents int, extra string) []plan.Interval {
	var b strings.Builder
	b.WriteString("start,minutes,calls,aht_seconds,agents" + extraHead(extra) + "\n")
	for h := 0; h < hours; h++ {
		fmt.Fprintf(&b, "%s,60,%g,%g,%d%s\n", time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC).Add(time.Duration(h)*time.Hour).Format(time.RFC3339),
			callsPerHour, aht, agents, extraRow(extra))
	}
	ivs, err := plan.ReadForecast("steady.csv", strings.NewReader(b.String()))
	if err != nil {
		panic(err)
	}
	return ivs
}

func extraHead(extra string) string {
	if extra == "" {
		return ""
	}
	h, _, _ := strings.Cut(extra, "=")
	return "," + h
}

func extraRow(extra string) string {
	if extra == "" {
		return ""
	}
	_, v, _ := strings.Cut(extra, "=")
	return "," + v
}

// meanSE returns the mean of xs and its standard error.
func meanSE(xs []float64) (float64, float64) {
	var m float64
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	var v float64
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	v /= float64(len(xs) - 1)
	return m, math.Sqrt(v / float64(len(xs)))
}

// The tolerance: the simulation's mean over independent seeded runs must
// lie within four standard errors of the analytic value (a normal
// deviate beyond 4σ has probability 6e−5; the seeds are fixed, so the test
// is also deterministic), and the standard error itself must be small
// enough that the check means something.
const sigmas = 4

func agree(t *testing.T, what string, shares []float64, want, maxSE float64) {
	t.Helper()
	m, se := meanSE(shares)
	t.Logf("%s: simulated %.4f ± %.4f over %d runs, analytic %.4f", what, m, se, len(shares), want)
	if se > maxSE {
		t.Errorf("%s: standard error %.4f above %.4f: too few runs to check", what, se, maxSE)
	}
	if math.Abs(m-want) > sigmas*se {
		t.Errorf("%s: simulated %.4f ± %.4f, analytic %.4f: off by %.1f standard errors", what, m, se, want, math.Abs(m-want)/se)
	}
}

// Erlang C with a quota: 8 erlangs on 9 agents, the concurrent calls quota
// at 12. The simulation's reorder-tone share must match the truncated
// birth-death chain's blocking, and its measure must come from the engine.
func TestSimulationAgreesErlangC(t *testing.T) {
	const runs, hours = 8, 60
	ctx := context.Background()
	q := plan.Queue{Lambda: 96.0 / 3600, Mu: 1.0 / 300, Servers: 9}
	want, err := q.Blocking(12)
	if err != nil {
		t.Fatal(err)
	}
	var shares []float64
	for i := 0; i < runs; i++ {
		e, clk := newEngine(t)
		if err := e.SetOverride(ctx, headroom.Override{Account: acct, Code: headroom.CodeConcurrentCalls, Scope: "instance/i-1", Value: 12}, "test"); err != nil {
			t.Fatal(err)
		}
		res, err := plan.Simulate(ctx, e, clk, plan.SimConfig{Account: acct, Instance: "i-1", Forecast: steady(hours, 96, 300, 9, ""), Seed: uint64(i + 1), Warmup: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if res.Calls.Offered < 2000 || res.Calls.Refused == 0 {
			t.Fatalf("run %d: %+v", i, res.Calls)
		}
		shares = append(shares, res.Calls.Share())
	}
	agree(t, "reorder tone, Erlang C", shares, want, 0.01)
}

// Erlang A: 10 erlangs on 9 agents, unstable without abandonment but
// stable with a patience of 120 s; quota 14. The reorder-tone share, the
// share abandoning and the share answered within 20 s match the truncated
// chain.
func TestSimulationAgreesErlangA(t *testing.T) {
	const runs, hours = 8, 60
	ctx := context.Background()
	q := plan.Queue{Lambda: 120.0 / 3600, Mu: 1.0 / 300, Theta: 1.0 / 120, Servers: 9}
	d, err := q.Limited(14)
	if err != nil {
		t.Fatal(err)
	}
	wantBlock, wantAbandon := d.P[14], q.AbandonShare(d)
	wantSL, ok := q.AnsweredWithin(20, 14)
	if !ok {
		t.Fatal("no service level")
	}
	g, err := plan.ReadGrowth("g.yaml", strings.NewReader("patience_seconds: 120\n"))
	if err != nil {
		t.Fatal(err)
	}
	var block, aband, answered []float64
	for i := 0; i < runs; i++ {
		e, clk := newEngine(t)
		if err := e.SetOverride(ctx, headroom.Override{Account: acct, Code: headroom.CodeConcurrentCalls, Scope: "instance/i-1", Value: 14}, "test"); err != nil {
			t.Fatal(err)
		}
		res, err := plan.Simulate(ctx, e, clk, plan.SimConfig{Account: acct, Instance: "i-1", Forecast: steady(hours, 120, 300, 9, ""), Growth: g,
			Seed: uint64(100 + i), Warmup: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		block = append(block, res.Calls.Share())
		aband = append(aband, float64(res.Calls.Abandoned)/float64(res.Calls.Offered))
		answered = append(answered, float64(res.Calls.Answered)/float64(res.Calls.Offered))
	}
	agree(t, "reorder tone, Erlang A", block, wantBlock, 0.01)
	agree(t, "abandoned, Erlang A", aband, wantAbandon, 0.01)
	agree(t, "answered within 20 s, Erlang A", answered, wantSL, 0.01)
}

// The API: a program calling CreateUser as a Poisson stream into the 2/s
// bucket (burst 5) is throttled as BucketThrottle says: about half the
// time at 4/s (the fluid 1 − 2/4), a tenth of the time at exactly the rate
// (where the fluid model says never), hardly ever at a tenth of it.
func TestSimulationAgreesThrottle(t *testing.T) {
	const runs = 12
	ctx := context.Background()
	for _, rate := range []float64{4, 2, 1.5, 0.2} {
		g, err := plan.ReadGrowth("g.yaml", strings.NewReader(fmt.Sprintf("automation:\n  - operation: connect:CreateUser\n    rate_per_second: %g\n", rate)))
		if err != nil {
			t.Fatal(err)
		}
		var shares []float64
		for i := 0; i < runs; i++ {
			e, clk := newEngine(t)
			res, err := plan.Simulate(ctx, e, clk, plan.SimConfig{Account: acct, Instance: "i-1", Forecast: steady(1, 0, 0, 0, ""), Growth: g, Seed: uint64(7 + i), Warmup: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			api := res.API["HR-CONNECT-RATE-CreateUser"]
			if api == nil || api.Offered < 500 {
				t.Fatalf("%+v", res.API)
			}
			shares = append(shares, api.Share())
		}
		want := plan.BucketThrottle(rate, 2, 5)
		// The model's time steps put each refill before the requests of
		// its step, 1/64 of a token at this burst: it moves the share by
		// under a thousandth (0.1033 against 0.1034 at 1,024 parts), which
		// the tolerance allows.
		m, se := meanSE(shares)
		t.Logf("throttled at %g/s: simulated %.4f ± %.4f, model %.4f", rate, m, se, want)
		if math.Abs(m-want) > sigmas*se+0.001 || se > 0.01 {
			t.Errorf("throttled at %g/s: simulated %.4f ± %.4f, model %.4f", rate, m, se, want)
		}
	}
}

// Tasks through the engine: Poisson arrivals with exponential durations
// are M/M/∞; with the active tasks quota lowered to 240 and a mean of 240
// active, the share refused matches Erlang B(240, 240), the M/M/n/n loss
// system.
func TestSimulationTasks(t *testing.T) {
	const runs = 6
	ctx := context.Background()
	want := plan.ErlangB(240, 240)
	var shares []float64
	for i := 0; i < runs; i++ {
		e, clk := newEngine(t)
		if err := e.SetOverride(ctx, headroom.Override{Account: acct, Code: headroom.CodeActiveTasks, Scope: "instance/i-1", Value: 240}, "test"); err != nil {
			t.Fatal(err)
		}
		// 1,440 tasks an hour lasting 10 minutes; the first 2 hours warm
		// up (the mean is then within e^−12 of its steady 240).
		ivs := steady(12, 0, 0, 0, "tasks,task_seconds=1440,600")
		res, err := plan.Simulate(ctx, e, clk, plan.SimConfig{Account: acct, Instance: "i-1", Forecast: ivs, Seed: uint64(40 + i), Warmup: 2 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if res.Tasks.Offered < 10000 {
			t.Fatalf("%+v", res.Tasks)
		}
		shares = append(shares, res.Tasks.Share())
	}
	agree(t, "tasks refused", shares, want, 0.005)
}

// The benchmarks below run in one process so that BENCHMARKS.md can quote
// ratios: the simulation of a day of calls (96 an hour on 9 agents, quota
// 10), the same engine calls made in a bare loop (the floor any simulation
// through the engine pays), and the analytic model of the same 24 intervals.

func benchDay() []plan.Interval { return steady(24, 96, 300, 9, "") }

// BenchmarkSimulation reports simulated hours per CPU second and the cost
// of one simulated interval.
func BenchmarkSimulation(b *testing.B) {
	ctx := context.Background()
	ivs := benchDay()
	var hours float64
	var events int64
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		e, clk := newEngine(b)
		res, err := plan.Simulate(ctx, e, clk, plan.SimConfig{Account: acct, Instance: "i-1", Forecast: ivs, Seed: uint64(i)})
		if err != nil {
			b.Fatal(err)
		}
		hours += res.SimulatedHours
		events += res.Events
	}
	b.ReportMetric(hours/(cpuTime()-cpu0).Seconds(), "sim-h/cpu-s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ivs)), "ns/interval")
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
}

// BenchmarkSimulationEngineOnly makes the engine calls a simulated day
// makes (an acquire and a release for each of 2,304 calls, on a clock
// moved each time), with no event queue: the simulation's floor.
func BenchmarkSimulationEngineOnly(b *testing.B) {
	ctx := context.Background()
	calls := 96 * 24
	for i := 0; b.Loop(); i++ {
		e, clk := newEngine(b)
		at := t0
		for c := 0; c < calls; c++ {
			at = at.Add(37 * time.Second)
			clk.Set(at)
			id := fmt.Sprintf("c-%d", c)
			if _, err := e.Do(ctx, headroom.Request{Op: headroom.OpAcquire, Account: acct, Code: headroom.CodeConcurrentCalls, Scope: "instance/i-1", LeaseID: id, TTL: time.Hour}); err != nil {
				b.Fatal(err)
			}
			clk.Set(at.Add(time.Second))
			if _, err := e.Do(ctx, headroom.Request{Op: headroom.OpReleaseLease, Account: acct, Code: headroom.CodeConcurrentCalls, Scope: "instance/i-1", LeaseID: id}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*24), "ns/interval")
}

// BenchmarkModel reports the analytic model's cost per interval, on the
// same 24 hourly intervals the simulation replays.
func BenchmarkModel(b *testing.B) {
	ctx := context.Background()
	e, _ := newEngine(b)
	ivs := benchDay()
	for b.Loop() {
		if _, err := plan.Build(ctx, e, plan.Input{Account: acct, Instance: "i-1", Forecast: ivs}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ivs)), "ns/interval")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Only the forecast's intervals are replayed: an API program running
// through a month-long gap between two planned days sends its requests in
// the two days alone, and the simulated time is theirs.
func TestSimulationSkipsGaps(t *testing.T) {
	ctx := context.Background()
	ivs, err := plan.ReadForecast("f.csv", strings.NewReader("start,minutes,calls,aht_seconds\n"+
		"2027-01-04T08:00:00Z,60,0,0\n2027-02-04T08:00:00Z,120,0,0\n"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := plan.ReadGrowth("g.yaml", strings.NewReader("automation:\n  - operation: connect:ListUsers\n    rate_per_second: 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	e, clk := newEngine(t)
	res, err := plan.Simulate(ctx, e, clk, plan.SimConfig{Account: acct, Forecast: ivs, Growth: g, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	api := res.API["HR-CONNECT-RATE-ListUsers"]
	// 3 hours at 1/s: 10,800 expected, standard deviation 104.
	if res.SimulatedHours != 3 || api == nil || math.Abs(float64(api.Offered)-10800) > 500 {
		t.Fatalf("hours %v, %+v", res.SimulatedHours, api)
	}
}

// BenchmarkSimulationAgreement is the longer comparison: 64 runs of 100
// hours of the Erlang C case of TestSimulationAgreesErlangC, reporting the
// simulated reorder-tone share, the model's, and their distance in
// standard errors (go test -run XXX -bench SimulationAgreement ./plan/).
func BenchmarkSimulationAgreement(b *testing.B) {
	ctx := context.Background()
	want, _ := plan.Queue{Lambda: 96.0 / 3600, Mu: 1.0 / 300, Servers: 9}.Blocking(12)
	for b.Loop() {
		var shares []float64
		for i := 0; i < 64; i++ {
			e, clk := newEngine(b)
			if err := e.SetOverride(ctx, headroom.Override{Account: acct, Code: headroom.CodeConcurrentCalls, Scope: "instance/i-1", Value: 12}, "test"); err != nil {
				b.Fatal(err)
			}
			res, err := plan.Simulate(ctx, e, clk, plan.SimConfig{Account: acct, Instance: "i-1", Forecast: steady(100, 96, 300, 9, ""), Seed: uint64(1000 + i), Warmup: time.Hour})
			if err != nil {
				b.Fatal(err)
			}
			shares = append(shares, res.Calls.Share())
		}
		m, se := meanSE(shares)
		b.ReportMetric(m, "simulated")
		b.ReportMetric(want, "model")
		b.ReportMetric(math.Abs(m-want)/se, "SEs-apart")
	}
}
