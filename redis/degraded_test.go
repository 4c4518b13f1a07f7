package redis

import (
	"context"
	"fmt"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/internal/storetest"
	"github.com/headroomhq/headroom/internal/testsvc"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

var testKey = headroom.UsageKey{Account: storetest.Account, Code: "HR-RATE", Scope: "account"}

// changes returns the count of changes into mode.
func changes(l *Limiter, m Mode) int {
	return int(testutil.ToFloat64(l.metrics.changes.WithLabelValues(m.String())))
}

// waitMode polls until l is in mode m, failing after within.
func waitMode(t *testing.T, l *Limiter, m Mode, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for l.Mode() != m {
		if time.Since(start) > within {
			t.Fatalf("mode %v after %v, want %v", l.Mode(), within, m)
		}
		time.Sleep(5 * time.Millisecond) // polling, with a deadline
	}
	return time.Since(start)
}

func mustTake(t *testing.T, l *Limiter, lim headroom.RateLimit, n int64) headroom.RateResult {
	t.Helper()
	r, err := l.Take(context.Background(), testKey, lim, n)
	if err != nil {
		t.Fatalf("Take: %v", err)
	}
	return r
}

// TestFailLocal: with Redis cut, each of two nodes enforces half the
// bucket in memory; the switch is logged and counted once; Redis is used
// again within a second of coming back.
func TestFailLocal(t *testing.T) {
	clk := clock.NewManual(storetest.T0)
	nodes := func(context.Context) (int, error) { return 2, nil }
	l, p, logs := proxied(t, Config{Clock: clk, Nodes: nodes})
	lim := headroom.RateLimit{Rate: 4, Burst: 10}
	if r := mustTake(t, l, lim, 1); !r.Allowed || r.Remaining != 9 {
		t.Fatalf("take in redis = %+v", r)
	}
	p.Cut()
	// Half the burst: 5 tokens, refilled at 2 a second.
	for i := 0; i < 5; i++ {
		if r := mustTake(t, l, lim, 1); !r.Allowed || r.Remaining != int64(4-i) {
			t.Fatalf("local take %d = %+v, want allowed with %d left", i, r, 4-i)
		}
	}
	if r := mustTake(t, l, lim, 1); r.Allowed || r.RetryAfter != 500*time.Millisecond {
		t.Fatalf("6th local take = %+v, want throttled for 500ms (half the rate)", r)
	}
	if r := mustTake(t, l, lim, 6); r.Allowed || r.RetryAfter != DefaultProbeInterval {
		t.Fatalf("a take above the node's share = %+v, want denied until the next probe", r)
	}
	if l.Mode() != ModeLocal || changes(l, ModeLocal) != 1 || logs.count("level=WARN") != 1 {
		t.Fatalf("mode %v, %d changes to local, %d warnings; want local, 1, 1", l.Mode(), changes(l, ModeLocal), logs.count("level=WARN"))
	}
	if g := testutil.ToFloat64(l.metrics.degraded); g != 1 {
		t.Fatalf("degraded gauge %v, want 1", g)
	}
	if err := l.Ping(context.Background()); headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE {
		t.Fatalf("Ping while cut = %v, want %s", err, headroom.EUNAVAILABLE)
	}
	p.Restore()
	took := waitMode(t, l, ModeRedis, time.Second)
	t.Logf("back on redis %v after the restore", took)
	if changes(l, ModeRedis) != 1 || logs.count("level=INFO") != 1 || testutil.ToFloat64(l.metrics.degraded) != 0 {
		t.Fatalf("%d changes to redis, %d infos, gauge %v; want 1, 1, 0", changes(l, ModeRedis), logs.count("level=INFO"), testutil.ToFloat64(l.metrics.degraded))
	}
	// The Redis bucket is where it was: 9 left.
	before := p.Writes()
	if r := mustTake(t, l, lim, 1); !r.Allowed || r.Remaining != 8 {
		t.Fatalf("take back in redis = %+v, want 8 left", r)
	}
	if p.Writes() == before {
		t.Fatal("the take after recovery did not go to Redis")
	}
	if err := l.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestFailOpenAndClosed(t *testing.T) {
	for _, tc := range []struct {
		policy  FailPolicy
		mode    Mode
		allowed bool
	}{{FailOpen, ModeOpen, true}, {FailClosed, ModeClosed, false}} {
		t.Run(tc.policy.String(), func(t *testing.T) {
			clk := clock.NewManual(storetest.T0)
			l, p, _ := proxied(t, Config{Clock: clk, Fail: tc.policy})
			lim := headroom.RateLimit{Rate: 1, Burst: 3}
			p.Cut()
			for i := 0; i < 10; i++ {
				r := mustTake(t, l, lim, 1)
				if r.Allowed != tc.allowed || !r.At.Equal(storetest.T0) {
					t.Fatalf("take %d = %+v, want allowed %v at the clock's time", i, r, tc.allowed)
				}
				if !tc.allowed && r.RetryAfter != DefaultProbeInterval {
					t.Fatalf("take %d = %+v, want retry after the probe interval", i, r)
				}
			}
			// A bad take is still refused as such.
			if _, err := l.Take(context.Background(), testKey, lim, 0); headroom.ErrorCodeOf(err) != headroom.EINVALID {
				t.Fatalf("bad take while degraded: %v, want %s", err, headroom.EINVALID)
			}
			if l.Mode() != tc.mode || changes(l, tc.mode) != 1 {
				t.Fatalf("mode %v with %d changes, want %v once", l.Mode(), changes(l, tc.mode), tc.mode)
			}
			p.Restore()
			waitMode(t, l, ModeRedis, time.Second)
		})
	}
}

// TestModeChangeCountedOnce: many calls failing at once switch the mode,
// log and count once; batches are decided by the policy too.
func TestModeChangeCountedOnce(t *testing.T) {
	l, p, logs := proxied(t, Config{Fail: FailOpen})
	lim := headroom.RateLimit{Rate: 1, Burst: 3}
	mustTake(t, l, lim, 1) // connected
	p.Cut()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				takes := []headroom.Take{{Key: testKey, Limit: lim, N: 1}, {Key: testKey, Limit: lim, N: 9}}
				res, errs := make([]headroom.RateResult, 2), make([]error, 2)
				l.TakeBatch(context.Background(), takes, res, errs)
				if errs[0] != nil || !res[0].Allowed || headroom.ErrorCodeOf(errs[1]) != headroom.EINVALID {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("%+v %v %v", res[0], errs[0], errs[1]))
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("%d batches decided wrongly, first: %s", len(bad), bad[0])
	}
	if changes(l, ModeOpen) != 1 || logs.count("level=WARN") != 1 {
		t.Fatalf("%d changes to open and %d warnings, want 1 and 1", changes(l, ModeOpen), logs.count("level=WARN"))
	}
	p.Restore()
	waitMode(t, l, ModeRedis, time.Second)
	if changes(l, ModeRedis) != 1 || logs.count("level=INFO") != 1 {
		t.Fatalf("%d changes to redis and %d infos, want 1 and 1", changes(l, ModeRedis), logs.count("level=INFO"))
	}
}

// TestDegradedDoesNotWait: once a call has timed out on a Redis that does
// not answer, the calls that follow are decided at once, not after
// another timeout each.
func TestDegradedDoesNotWait(t *testing.T) {
	const opTimeout = 200 * time.Millisecond
	l, p, _ := proxied(t, Config{OpTimeout: opTimeout})
	lim := headroom.RateLimit{Rate: 1000, Burst: 1000}
	mustTake(t, l, lim, 1)
	p.SetDelay(time.Hour)
	mustTake(t, l, lim, 1) // waits out one timeout and degrades
	if l.Mode() != ModeLocal {
		t.Fatalf("mode %v after a timeout, want local", l.Mode())
	}
	start := time.Now()
	for i := 0; i < 200; i++ {
		mustTake(t, l, lim, 1)
	}
	if d := time.Since(start); d >= opTimeout {
		t.Fatalf("200 degraded takes took %v: they waited on Redis", d)
	}
	p.SetDelay(0)
	waitMode(t, l, ModeRedis, 2*time.Second)
}

// TestStartsDegraded: a node that starts while Redis is unreachable serves
// by its policy and switches to Redis when it comes.
func TestStartsDegraded(t *testing.T) {
	addr, prefix := testsvc.Redis(t)
	p, err := newCutProxy(t, addr)
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	l := open(t, Config{Addr: p.Addr(), Prefix: prefix, Logger: logs.logger()})
	if l.Mode() != ModeLocal || logs.count("level=WARN") != 1 {
		t.Fatalf("mode %v with %d warnings at start, want local and 1", l.Mode(), logs.count("level=WARN"))
	}
	if r := mustTake(t, l, headroom.RateLimit{Rate: 1, Burst: 2}, 1); !r.Allowed {
		t.Fatalf("take at start = %+v", r)
	}
	p.Restore()
	waitMode(t, l, ModeRedis, time.Second)
	if r := mustTake(t, l, headroom.RateLimit{Rate: 1, Burst: 2}, 1); !r.Allowed || r.Remaining != 1 {
		t.Fatalf("first take in redis = %+v", r)
	}
}

// TestRedisKilledAndRestarted kills a redis-server of the test's own with
// SIGKILL and starts another on the same port: the limiter goes local,
// then back to the new server, whose script cache is empty.
func TestRedisKilledAndRestarted(t *testing.T) {
	addr, cmd := testsvc.RedisServer(t)
	clk := clock.NewManual(storetest.T0)
	logs := &logBuffer{}
	l := open(t, Config{Addr: addr, Clock: clk, Logger: logs.logger()})
	defer func() {
		if t.Failed() {
			t.Log(logs.buf.String())
		}
	}()
	lim := headroom.RateLimit{Rate: 1, Burst: 3}
	if r := mustTake(t, l, lim, 1); !r.Allowed || r.Remaining != 2 || l.Mode() != ModeRedis {
		t.Fatalf("take = %+v in %v", r, l.Mode())
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	// The local bucket starts full.
	if r := mustTake(t, l, lim, 1); !r.Allowed || r.Remaining != 2 || l.Mode() != ModeLocal {
		t.Fatalf("take after the kill = %+v in %v, want local", r, l.Mode())
	}
	restartRedis(t, addr, cmd.Args)
	took := waitMode(t, l, ModeRedis, time.Second)

	t.Logf("back on the new server %v after it listened", took)
	// The new server knows neither the bucket nor the script.
	if r := mustTake(t, l, lim, 3); !r.Allowed || r.Remaining != 0 {
		info, _ := l.client.Do(context.Background(), l.client.B().Info().Section("server").Build()).ToString()
		t.Fatalf("take on the new server = %+v, want its full bucket; old pid %d; %s", r, cmd.Process.Pid, info)
	}
	if l.Mode() != ModeRedis {
		t.Fatalf("mode %v after a take on the new server", l.Mode())
	}
}

// restartRedis starts redis-server again with args, the killed one's, on
// the same port, and waits until it answers.
func restartRedis(t *testing.T, addr string, args []string) {
	t.Helper()
	dir := t.TempDir()
	argv := append([]string(nil), args[1:]...)
	for i := range argv {
		if argv[i] == "--dir" && i+1 < len(argv) {
			argv[i+1] = dir
		}
		if argv[i] == "--logfile" && i+1 < len(argv) {
			argv[i+1] = dir + "/redis.log"
		}
	}
	cmd := exec.Command(args[0], argv...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	c, err := Open(context.Background(), Config{Addr: addr, Logger: (&logBuffer{}).logger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("the restarted redis-server on %s does not answer", addr)
		}
		time.Sleep(10 * time.Millisecond) // polling a starting process
	}
}

// TestNodesKeepsLastGoodCount: a failing or nonsensical node count leaves
// the last good one in force.
func TestNodesKeepsLastGoodCount(t *testing.T) {
	var mu sync.Mutex
	n, err := 3, error(nil)
	nodes := func(context.Context) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return n, err
	}
	l := open(t, Config{Nodes: nodes})
	if got := l.nodes.Load(); got != 3 {
		t.Fatalf("nodes %d after Open, want 3", got)
	}
	for _, tc := range []struct {
		n   int
		err error
	}{{0, nil}, {-2, nil}, {5, fmt.Errorf("membership down")}} {
		mu.Lock()
		n, err = tc.n, tc.err
		mu.Unlock()
		l.refreshNodes(context.Background())
		if got := l.nodes.Load(); got != 3 {
			t.Fatalf("nodes %d after a count of %d (%v), want the last good 3", got, tc.n, tc.err)
		}
	}
}
