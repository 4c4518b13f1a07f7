// Command rlsload drives an Envoy rate-limit service
// (envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit) with a
// fixed number of gRPC connections and reports what the server sustained.
//
// Each of -conns connections is its own grpc.ClientConn (its own TCP
// connection); -concurrency workers per connection each keep one call in
// flight. A request carries -descriptors descriptors of one entry each,
// key -key with a value u<n>, n drawn uniformly from [0, -values), so the
// server sees -values distinct counters. After -warmup the load runs for
// -duration and rlsload prints decisions/s (descriptor statuses answered),
// requests/s, latency percentiles, the OK and OVER_LIMIT counts, and, with
// -pid, the server's CPU time per decision read from /proc/<pid>/stat
// (utime+stime; several pids separated by commas are summed, e.g. a service
// and its Redis).
//
//	rlsload -addr 127.0.0.1:8081 -domain bench -conns 16 -descriptors 10 -pid 1234
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	ratelimitv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/common/ratelimit/v3"
	rlsv3 "github.com/envoyproxy/go-control-plane/envoy/service/ratelimit/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// result is what one run measured; -json prints it as is.
type result struct {
	Addr          string  `json:"addr"`
	Conns         int     `json:"conns"`
	Concurrency   int     `json:"concurrency"`
	Descriptors   int     `json:"descriptors"`
	Seconds       float64 `json:"seconds"`
	Requests      int64   `json:"requests"`
	Errors        int64   `json:"errors"`
	OK            int64   `json:"ok"`
	OverLimit     int64   `json:"over_limit"`
	DecisionsPerS float64 `json:"decisions_per_second"`
	RequestsPerS  float64 `json:"requests_per_second"`
	P50Ms         float64 `json:"p50_ms"`
	P99Ms         float64 `json:"p99_ms"`
	P999Ms        float64 `json:"p999_ms"`
	// CPUMicrosPerDecision is the server's CPU time (all -pid processes)
	// per decision; 0 without -pid.
	CPUMicrosPerDecision float64 `json:"cpu_us_per_decision"`
	// ServerCores is the server's CPU time over wall time.
	ServerCores float64 `json:"server_cores"`
	// ClientCores is rlsload's own CPU time over wall time: near the
	// cores it may use, the load generator, not the server, is the limit.
	ClientCores float64 `json:"client_cores"`
	FirstError  string  `json:"first_error,omitempty"`
}

// worker is one call in flight; its counters are read only after the run.
type worker struct {
	requests, errors, ok, over int64
	lat                        []time.Duration
	firstErr                   error
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "server address, HOST:PORT")
	conns := flag.Int("conns", 16, "gRPC connections, each its own TCP connection")
	concurrency := flag.Int("concurrency", 1, "calls in flight per connection")
	descriptors := flag.Int("descriptors", 1, "descriptors per request")
	values := flag.Int("values", 10000, "distinct descriptor values")
	domain := flag.String("domain", "bench", "rate-limit domain")
	key := flag.String("key", "user", "descriptor entry key")
	duration := flag.Duration("duration", 5*time.Second, "measured time")
	warmup := flag.Duration("warmup", time.Second, "load before measuring")
	pids := flag.String("pid", "", "server pid(s), comma-separated, for CPU per decision")
	asJSON := flag.Bool("json", false, "print the result as one JSON object")
	flag.Parse()
	if *conns < 1 || *concurrency < 1 || *descriptors < 1 || *values < 1 || *duration <= 0 {
		fmt.Fprintln(os.Stderr, "rlsload: -conns, -concurrency, -descriptors, -values and -duration must be positive")
		os.Exit(2)
	}
	res, err := run(*addr, *conns, *concurrency, *descriptors, *values, *domain, *key, *duration, *warmup, *pids)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rlsload:", err)
		os.Exit(1)
	}
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(res)
	} else {
		fmt.Printf("conns=%d x%d descriptors=%d  %.0f decisions/s  %.0f req/s  p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  ok %d  over_limit %d  errors %d",
			res.Conns, res.Concurrency, res.Descriptors, res.DecisionsPerS, res.RequestsPerS,
			res.P50Ms, res.P99Ms, res.P999Ms, res.OK, res.OverLimit, res.Errors)
		if *pids != "" {
			fmt.Printf("  server %.1f µs/decision (%.2f cores)", res.CPUMicrosPerDecision, res.ServerCores)
		}
		fmt.Printf("  client %.2f cores", res.ClientCores)
		fmt.Println()
		if res.FirstError != "" {
			fmt.Println("first error:", res.FirstError)
		}
	}
	if res.Requests == 0 || res.Errors > 0 {
		os.Exit(1)
	}
}

