package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/httpapi"
)

// The attack's size: slow-body connections, oversized invalid batches sent
// in a loop, and how long it lasts.
const (
	attackSlowConns   = 500
	attackBatchers    = 16
	attackDuration    = 10 * time.Second
	attackBatchBytes  = 510 << 10
	attackMaxRSS      = 256 << 20
	attackMaxP99      = 50 * time.Millisecond
	attackNormalEvery = 10 * time.Millisecond
)

// TestAttack plays an outsider and a hostile tenant against the real
// headroom binary: 500 connections that send a fake-signed body one byte
// at a time, and 16 loops of 510 KB invalid batches sent with a tenant's
// service token, while a normal client measures GET /healthz and a small
// enforce call. The server's RSS stays under 256 MB, the normal client's
// p99 under 50 ms, and the heap comes back down once the attack stops.
func TestAttack(t *testing.T) {
	dir := t.TempDir()
	// HEADROOM_ATTACK_BINARY names another build to attack, such as an
	// older one, to compare; by default this tree is built.
	bin := os.Getenv("HEADROOM_ATTACK_BINARY")
	if bin == "" {
		bin = filepath.Join(dir, "headroom")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	const token = "hr_attack_operator"
	srv := exec.Command(bin, "serve", "--addr", addr, "--data", filepath.Join(dir, "data"))
	srv.Env = append(os.Environ(), "HEADROOM_ADMIN_TOKEN="+token)
	srv.Stderr = io.Discard
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	base := "http://" + addr
	waitHealthy(t, base)
	ctx := context.Background()
	op := &httpapi.Client{BaseURL: base, Token: token}
	const acct = "123456789012"
	if _, err := op.CreateAccount(ctx, httpapi.AccountCreate{AccountID: acct}); err != nil {
		t.Fatal(err)
	}
	tok, err := op.CreateToken(ctx, httpapi.TokenCreate{Name: "tenant", Role: string(headroom.RoleService), Accounts: []string{acct}})
	if err != nil {
		t.Fatal(err)
	}

	rss := func() int64 {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", srv.Process.Pid))
		if err != nil {
			return 0
		}
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				return kb << 10
			}
		}
		return 0
	}
	heap := func() int64 {
		// A GC first, so that the figure is what is live.
		req, _ := http.NewRequest("GET", base+"/debug/pprof/heap?gc=1", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		req, _ = http.NewRequest("GET", base+"/debug/vars", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v struct{ Memstats struct{ HeapInuse int64 } }
		json.NewDecoder(resp.Body).Decode(&v)
		return v.Memstats.HeapInuse
	}
	idleRSS, idleHeap := rss(), heap()
	cpu := func(pid int) time.Duration {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ is 100 on Linux
	}

	// The attackers run in a process of their own, as attackers do, so
	// that the normal client's latency is the server's and not this
	// process's scheduling.
	child := exec.Command(os.Args[0], "-test.run=^TestAttackChild$", "-test.count=1")
	child.Env = append(os.Environ(), attackEnv+"="+addr, attackTokenEnv+"="+tok.Secret)
	childOut := &lockedBuffer{}
	child.Stdout, child.Stderr = childOut, childOut
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { child.Process.Kill(); child.Wait() }()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	// The sampler.
	var peakRSS atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			if r := rss(); r > peakRSS.Load() {
				peakRSS.Store(r)
			}
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	waitFor(t, "the attackers to start", func() bool { return strings.Contains(childOut.String(), "attacking") })
	serverCPU0, attackCPU0, wall0 := cpu(srv.Process.Pid), cpu(child.Process.Pid), time.Now()
	// The normal client, on its own connections.
	normal := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}, Timeout: 10 * time.Second}
	small := fmt.Sprintf(`{"items":[{"op":"take","account":%q,"code":%q,"amount":1}]}`, acct, headroom.CodeConnectAPIRate)
	var lat []time.Duration
	failures := 0
	end := time.Now().Add(attackDuration)
	for i := 0; time.Now().Before(end); i++ {
		var req *http.Request
		if i%2 == 0 {
			req, _ = http.NewRequest("GET", base+"/healthz", nil)
		} else {
			req, _ = http.NewRequest("POST", base+"/v1/enforce", strings.NewReader(small))
			req.Header.Set("Authorization", "Bearer "+tok.Secret)
		}
		start := time.Now()
		resp, err := normal.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		lat = append(lat, time.Since(start))
		if err != nil || resp.StatusCode != http.StatusOK {
			failures++
		}
		time.Sleep(attackNormalEvery) // pacing, not an assertion
	}
	attackHeap := heap()
	wall := time.Since(wall0)
	serverCPU, attackCPU := cpu(srv.Process.Pid)-serverCPU0, cpu(child.Process.Pid)-attackCPU0
	close(stop)
	wg.Wait()
	child.Process.Signal(os.Interrupt)
	child.Wait()
	var slowConns, batches, batchRefused int64
	fmt.Sscanf(lastLine(childOut.String(), "attack:"), "attack: %d %d %d", &slowConns, &batches, &batchRefused)

	slices.Sort(lat)
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	// Memory after: the attackers are gone; the heap after a GC, and RSS
	// once the runtime has had a moment to hand pages back.
	afterHeap := heap()
	t.Logf("attack: %d slow-body connections made, %d oversized batches answered (%d refused with 400)", slowConns, batches, batchRefused)
	t.Logf("normal client: %d requests, %d failed, p50 %v, p99 %v, max %v", len(lat), failures, p50, p99, lat[len(lat)-1])
	t.Logf("CPU during the attack: server %.2f cores, attackers %.2f cores", serverCPU.Seconds()/wall.Seconds(), attackCPU.Seconds()/wall.Seconds())
	t.Logf("server RSS: idle %d MB, peak %d MB; heap in use: idle %d MB, during %d MB, after %d MB",
		idleRSS>>20, peakRSS.Load()>>20, idleHeap>>20, attackHeap>>20, afterHeap>>20)
	if peakRSS.Load() > attackMaxRSS {
		t.Errorf("server RSS peaked at %d MB, over %d MB", peakRSS.Load()>>20, attackMaxRSS>>20)
	}
	if p99 > attackMaxP99 {
		t.Errorf("normal client p99 %v, over %v", p99, attackMaxP99)
	}
	if failures > 0 {
		t.Errorf("%d of the normal client's requests failed", failures)
	}
	if afterHeap > idleHeap+32<<20 {
		t.Errorf("heap in use %d MB after the attack, %d MB before it", afterHeap>>20, idleHeap>>20)
	}
	if batchRefused == 0 || slowConns < attackSlowConns {
		t.Errorf("the attack did not run: %d batches refused, %d slow connections\n%s", batchRefused, slowConns, childOut)
	}
}

