package redis

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/storetest"
	"github.com/headroomhq/headroom/internal/tcpproxy"
	"github.com/headroomhq/headroom/internal/testsvc"
)

// proxied opens a Limiter on the machine's Redis through a proxy of its
// own, and returns both and the Limiter's log.
func proxied(t testing.TB, cfg Config) (*Limiter, *tcpproxy.Proxy, *logBuffer) {
	t.Helper()
	addr, prefix := testsvc.Redis(t)
	p, err := tcpproxy.New(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	logs := &logBuffer{}
	cfg.Addr, cfg.Prefix, cfg.Logger = p.Addr(), prefix, logs.logger()
	return open(t, cfg), p, logs
}

func TestBatchIsOneRoundTrip(t *testing.T) {
	l, p, _ := proxied(t, Config{})
	ctx := context.Background()
	lim := headroom.RateLimit{Rate: 100, Burst: 20}
	takes := make([]headroom.Take, 10)
	for i := range takes {
		takes[i] = headroom.Take{Key: headroom.UsageKey{Account: storetest.Account, Code: "HR-RATE", Scope: fmt.Sprintf("operation/Op%d", i%7)}, Limit: lim, N: 1}
	}
	res, errs := make([]headroom.RateResult, len(takes)), make([]error, len(takes))
	batch := func() {
		l.TakeBatch(ctx, takes, res, errs)
		for i, err := range errs {
			if err != nil || !res[i].Allowed {
				t.Fatalf("take %d: %+v, %v", i, res[i], err)
			}
		}
	}
	single := func() {
		if _, err := l.Take(ctx, takes[0].Key, lim, 1); err != nil {
			t.Fatal(err)
		}
	}
	batch() // the first call on a connection may set it up
	for round := 0; round < 5; round++ {
		if w := writesOf(p, batch); w != 1 {
			t.Fatalf("round %d: a batch of 10 took %d writes, want 1", round, w)
		}
	}
	if w := writesOf(p, single); w != 1 {
		t.Fatalf("a single take took %d writes, want 1", w)
	}
	if l.Mode() != ModeRedis {
		t.Fatalf("mode %v, want redis", l.Mode())
	}
}

// writesOf returns the writes that call makes through p. The client pings
// an idle connection once a second, and such a ping may fall within call:
// so a count above one is measured again, up to twice. A call that takes
// two writes takes them every time.
func writesOf(p *tcpproxy.Proxy, call func()) int64 {
	var w int64
	for try := 0; try < 3; try++ {
		before := p.Writes()
		call()
		if w = p.Writes() - before; w == 1 {
			break
		}
	}
	return w
}

// TestConcurrentTakesArePipelined: takes from many goroutines share
// writes to Redis.
func TestConcurrentTakesArePipelined(t *testing.T) {
	l, p, _ := proxied(t, Config{})
	const goroutines, each = 64, 50
	lim := headroom.RateLimit{Rate: 1e6, Burst: 1e6}
	before := p.Writes()
	var wg sync.WaitGroup
	start := make(chan struct{})
	var mu sync.Mutex
	var failed error
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			k := headroom.UsageKey{Account: storetest.Account, Code: "HR-RATE", Scope: fmt.Sprintf("operation/Op%d", g%8)}
			for i := 0; i < each; i++ {
				if _, err := l.Take(context.Background(), k, lim, 1); err != nil {
					mu.Lock()
					failed = err
					mu.Unlock()
					return
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	if failed != nil {
		t.Fatal(failed)
	}
	takes := int64(goroutines * each)
	writes := p.Writes() - before
	t.Logf("%d takes in %d writes: %.1f takes per write", takes, writes, float64(takes)/float64(writes))
	if writes >= takes/2 {
		t.Fatalf("%d takes took %d writes: not pipelined", takes, writes)
	}
}

// newCutProxy returns a proxy to addr that is cut from the start.
func newCutProxy(t testing.TB, addr string) (*tcpproxy.Proxy, error) {
	p, err := tcpproxy.New(addr)
	if err != nil {
		return nil, err
	}
	p.Cut()
	t.Cleanup(func() { p.Close() })
	return p, nil
}
