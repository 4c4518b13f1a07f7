package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/httpapi"
)

// benchResult is what one bench run measured.
type benchResult struct {
	Connections  int     `json:"connections"`
	Batch        int     `json:"batch"`
	Keys         int     `json:"keys"`
	Seconds      float64 `json:"seconds"`
	Requests     int64   `json:"requests"`
	Errors       int64   `json:"errors"`
	RequestsPS   float64 `json:"requests_per_second"`
	DecisionsPS  float64 `json:"decisions_per_second"`
	P50ms        float64 `json:"p50_ms"`
	P99ms        float64 `json:"p99_ms"`
	P999ms       float64 `json:"p999_ms"`
	AllocsPerReq float64 `json:"server_allocs_per_request"`
}

// benchCode is the rate quota the bench takes tokens from: the Participant
// Service's SendMessage, throttled per instance, so each of the --keys
// instances is its own bucket.
const benchCode = "HR-PARTICIPANT-SEND-MESSAGE-RATE"

// cmdBench drives the native API over loopback with keep-alive connections
// and reports throughput, latency percentiles and the server's allocations
// per request. It needs the operator token: it creates the bench account if
// missing, raises its API rate so that decisions are allowed, and reads the
// server's allocation counters.
func cmdBench(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("bench")
	conns := fs.Int("connections", 16, "concurrent keep-alive connections")
	duration := fs.Duration("duration", 10*time.Second, "how long to measure")
	warmup := fs.Duration("warmup", 2*time.Second, "load before measuring")
	batch := fs.Int("batch", 1, "items per request")
	keys := fs.Int("keys", 10000, "distinct rate keys")
	account := fs.String("account", "999900000001", "account to enforce for")
	spread := fs.String("spread", "", "comma-separated server URLs (nodes sharing one store) to spread the connections over; default --server")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	servers := []string{g.server}
	if *spread != "" {
		servers = nil
		for _, u := range strings.Split(*spread, ",") {
			if u = strings.TrimRight(strings.TrimSpace(u), "/"); u != "" {
				servers = append(servers, u)
			}
		}
		if len(servers) == 0 {
			return usageErrorf("bench: --spread names no server")
		}
	}
	if *conns < 1 || *batch < 1 || *keys < 1 || *duration <= 0 || *warmup < 0 {
		return usageErrorf("bench: --connections, --batch and --keys must be at least 1, --duration above zero")
	}
	c := g.client()
	if _, err := c.CreateAccount(ctx, httpapi.AccountCreate{AccountID: *account}); err != nil && headroom.ErrorCodeOf(err) != headroom.ECONFLICT {
		return err
	}
	if _, err := c.SetOverride(ctx, *account, benchCode, httpapi.OverrideSet{Value: ptrFloat(1e9)}); err != nil {
		return err
	}
	transport := &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, DisableCompression: true}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport}
	load := func(d time.Duration, record bool) ([]time.Duration, int64, int64, time.Duration) {
		var mu sync.Mutex
		var all []time.Duration
		var reqs, errs int64
		var wg sync.WaitGroup
		start := time.Now()
		deadline := start.Add(d)
		for w := 0; w < *conns; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				var lat []time.Duration
				var n, bad int64
				body := make([]byte, 0, 256**batch)
				k := w * 7919
				for time.Now().Before(deadline) && ctx.Err() == nil {
					body = benchBody(body[:0], *account, &k, *batch, *keys)
					t0 := time.Now()
					ok := benchPost(ctx, hc, servers[w%len(servers)], g.token, body)
					lat = append(lat, time.Since(t0))
					n++
					if !ok {
						bad++
					}
				}
				mu.Lock()
				if record {
					all = append(all, lat...)
				}
				reqs += n
				errs += bad
				mu.Unlock()
			}(w)
		}
		wg.Wait()
		return all, reqs, errs, time.Since(start)
	}
	if *warmup > 0 {
		load(*warmup, false)
	}
	before, err := serversVars(ctx, hc, servers, g.token)
	if err != nil {
		return err
	}
	lat, reqs, errs, elapsed := load(*duration, true)
	after, err := serversVars(ctx, hc, servers, g.token)
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	res := benchResult{Connections: *conns, Batch: *batch, Keys: *keys, Seconds: elapsed.Seconds(), Requests: reqs, Errors: errs,
		RequestsPS: float64(reqs) / elapsed.Seconds(), P50ms: pct(lat, 0.50), P99ms: pct(lat, 0.99), P999ms: pct(lat, 0.999)}
	res.DecisionsPS = res.RequestsPS * float64(*batch)
	if dr := after.Requests - before.Requests; dr > 0 {
		res.AllocsPerReq = float64(after.Mallocs-before.Mallocs) / float64(dr)
	}
	return emit(g, res, []string{"CONNS", "BATCH", "REQ/S", "DECISIONS/S", "P50 MS", "P99 MS", "P99.9 MS", "ERRORS", "SERVER ALLOCS/REQ"},
		[][]string{{strconv.Itoa(res.Connections), strconv.Itoa(res.Batch), fmt.Sprintf("%.0f", res.RequestsPS), fmt.Sprintf("%.0f", res.DecisionsPS),
			fmt.Sprintf("%.2f", res.P50ms), fmt.Sprintf("%.2f", res.P99ms), fmt.Sprintf("%.2f", res.P999ms), strconv.FormatInt(res.Errors, 10),
			fmt.Sprintf("%.1f", res.AllocsPerReq)}})
}

func ptrFloat(v float64) *float64 { return &v }

// benchBody appends an enforce body of n take items over keys rate keys.
func benchBody(b []byte, account string, k *int, n, keys int) []byte {
	b = append(b, `{"items":[`...)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"op":"take","account":"`...)
		b = append(b, account...)
		b = append(b, `","code":"`+benchCode+`","scope":"instance/i-`...)
		b = strconv.AppendInt(b, int64(*k%keys), 10)
		b = append(b, `","amount":1}`...)
		*k++
	}
	return append(b, "]}"...)
}

func benchPost(ctx context.Context, hc *http.Client, server, token string, body []byte) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, server+"/v1/enforce", bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

type vars struct {
	Requests int64
	Mallocs  uint64
}

// serversVars sums the servers' request and allocation counters.
func serversVars(ctx context.Context, hc *http.Client, servers []string, token string) (vars, error) {
	var sum vars
	for _, s := range servers {
		v, err := serverVars(ctx, hc, s, token)
		if err != nil {
			return vars{}, err
		}
		sum.Requests += v.Requests
		sum.Mallocs += v.Mallocs
	}
	return sum, nil
}

// serverVars reads one server's request and allocation counters.
func serverVars(ctx context.Context, hc *http.Client, server, token string) (vars, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, server+"/debug/vars", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return vars{}, headroom.Errorf(headroom.EUNAVAILABLE, "cannot reach %s: %v", server, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return vars{}, headroom.Errorf(headroom.EFORBIDDEN, "reading %s/debug/vars: HTTP %d (bench needs the operator token)", server, resp.StatusCode)
	}
	var v struct {
		Requests int64 `json:"headroom_http_requests"`
		Mem      struct {
			Mallocs uint64 `json:"Mallocs"`
		} `json:"memstats"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return vars{}, headroom.Errorf(headroom.EINTERNAL, "decoding /debug/vars: %v", err)
	}
	return vars{Requests: v.Requests, Mallocs: v.Mem.Mallocs}, nil
}

func pct(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return float64(sorted[i]) / float64(time.Millisecond)
}