// waitHealthy polls GET /healthz until the server answers, for at most 30 s.
func waitHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server at %s never became healthy: %v", base, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Where the attack child finds the server, and the tenant token it uses.
const (
	attackEnv      = "HEADROOM_ATTACK_ADDR"
	attackTokenEnv = "HEADROOM_ATTACK_TOKEN"
)

// TestAttackChild is TestAttack's attacker process; on its own it skips.
// It attacks until interrupted, then prints what it did.
func TestAttackChild(t *testing.T) {
	addr := os.Getenv(attackEnv)
	if addr == "" {
		t.Skip("runs only as the child of TestAttack")
	}
	// Never outlive a parent that failed to stop us.
	time.AfterFunc(2*time.Minute, func() { os.Exit(3) })
	base, acct := "http://"+addr, "123456789012"
	tok := struct{ Secret string }{os.Getenv(attackTokenEnv)}
	stop := make(chan struct{})
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	go func() { <-sig; close(stop) }()
	var wg sync.WaitGroup
	var slowConns, batches, batchRefused atomic.Int64
	// The outsider: fake-signed bodies, one byte at a time, reconnecting
	// when the server hangs up.
	fakeAuth := "AWS4-HMAC-SHA256 Credential=AKIAFAKEFAKEFAKE0000/" + time.Now().UTC().Format("20060102") +
		"/us-east-1/servicequotas/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + strings.Repeat("0", 64)
	for range attackSlowConns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				conn, err := net.Dial("tcp", addr)
				if err == nil {
					slowConns.Add(1)
					fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: ServiceQuotasV20190624.ListServiceQuotas\r\n"+
						"X-Amz-Date: %s\r\nAuthorization: %s\r\nContent-Length: 1048576\r\n\r\n", addr, time.Now().UTC().Format("20060102T150405Z"), fakeAuth)
					for err == nil {
						select {
						case <-stop:
							conn.Close()
							return
						case <-time.After(200 * time.Millisecond):
						}
						_, err = conn.Write([]byte("{"))
					}
					conn.Close()
				}
				select {
				case <-stop:
					return
				case <-time.After(time.Second): // bounds the reconnect rate
				}
			}
		}()
	}
	// The hostile tenant: 510 KB batches of invalid items, in a loop.
	item := `{"op":1,"account":"` + acct + `","code":"L-9A46857E"},`
	batch := []byte(`{"items":[` + strings.Repeat(item, attackBatchBytes/len(item)) + `{}]}`)
	for range attackBatchers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{}}
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("POST", base+"/v1/enforce", strings.NewReader(string(batch)))
				req.Header.Set("Authorization", "Bearer "+tok.Secret)
				resp, err := client.Do(req)
				if err != nil {
					continue // the server hung up on the rest of the body
				}
				batches.Add(1)
				if resp.StatusCode == http.StatusBadRequest {
					batchRefused.Add(1)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	fmt.Println("attacking")
	wg.Wait()
	fmt.Printf("attack: %d %d %d\n", slowConns.Load(), batches.Load(), batchRefused.Load())
}

// lastLine returns the last line of s that starts with prefix.
func lastLine(s, prefix string) string {
	out := ""
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = l
		}
	}
	return out
}

// waitFor polls cond until it holds, failing after 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
