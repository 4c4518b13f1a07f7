package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/httpapi"
	"github.com/headroomhq/headroom/internal/ids"
	"github.com/headroomhq/headroom/internal/testsvc"
)

// cluster is several real headroom processes on loopback that share one
// PostgreSQL schema and one Redis key prefix, as a platform team runs them
// behind a load balancer.
type cluster struct {
	t     *testing.T
	bin   string
	env   []string
	nodes []*clusterNode
	http  *http.Client
}

type clusterNode struct {
	addr, dir string
	cmd       *exec.Cmd
	log       *lockedBuffer
}

const clusterToken = "hr_cluster_operator"

// buildHeadroom builds this tree's binary once per test binary.
var buildHeadroom = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "headroom-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "headroom")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// startCluster starts n nodes on one fresh PostgreSQL schema and Redis
// prefix, and waits until each is ready.
func startCluster(t *testing.T, n int) *cluster {
	t.Helper()
	pg := testsvc.Postgres(t)
	redisAddr, prefix := testsvc.Redis(t)
	bin, err := buildHeadroom()
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, bin: bin, http: &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}}
	c.env = append(os.Environ(), "HEADROOM_STORE="+pg, "HEADROOM_LIMITER=redis://"+redisAddr+"/0",
		"HEADROOM_LIMITER_PREFIX="+prefix, "HEADROOM_ADMIN_TOKEN="+clusterToken,
		"HEADROOM_SECRET_KEY="+strings.Repeat("ab", 32), "HEADROOM_LOG_LEVEL=warn")
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		node := &clusterNode{addr: l.Addr().String(), dir: t.TempDir(), log: &lockedBuffer{}}
		l.Close()
		c.nodes = append(c.nodes, node)
	}
	// All nodes start at once: they migrate the schema exactly once.
	for i := range c.nodes {
		c.start(i)
	}
	for i := range c.nodes {
		c.waitReady(i)
	}
	t.Cleanup(func() {
		for i, node := range c.nodes {
			if node.cmd != nil {
				node.cmd.Process.Signal(syscall.SIGTERM)
				node.cmd.Wait()
			}
			if t.Failed() {
				t.Logf("node %d log:\n%s", i+1, node.log.String())
			}
		}
	})
	return c
}

func (c *cluster) start(i int) {
	node := c.nodes[i]
	cmd := exec.Command(c.bin, "serve", "--addr", node.addr, "--data", node.dir)
	cmd.Env = c.env
	cmd.Stderr = node.log
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	node.cmd = cmd
}

// kill ends node i with SIGKILL: no shutdown, no flush.
func (c *cluster) kill(i int) {
	node := c.nodes[i]
	node.cmd.Process.Signal(syscall.SIGKILL)
	node.cmd.Wait()
	node.cmd = nil
}

func (c *cluster) waitReady(i int) {
	c.t.Helper()
	base := c.base(i)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := c.http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("node %d never became ready: %v\n%s", i+1, err, c.nodes[i].log.String())
		}
		time.Sleep(20 * time.Millisecond) // polling a starting process
	}
}

func (c *cluster) base(i int) string { return "http://" + c.nodes[i].addr }

// client is a native API client of node i with token.
func (c *cluster) client(i int, token string) *httpapi.Client {
	return &httpapi.Client{BaseURL: c.base(i), Token: token, HTTP: c.http}
}

// enforceOnce sends one item to node i and returns its result, or the
// transport error.
func (c *cluster) enforceOnce(ctx context.Context, i int, item httpapi.EnforceItem) (httpapi.EnforceResult, error) {
	rs, err := c.client(i, clusterToken).Enforce(ctx, []httpapi.EnforceItem{item})
	if err != nil {
		return httpapi.EnforceResult{}, err
	}
	return rs[0], nil
}

// race sends n copies of item (each with its own idempotency key, or lease
// id for acquires) spread round-robin over the nodes, all at once, and
// returns how many were allowed and the first unexpected error.
func (c *cluster) race(n int, item httpapi.EnforceItem) (allowed int, denied int, err error) {
	var wg sync.WaitGroup
	var a, d atomic.Int64
	var firstErr atomic.Pointer[error]
	start := make(chan struct{})
	for k := 0; k < n; k++ {
		it := item
		if it.Op == "acquire" {
			it.LeaseID = fmt.Sprintf("race-%d", k)
		} else {
			it.IdempotencyKey = fmt.Sprintf("race-%d", k)
		}
		wg.Add(1)
		go func(node int) {
			defer wg.Done()
			<-start
			r, err := c.enforceOnce(context.Background(), node, it)
			switch {
			case err != nil:
				firstErr.CompareAndSwap(nil, &err)
			case r.Allowed:
				a.Add(1)
			case r.Error != nil && r.Error.Code == string(headroom.EQUOTAEXCEEDED):
				d.Add(1)
			default:
				e := fmt.Errorf("unexpected result %+v", r)
				firstErr.CompareAndSwap(nil, &e)
			}
		}(k % len(c.nodes))
	}
	close(start)
	wg.Wait()
	if p := firstErr.Load(); p != nil {
		err = *p
	}
	return int(a.Load()), int(d.Load()), err
}