func run(addr string, conns, concurrency, descriptors, values int, domain, key string,
	duration, warmup time.Duration, pids string) (*result, error) {
	names := make([]string, values)
	for i := range names {
		names[i] = "u" + strconv.Itoa(i)
	}
	clients := make([]rlsv3.RateLimitServiceClient, conns)
	for i := range clients {
		cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return nil, err
		}
		defer cc.Close()
		cc.Connect()
		clients[i] = rlsv3.NewRateLimitServiceClient(cc)
	}

	var measuring atomic.Bool
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	workers := make([]*worker, conns*concurrency)
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{lat: make([]time.Duration, 0, 1<<16)}
		workers[i] = w
		client := clients[i%conns]
		rng := rand.New(rand.NewPCG(uint64(i), 0x5eed))
		wg.Go(func() { w.loop(ctx, client, rng, &measuring, names, domain, key, descriptors) })
	}

	time.Sleep(warmup)
	cpu0, err := cpuTicks(pids)
	if err != nil {
		return nil, err
	}
	self0 := selfCPU()
	measuring.Store(true)
	start := time.Now()
	time.Sleep(duration)
	measuring.Store(false)
	elapsed := time.Since(start)
	self1 := selfCPU()
	cpu1, err := cpuTicks(pids)
	if err != nil {
		return nil, err
	}
	cancel()
	wg.Wait()

	res := &result{Addr: addr, Conns: conns, Concurrency: concurrency, Descriptors: descriptors, Seconds: elapsed.Seconds(),
		ClientCores: (self1 - self0).Seconds() / elapsed.Seconds()}
	var lat []time.Duration
	for _, w := range workers {
		res.Requests += w.requests
		res.Errors += w.errors
		res.OK += w.ok
		res.OverLimit += w.over
		lat = append(lat, w.lat...)
		if w.firstErr != nil && res.FirstError == "" {
			res.FirstError = w.firstErr.Error()
		}
	}
	decisions := res.OK + res.OverLimit
	res.DecisionsPerS = float64(decisions) / elapsed.Seconds()
	res.RequestsPerS = float64(res.Requests) / elapsed.Seconds()
	slices.Sort(lat)
	res.P50Ms, res.P99Ms, res.P999Ms = pct(lat, 0.50), pct(lat, 0.99), pct(lat, 0.999)
	if pids != "" && decisions > 0 {
		cpu := float64(cpu1-cpu0) / clockTicks // seconds
		res.CPUMicrosPerDecision = cpu * 1e6 / float64(decisions)
		res.ServerCores = cpu / elapsed.Seconds()
	}
	return res, nil
}

// loop sends requests until ctx ends, counting those that complete while
// measuring is set.
func (w *worker) loop(ctx context.Context, client rlsv3.RateLimitServiceClient, rng *rand.Rand,
	measuring *atomic.Bool, names []string, domain, key string, n int) {
	entries := make([]ratelimitv3.RateLimitDescriptor_Entry, n)
	req := &rlsv3.RateLimitRequest{Domain: domain, Descriptors: make([]*ratelimitv3.RateLimitDescriptor, n)}
	for i := range req.Descriptors {
		entries[i].Key = key
		req.Descriptors[i] = &ratelimitv3.RateLimitDescriptor{Entries: []*ratelimitv3.RateLimitDescriptor_Entry{&entries[i]}}
	}
	for ctx.Err() == nil {
		for i := range entries {
			entries[i].Value = names[rng.IntN(len(names))]
		}
		t0 := time.Now()
		resp, err := client.ShouldRateLimit(ctx, req)
		took := time.Since(t0)
		if !measuring.Load() {
			continue
		}
		w.requests++
		if err != nil {
			w.errors++
			if w.firstErr == nil {
				w.firstErr = err
			}
			continue
		}
		if len(resp.Statuses) != n {
			w.errors++
			if w.firstErr == nil {
				w.firstErr = errors.New("answer has " + strconv.Itoa(len(resp.Statuses)) + " statuses for " + strconv.Itoa(n) + " descriptors")
			}
			continue
		}
		w.lat = append(w.lat, took)
		for _, s := range resp.Statuses {
			switch s.Code {
			case rlsv3.RateLimitResponse_OK:
				w.ok++
			case rlsv3.RateLimitResponse_OVER_LIMIT:
				w.over++
			}
		}
	}
}

// selfCPU returns this process's user and system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func pct(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return float64(sorted[int(p*float64(len(sorted)-1))]) / 1e6
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's times: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// cpuTicks returns the summed utime+stime of the comma-separated pids.
func cpuTicks(pids string) (int64, error) {
	if pids == "" {
		return 0, nil
	}
	var total int64
	for pid := range strings.SplitSeq(pids, ",") {
		b, err := os.ReadFile("/proc/" + strings.TrimSpace(pid) + "/stat")
		if err != nil {
			return 0, err
		}
		// Fields after the command name, which is in parentheses and may
		// hold spaces: state is field 3, utime 14 and stime 15.
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 13 {
			return 0, fmt.Errorf("/proc/%s/stat: too few fields", pid)
		}
		for _, x := range f[11:13] {
			v, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%s/stat: %v", pid, err)
			}
			total += v
		}
	}
	return total, nil
}