func newClusterAccount(t *testing.T, c *cluster, id string) httpapi.AccountCreated {
	t.Helper()
	created, err := c.client(0, clusterToken).CreateAccount(context.Background(), httpapi.AccountCreate{AccountID: id, Created: "2020-03-01"})
	if err != nil {
		t.Fatal(err)
	}
	return created
}

// TestMultiNode runs the real binary as 3 processes sharing one
// PostgreSQL database and one Redis, and checks that together they keep
// every quota as one node would.
func TestMultiNode(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 3 servers; not in -short")
	}
	c := startCluster(t, 3)
	ctx := context.Background()
	const acct = "123456789012"
	newClusterAccount(t, c, acct)
	op := c.client(0, clusterToken)

	t.Run("LastCountSlots", func(t *testing.T) {
		// 450 of the 500 users of instance i-1 are taken: 1,000 clients
		// over the 3 nodes race for the last 50.
		if _, err := op.Reconcile(ctx, acct, headroom.CodeUsers, "instance/i-1", 450); err != nil {
			t.Fatal(err)
		}
		allowed, denied, err := c.race(1000, httpapi.EnforceItem{Op: "reserve", Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1})
		if err != nil || allowed != 50 || denied != 950 {
			t.Fatalf("allowed %d, denied %d (%v); want exactly 50 and 950", allowed, denied, err)
		}
		q, err := c.client(2, clusterToken).GetQuota(ctx, acct, headroom.CodeUsers, "instance/i-1")
		if err != nil || q.Usage == nil || *q.Usage != 500 {
			t.Fatalf("usage after the race: %+v %v", q, err)
		}
	})

	t.Run("LastLeases", func(t *testing.T) {
		// 95 of the 100 concurrent chats are live: 1,000 clients race for
		// the last 5.
		items := make([]httpapi.EnforceItem, 95)
		for i := range items {
			items[i] = httpapi.EnforceItem{Op: "acquire", Account: acct, Code: headroom.CodeConcurrentChats, Scope: "instance/i-1",
				LeaseID: fmt.Sprintf("held-%d", i), TTLSeconds: 600}
		}
		rs, err := op.Enforce(ctx, items)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rs {
			if !r.Allowed {
				t.Fatalf("held lease %d: %+v", i, r)
			}
		}
		allowed, denied, err := c.race(1000, httpapi.EnforceItem{Op: "acquire", Account: acct, Code: headroom.CodeConcurrentChats,
			Scope: "instance/i-1", TTLSeconds: 600})
		if err != nil || allowed != 5 || denied != 995 {
			t.Fatalf("allowed %d, denied %d (%v); want exactly 5 and 995", allowed, denied, err)
		}
	})

	t.Run("CreateInstanceThroughConnect", func(t *testing.T) {
		// Each account may have 2 instances: 3 accounts' clients race
		// through all 3 nodes with the official SDK.
		for a := 0; a < 3; a++ {
			id := fmt.Sprintf("21098765432%d", a)
			created := newClusterAccount(t, c, id)
			// CreateInstance's rate (2/s, burst 5) would throttle the race
			// before the instance quota decides it: raise it for this account.
			if _, err := op.SetOverride(ctx, id, "HR-CONNECT-RATE-CreateInstance", httpapi.OverrideSet{Value: ptr(1000.0)}); err != nil {
				t.Fatal(err)
			}
			for i := range c.nodes {
				within(t, time.Second, fmt.Sprintf("the raised API rate to reach node %d", i+1), func() bool {
					q, err := c.client(i, clusterToken).GetQuota(ctx, id, "HR-CONNECT-RATE-CreateInstance", "")
					return err == nil && q.Value == 1000
				})
			}
			var ok, quota atomic.Int64
			var other atomic.Pointer[error]
			var wg sync.WaitGroup
			for k := 0; k < 30; k++ {
				wg.Add(1)
				go func(node int) {
					defer wg.Done()
					cl := connect.NewFromConfig(aws.Config{Region: "us-east-1", HTTPClient: c.http,
						Credentials: credentials.NewStaticCredentialsProvider(created.AccessKeyID, created.SecretAccessKey, "")},
						func(o *connect.Options) { o.BaseEndpoint = aws.String(c.base(node)); o.Retryer = aws.NopRetryer{} })
					_, err := cl.CreateInstance(ctx, &connect.CreateInstanceInput{IdentityManagementType: types.DirectoryTypeConnectManaged,
						InboundCallsEnabled: aws.Bool(true), OutboundCallsEnabled: aws.Bool(true)})
					var sq *types.ServiceQuotaExceededException
					switch {
					case err == nil:
						ok.Add(1)
					case errors.As(err, &sq):
						quota.Add(1)
					default:
						other.CompareAndSwap(nil, &err)
					}
				}(k % 3)
			}
			wg.Wait()
			if p := other.Load(); p != nil {
				t.Fatalf("account %s: %v", id, *p)
			}
			if ok.Load() != 2 || quota.Load() != 28 {
				t.Fatalf("account %s: %d instances created, %d refused; want 2 and 28", id, ok.Load(), quota.Load())
			}
		}
	})

	t.Run("RateAcrossNodes", func(t *testing.T) {
		// The Connect API rate, 2/s with a burst of 5, hammered through
		// all three nodes for 10 s, grants at most 5 + 2 × t.
		const dur = 10 * time.Second
		var granted, throttled atomic.Int64
		var other atomic.Pointer[error]
		var wg sync.WaitGroup
		start := time.Now()
		var last atomic.Int64
		for g := 0; g < 12; g++ {
			wg.Add(1)
			go func(node int) {
				defer wg.Done()
				for time.Since(start) < dur {
					r, err := c.enforceOnce(ctx, node, httpapi.EnforceItem{Op: "take", Account: acct, Code: headroom.CodeConnectAPIRate, Amount: 1})
					switch {
					case err != nil:
						other.CompareAndSwap(nil, &err)
						return
					case r.Allowed:
						granted.Add(1)
					case r.Error != nil && r.Error.Code == string(headroom.ETHROTTLED):
						throttled.Add(1)
					default:
						e := fmt.Errorf("unexpected %+v", r)
						other.CompareAndSwap(nil, &e)
						return
					}
					for now := int64(time.Since(start)); ; {
						if l := last.Load(); now <= l || last.CompareAndSwap(l, now) {
							break
						}
					}
				}
			}(g % 3)
		}
		wg.Wait()
		if p := other.Load(); p != nil {
			t.Fatal(*p)
		}
		elapsed := time.Duration(last.Load()).Seconds()
		bound := 5 + 2*elapsed
		t.Logf("granted %d, throttled %d in %.2fs; bound %.1f", granted.Load(), throttled.Load(), elapsed, bound)
		if float64(granted.Load()) > bound {
			t.Fatalf("granted %d in %.2fs, over 5 + 2 × t = %.1f", granted.Load(), elapsed, bound)
		}
		// The bucket is shared, not starved: it refills at its rate.
		if float64(granted.Load()) < 2*(elapsed-1) {
			t.Fatalf("granted only %d in %.2fs", granted.Load(), elapsed)
		}
		if throttled.Load() == 0 {
			t.Fatal("nothing was throttled")
		}
	})

	t.Run("ChangesReachEveryNode", func(t *testing.T) {
		// An override set on node 1 applies to decisions on node 3 within
		// one second.
		if _, err := op.SetOverride(ctx, acct, headroom.CodeUsers, httpapi.OverrideSet{Scope: "instance/i-1", Value: ptr(700.0)}); err != nil {
			t.Fatal(err)
		}
		within(t, time.Second, "the override to reach node 3", func() bool {
			r, err := c.enforceOnce(ctx, 2, httpapi.EnforceItem{Op: "reserve", Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1",
				Amount: 1, IdempotencyKey: "after-override"})
			return err == nil && r.Allowed
		})
		// A token deleted through node 2 is refused on every node within
		// one second.
		tok, err := op.CreateToken(ctx, httpapi.TokenCreate{Name: "tenant", Role: string(headroom.RoleService), Accounts: []string{acct}})
		if err != nil {
			t.Fatal(err)
		}
		for i := range c.nodes {
			i := i
			within(t, time.Second, fmt.Sprintf("the new token to work on node %d", i+1), func() bool {
				_, err := c.client(i, tok.Secret).ListQuotas(ctx, acct, "connect", "")
				return err == nil
			})
		}
		if err := c.client(1, clusterToken).DeleteToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		for i := range c.nodes {
			i := i
			within(t, time.Second, fmt.Sprintf("the deleted token to be refused on node %d", i+1), func() bool {
				_, err := c.client(i, tok.Secret).ListQuotas(ctx, acct, "connect", "")
				return headroom.ErrorCodeOf(err) == headroom.EUNAUTHENTICATED
			})
		}
	})
}

// within polls cond until it holds, failing if it does not within d.
func within(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s took more than %v", what, d)
		}
		time.Sleep(10 * time.Millisecond) // polling; the deadline is the assertion
	}
}

// TestMultiNodeKill kills one of 3 nodes with SIGKILL under load, 10 times.
// Clients retry an unanswered reservation on another node with the same
// idempotency key. Afterwards every acknowledged reservation is in
// PostgreSQL, and none is counted twice.
func TestMultiNodeKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 3 servers; not in -short")
	}
	c := startCluster(t, 3)
	ctx := context.Background()
	const acct = "123456789012"
	newClusterAccount(t, c, acct)
	op := c.client(0, clusterToken)
	if _, err := op.SetOverride(ctx, acct, headroom.CodeUsers, httpapi.OverrideSet{Scope: "instance/i-1", Value: ptr(1e6)}); err != nil {
		t.Fatal(err)
	}
	var acked sync.Map // idempotency key → true once a node answered allowed
	var stop atomic.Bool
	var wg sync.WaitGroup
	var unexpected atomic.Pointer[error]
	run := ids.Random(4)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for n := 0; !stop.Load(); n++ {
				key := fmt.Sprintf("%s-%d-%d", run, g, n)
				item := httpapi.EnforceItem{Op: "reserve", Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1, IdempotencyKey: key}
				// Retry on the next node until some node answers.
				for try, node := 0, (g+n)%3; ; try, node = try+1, (node+1)%3 {
					r, err := c.enforceOnce(ctx, node, item)
					if err == nil && r.Allowed {
						acked.Store(key, true)
						break
					}
					if err == nil && r.Error != nil && r.Error.Code != string(headroom.EUNAVAILABLE) {
						e := fmt.Errorf("key %s on node %d: %+v", key, node+1, r.Error)
						unexpected.CompareAndSwap(nil, &e)
						return
					}
					if try > 200 {
						e := fmt.Errorf("key %s never answered: %v", key, err)
						unexpected.CompareAndSwap(nil, &e)
						return
					}
					if try >= 2 {
						time.Sleep(20 * time.Millisecond) // back off while the cluster has a node down
					}
				}
			}
		}(g)
	}
	for round := 0; round < 10; round++ {
		victim := round % 3
		// Let load run against all three, then kill one mid-flight.
		time.Sleep(300 * time.Millisecond) // the load's duration between kills, not a synchronisation
		c.kill(victim)
		time.Sleep(200 * time.Millisecond) // load runs on two nodes meanwhile
		c.start(victim)
		c.waitReady(victim)
	}
	stop.Store(true)
	wg.Wait()
	if p := unexpected.Load(); p != nil {
		t.Fatal(*p)
	}
	n := 0
	acked.Range(func(any, any) bool { n++; return true })
	q, err := c.client(1, clusterToken).GetQuota(ctx, acct, headroom.CodeUsers, "instance/i-1")
	if err != nil || q.Usage == nil {
		t.Fatalf("usage: %+v %v", q, err)
	}
	t.Logf("%d reservations acknowledged across 10 kills", n)
	if n == 0 {
		t.Fatal("no reservation was acknowledged")
	}
	if *q.Usage != int64(n) {
		t.Fatalf("usage %d after %d acknowledged reservations: each must count exactly once", *q.Usage, n)
	}
	// Each acknowledged key is recorded: sent again, it replays and
	// changes nothing.
	checked := 0
	acked.Range(func(k, _ any) bool {
		item := httpapi.EnforceItem{Op: "reserve", Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1, IdempotencyKey: k.(string)}
		r, err := c.enforceOnce(ctx, checked%3, item)
		if err != nil || !r.Allowed || !r.Replayed {
			t.Fatalf("acknowledged key %s sent again: %+v %v; want a replay", k, r, err)
		}
		checked++
		return checked < 300
	})
	if q, err := c.client(0, clusterToken).GetQuota(ctx, acct, headroom.CodeUsers, "instance/i-1"); err != nil || *q.Usage != int64(n) {
		t.Fatalf("usage after the replays: %+v %v; want %d", q, err, n)
	}
}

func ptr[T any](v T) *T { return &v }
