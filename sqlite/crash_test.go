package sqlite_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/sqlite"
)

// The crash test runs the test binary again as a child (TestCrashChild),
// which puts load on a store until the parent kills it with SIGKILL; then
// the parent opens the store and checks that every acknowledged change is
// there, once.
//
// The child logs each operation twice to a file it fsyncs: an intent line
// ("I id kind args") before calling the store, and an ack line ("A id")
// after the store acknowledged it. An operation with an ack must have
// landed; one with only an intent may or may not have; one without an
// intent never ran.
//
// Resource creates hold a slot of crashSlot; deletes free it. After each
// crash the slot's usage must equal the number of resources stored.
const (
	crashEnv      = "HEADROOM_CRASH_CHILD"
	crashCycleEnv = "HEADROOM_CRASH_CYCLE"
	crashNoGroup  = "HEADROOM_CRASH_NO_GROUP_COMMIT"
	crashReady    = "HEADROOM-CRASH-CHILD-READY"
)

var (
	crashCount = headroom.UsageKey{Account: acct, Code: "L-U", Scope: "account"}
	crashLease = headroom.UsageKey{Account: acct, Code: "L-C", Scope: "instance/i-1"}
	crashSlot  = headroom.UsageKey{Account: acct, Code: "L-USERS", Scope: "instance/i-1"}
)

// crashKind is the kind of the resources the crash test creates.
const crashKind = "connect:user"

// crashResource is the resource the crash child creates for operation id.
func crashResource(id string, now time.Time) headroom.Resource {
	return headroom.Resource{Account: acct, Kind: crashKind, ID: id, Parent: "i-1", Name: "user-" + id,
		Data: []byte(`{"Id":"` + id + `"}`), Created: now, Updated: now}
}

func crashDB(dir string) string { return filepath.Join(dir, "headroom.db") }

func crashLog(dir string, cycle int) string {
	return filepath.Join(dir, fmt.Sprintf("log-%03d.txt", cycle))
}

// TestCrashChild is the child of TestCrashRecovery; on its own it skips.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("runs only as the child of TestCrashRecovery")
	}
	cycle, _ := strconv.Atoi(os.Getenv(crashCycleEnv))
	// Never outlive a parent that failed to kill us.
	time.AfterFunc(30*time.Second, func() { os.Exit(3) })
	ctx := context.Background()
	s, err := sqlite.Open(ctx, sqlite.Config{Path: crashDB(dir), NoGroupCommit: os.Getenv(crashNoGroup) != ""})
	if err != nil {
		t.Fatalf("child Open: %v", err)
	}
	f, err := os.OpenFile(crashLog(dir, cycle), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	log := newGroupLog(f)
	fmt.Fprintln(os.Stdout, crashReady)
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			crashWorker(ctx, s, log, fmt.Sprintf("c%d-g%d", cycle, g))
		}(g)
	}
	wg.Wait() // never returns: the parent kills the process
}

// crashWorker runs operations until the process dies.
func crashWorker(ctx context.Context, s *sqlite.Store, log *groupLog, prefix string) {
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(len(prefix))))
	var balance int64 // units this worker reserved (acked) and has not released
	var mine []string // resources this worker created (acked) and has not deleted
	for i := 0; ; i++ {
		id := fmt.Sprintf("%s-%d", prefix, i)
		var intent string
		var call func() (bool, error)
		switch p := rng.IntN(100); {
		case p < 35:
			amount := int64(1 + rng.IntN(3))
			intent = fmt.Sprintf("reserve %d", amount)
			call = func() (bool, error) {
				r, err := s.Reserve(ctx, headroom.CountChange{Key: crashCount, Amount: amount, Limit: math.MaxInt32, IdempotencyKey: id, Now: time.Now()})
				if r.Applied {
					balance += amount
				}
				return r.Applied, err
			}
		case p < 48 && balance > 0:
			// Release only what this worker holds, so usage never
			// reaches the floor at zero and the arithmetic is exact.
			balance--
			intent = "release 1"
			call = func() (bool, error) {
				r, err := s.Release(ctx, headroom.CountChange{Key: crashCount, Amount: 1, IdempotencyKey: id, Now: time.Now()})
				return r.Applied, err
			}
		case p < 63:
			now := time.Now()
			expires := now.Add(time.Hour)
			intent = fmt.Sprintf("lease %d", expires.UnixNano())
			call = func() (bool, error) {
				r, err := s.AcquireLease(ctx, headroom.LeaseChange{Key: crashLease, LeaseID: id, Limit: math.MaxInt32, Now: now, Expires: expires})
				return r.Applied, err
			}
		case p < 73:
			intent = "request"
			call = func() (bool, error) {
				now := time.Now()
				r := headroom.ChangeRequest{ID: id, Type: headroom.RequestIncrease, Account: acct, Code: "L-" + id, Scope: headroom.ScopeAccount,
					DesiredValue: 10, Status: headroom.StatusPending, Requester: "crash", Created: now, LastUpdated: now}
				err := s.CreateChangeRequest(ctx, r, math.MaxInt32, headroom.AuditEntry{Time: now, Account: acct, Action: "request.create", Detail: id})
				return err == nil, err
			}
		case p < 85:
			intent = "resource"
			call = func() (bool, error) {
				now := time.Now()
				res, err := s.CreateResource(ctx, crashResource(id, now), headroom.SlotChange{Hold: &headroom.CountChange{Key: crashSlot, Amount: 1, Limit: math.MaxInt32, Now: now}}, nil,
					headroom.AuditEntry{Time: now, Account: acct, Action: "resource.create", Detail: id})
				if res.Applied {
					mine = append(mine, id)
				}
				return res.Applied, err
			}
		case p < 90 && len(mine) > 0:
			// Delete only what this worker created and saw acknowledged.
			j := rng.IntN(len(mine))
			target := mine[j]
			mine[j] = mine[len(mine)-1]
			mine = mine[:len(mine)-1]
			intent = "unresource " + target
			call = func() (bool, error) {
				now := time.Now()
				err := s.DeleteResource(ctx, acct, crashKind, target, headroom.SlotChange{Free: &headroom.CountChange{Key: crashSlot, Amount: 1, Now: now}},
					headroom.AuditEntry{Time: now, Account: acct, Action: "resource.delete", Detail: target})
				return err == nil, err
			}
		default:
			intent = "audit"
			call = func() (bool, error) {
				err := s.AppendAudit(ctx, headroom.AuditEntry{Time: time.Now(), Account: acct, Action: "crash.audit", Detail: id})
				return err == nil, err
			}
		}
		// The parent fails on anything the child writes to stderr; the
		// testing package's own output would be lost in the kill.
		if err := log.put("I " + id + " " + intent); err != nil {
			fmt.Fprintf(os.Stderr, "child: log: %v\n", err)
			return
		}
		ok, err := call()
		if err != nil || !ok {
			fmt.Fprintf(os.Stderr, "child: %s %s: applied %v, %v\n", id, intent, ok, err)
			return
		}
		if err := log.put("A " + id); err != nil {
			fmt.Fprintf(os.Stderr, "child: log: %v\n", err)
			return
		}
	}
}

// groupLog appends lines to a file and fsyncs them, many callers' lines per
// fsync. put returns once its line is on disk.
type groupLog struct {
	f    *os.File
	reqs chan logReq
}

type logReq struct {
	line string
	done chan error
}

func newGroupLog(f *os.File) *groupLog {
	l := &groupLog{f: f, reqs: make(chan logReq, 64)}
	go l.run()
	return l
}

func (l *groupLog) put(line string) error {
	done := make(chan error, 1)
	l.reqs <- logReq{line: line, done: done}
	return <-done
}

func (l *groupLog) run() {
	var buf bytes.Buffer
	for r := range l.reqs {
		batch := []logReq{r}
	drain:
		for {
			select {
			case r := <-l.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		buf.Reset()
		for _, r := range batch {
			buf.WriteString(r.line)
			buf.WriteByte('\n')
		}
		_, err := l.f.Write(buf.Bytes())
		if err == nil {
			err = l.f.Sync()
		}
		for _, r := range batch {
			r.done <- err
		}
	}
}

// crashOp is one logged operation.
type crashOp struct {
	id     string
	kind   string
	amount int64  // reserve, release
	exp    int64  // lease deadline, unix nanoseconds
	target string // unresource: the resource deleted
	acked  bool
}

// readCrashLog parses a child's log. A line cut short by the kill (the text
// after the last newline) is ignored: its operation never started, or is
// not acknowledged.
func readCrashLog(t *testing.T, path string) []*crashOp {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	lines = lines[:len(lines)-1]
	byID := map[string]*crashOp{}
	var ops []*crashOp
	for _, line := range lines {
		f := strings.Fields(line)
		switch {
		case len(f) >= 3 && f[0] == "I":
			op := &crashOp{id: f[1], kind: f[2]}
			if len(f) == 4 && op.kind == "unresource" {
				op.target = f[3]
			} else if len(f) == 4 {
				n, err := strconv.ParseInt(f[3], 10, 64)
				if err != nil {
					t.Fatalf("bad log line %q", line)
				}
				op.amount, op.exp = n, n
			}
			if byID[op.id] != nil {
				t.Fatalf("log has two intents for %s", op.id)
			}
			byID[op.id] = op
			ops = append(ops, op)
		case len(f) == 2 && f[0] == "A":
			op := byID[f[1]]
			if op == nil {
				t.Fatalf("log acknowledges %s without an intent", f[1])
			}
			op.acked = true
		default:
			t.Fatalf("bad log line %q", line)
		}
	}
	return ops
}

// crashModel is what the store must hold, accumulated over the cycles.
type crashModel struct {
	usage    int64
	leases   map[string]int64 // lease id → deadline
	requests map[string]bool
	audits   map[string]bool
	// resources are the ids of the resources stored.
	resources map[string]bool
}

func TestCrashRecovery(t *testing.T) {
	if os.Getenv(crashEnv) != "" {
		t.Skip("this is the child")
	}
	cycles := 20
	if testing.Short() {
		cycles = 5
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	dir := t.TempDir()
	ctx := context.Background()
	s := mustOpen(t, crashDB(dir))
	must(t, s.CreateAccount(ctx, headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{}))
	must(t, s.Close())
	m := &crashModel{leases: map[string]int64{}, requests: map[string]bool{}, audits: map[string]bool{}, resources: map[string]bool{}}
	start := time.Now()
	total, unacked := 0, 0
	for c := 0; c < cycles; c++ {
		killAfter := time.Duration(50+rng.IntN(351)) * time.Millisecond
		runCrashChild(t, dir, c, killAfter)
		ops := readCrashLog(t, crashLog(dir, c))
		for _, op := range ops {
			if !op.acked {
				unacked++
			}
		}
		total += len(ops)
		checkAfterCrash(t, dir, c, ops, m)
	}
	t.Logf("%d cycles, %d operations logged (%d unacknowledged at a kill), usage %d, %d leases, %d requests, %d resources, %d audit entries, in %v",
		cycles, total, unacked, m.usage, len(m.leases), len(m.requests), len(m.resources), len(m.audits), time.Since(start).Round(time.Millisecond))
	if total == 0 {
		t.Fatal("the children ran no operations")
	}
}

// runCrashChild starts the child for cycle c, lets it run for killAfter
// from the moment it reports ready, and kills it with SIGKILL.
func runCrashChild(t *testing.T, dir string, c int, killAfter time.Duration) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir, crashCycleEnv+"="+strconv.Itoa(c))
	if c%2 == 1 {
		cmd.Env = append(cmd.Env, crashNoGroup+"=1") // odd cycles without group commit
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	output := make(chan string, 1)
	go func() {
		var out strings.Builder
		sc := bufio.NewScanner(stdout)
		seen := false
		for sc.Scan() {
			if !seen && sc.Text() == crashReady {
				seen = true
				close(ready)
				continue
			}
			out.WriteString(sc.Text() + "\n")
		}
		output <- out.String()
	}()
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("cycle %d: child not ready after 60s; stderr:\n%s", c, stderr.String())
	case out := <-output:
		cmd.Wait()
		t.Fatalf("cycle %d: child ended before it was ready:\n%s%s", c, out, stderr.String())
	}
	time.Sleep(killAfter) // chooses the moment of the kill; correctness does not depend on it
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("cycle %d: kill: %v", c, err)
	}
	err = cmd.Wait()
	out := <-output
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("cycle %d: child was not killed but ended (%v):\n%s%s", c, err, out, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Fatalf("cycle %d: child reported:\n%s", c, stderr.String())
	}
}

// checkAfterCrash opens the store the child left and checks it against the
// log and the model; then it retries every logged operation, which must
// count once, and moves the model on.
func checkAfterCrash(t *testing.T, dir string, c int, ops []*crashOp, m *crashModel) {
	t.Helper()
	ctx := context.Background()
	s := mustOpen(t, crashDB(dir))
	defer s.Close()

	n0, err := s.CountUsage(ctx, crashCount)
	must(t, err)
	// Retry every reserve and release with its idempotency key. An acked
	// one must replay; an unacked one replays if it had landed.
	var acked, landed, all int64
	var mu sync.Mutex
	parallel(t, len(ops), func(i int) error {
		op := ops[i]
		var r headroom.CountResult
		var err error
		sign := int64(1)
		switch op.kind {
		case "reserve":
			r, err = s.Reserve(ctx, headroom.CountChange{Key: crashCount, Amount: op.amount, Limit: math.MaxInt32, IdempotencyKey: op.id, Now: time.Now()})
		case "release":
			sign = -1
			r, err = s.Release(ctx, headroom.CountChange{Key: crashCount, Amount: op.amount, IdempotencyKey: op.id, Now: time.Now()})
		default:
			return nil
		}
		if err != nil || !r.Applied {
			return fmt.Errorf("cycle %d: retry of %s %s: %+v, %v", c, op.kind, op.id, r, err)
		}
		if op.acked && !r.Replayed {
			return fmt.Errorf("cycle %d: acknowledged %s %s was lost in the crash", c, op.kind, op.id)
		}
		mu.Lock()
		defer mu.Unlock()
		all += sign * op.amount
		switch {
		case op.acked:
			acked += sign * op.amount
		case r.Replayed:
			landed += sign * op.amount
		}
		return nil
	})
	if want := m.usage + acked + landed; n0 != want {
		t.Fatalf("cycle %d: usage after the crash = %d, want %d (%d before, %+d acknowledged, %+d landed unacknowledged)", c, n0, want, m.usage, acked, landed)
	}
	m.usage += all
	if n, _ := s.CountUsage(ctx, crashCount); n != m.usage {
		t.Fatalf("cycle %d: usage after retries = %d, want %d: a retry counted twice or not at all", c, n, m.usage)
	}

	// Leases: an acked one is live with its deadline; re-acquiring any
	// logged one leaves it live with the deadline it was asked for.
	parallel(t, len(ops), func(i int) error {
		op := ops[i]
		if op.kind != "lease" {
			return nil
		}
		exp := time.Unix(0, op.exp)
		r, err := s.AcquireLease(ctx, headroom.LeaseChange{Key: crashLease, LeaseID: op.id, Limit: math.MaxInt32, Now: time.Now(), Expires: exp})
		if err != nil || !r.Applied {
			return fmt.Errorf("cycle %d: re-acquire of lease %s: %+v, %v", c, op.id, r, err)
		}
		if op.acked && !r.Replayed {
			return fmt.Errorf("cycle %d: acknowledged lease %s was lost in the crash", c, op.id)
		}
		if !r.Expires.Equal(exp) {
			return fmt.Errorf("cycle %d: lease %s expires %v, want %v", c, op.id, r.Expires, exp.UTC())
		}
		return nil
	})
	for _, op := range ops {
		if op.kind == "lease" {
			m.leases[op.id] = op.exp
		}
	}
	if n, err := s.LeaseUsage(ctx, crashLease, time.Now()); err != nil || n != int64(len(m.leases)) {
		t.Fatalf("cycle %d: live leases = %d, %v; want %d", c, n, err, len(m.leases))
	}

	// Change requests and audit entries: every acked one is there, each
	// request together with its audit entry, nothing twice.
	details := map[string]int{}
	for after := int64(0); ; {
		page, err := s.ListAudit(ctx, headroom.AuditFilter{AfterID: after, Limit: 1000})
		must(t, err)
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			details[e.Action+" "+e.Detail]++
		}
		after = page[len(page)-1].ID
	}
	for k, n := range details {
		if n != 1 {
			t.Fatalf("cycle %d: audit entry %q appears %d times", c, k, n)
		}
	}
	for _, op := range ops {
		switch op.kind {
		case "request":
			_, err := s.FindChangeRequest(ctx, op.id)
			found := err == nil
			if !found && headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
				t.Fatal(err)
			}
			if op.acked && !found {
				t.Fatalf("cycle %d: acknowledged change request %s was lost in the crash", c, op.id)
			}
			if found != (details["request.create "+op.id] == 1) {
				t.Fatalf("cycle %d: change request %s found %v but its audit entry found %v", c, op.id, found, !found)
			}
			if found {
				m.requests[op.id] = true
			}
		case "audit":
			found := details["crash.audit "+op.id] == 1
			if op.acked && !found {
				t.Fatalf("cycle %d: acknowledged audit entry %s was lost in the crash", c, op.id)
			}
			if found {
				m.audits[op.id] = true
			}
		}
	}
	for id := range m.audits {
		if details["crash.audit "+id] != 1 {
			t.Fatalf("cycle %d: audit entry %s of an earlier cycle is gone", c, id)
		}
	}
	for id := range m.requests {
		if details["request.create "+id] != 1 {
			t.Fatalf("cycle %d: change request %s of an earlier cycle lost its audit entry", c, id)
		}
	}
	reqs, err := s.ListChangeRequests(ctx, headroom.ChangeRequestFilter{Account: acct, Limit: 1 << 20})
	if err != nil || len(reqs) != len(m.requests) {
		t.Fatalf("cycle %d: %d change requests, %v; want %d", c, len(reqs), err, len(m.requests))
	}
	checkResourcesAfterCrash(t, s, c, ops, m, details)
}

// checkResourcesAfterCrash checks the resources against the log and the
// model: every acknowledged create is there unless its delete was logged,
// every acknowledged delete is gone, nothing appears from nowhere, each
// landed create or delete has its audit entry, and the slot the resources
// hold counts each stored resource exactly once. It moves the model on.
func checkResourcesAfterCrash(t *testing.T, s *sqlite.Store, c int, ops []*crashOp, m *crashModel, details map[string]int) {
	t.Helper()
	ctx := context.Background()
	stored := map[string]bool{}
	f := headroom.ResourceFilter{Account: acct, Kind: crashKind, Parent: "i-1", Limit: 1000}
	for {
		page, err := s.ListResources(ctx, f)
		must(t, err)
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			if stored[r.ID] {
				t.Fatalf("cycle %d: resource %s listed twice", c, r.ID)
			}
			stored[r.ID] = true
			if want := crashResource(r.ID, r.Created); r.Name != want.Name || string(r.Data) != string(want.Data) {
				t.Fatalf("cycle %d: resource %s = %+v, want name %s and data %s", c, r.ID, r, want.Name, want.Data)
			}
		}
		f.AfterID = page[len(page)-1].ID
	}
	deleted := map[string]*crashOp{} // resource id → the op that deleted it
	created := map[string]bool{}     // this cycle's creates
	for _, op := range ops {
		switch op.kind {
		case "unresource":
			deleted[op.target] = op
		case "resource":
			created[op.id] = true
		}
	}
	for _, op := range ops {
		switch op.kind {
		case "resource":
			if op.acked && deleted[op.id] == nil && !stored[op.id] {
				t.Fatalf("cycle %d: acknowledged resource %s was lost in the crash", c, op.id)
			}
			// Only acknowledged creates are deleted, so an unacknowledged
			// one landed if and only if it is stored.
			landed := op.acked || stored[op.id]
			if got := details["resource.create "+op.id] == 1; got != landed {
				t.Fatalf("cycle %d: resource %s landed %v but its audit entry found %v", c, op.id, landed, got)
			}
		case "unresource":
			if !created[op.target] {
				t.Fatalf("cycle %d: log deletes %s, which this cycle did not create", c, op.target)
			}
			if op.acked && stored[op.target] {
				t.Fatalf("cycle %d: acknowledged delete of resource %s was lost in the crash", c, op.target)
			}
			if got := details["resource.delete "+op.target] == 1; got != !stored[op.target] {
				t.Fatalf("cycle %d: delete of resource %s landed %v but its audit entry found %v", c, op.target, !stored[op.target], got)
			}
		}
	}
	for id := range m.resources {
		if !stored[id] {
			t.Fatalf("cycle %d: resource %s of an earlier cycle is gone", c, id)
		}
	}
	for id := range stored {
		if !m.resources[id] && !created[id] {
			t.Fatalf("cycle %d: resource %s was never created", c, id)
		}
	}
	if n, err := s.CountUsage(ctx, crashSlot); err != nil || n != int64(len(stored)) {
		t.Fatalf("cycle %d: the resources' slot counts %d, %v; want %d, one per stored resource", c, n, err, len(stored))
	}
	m.resources = stored
}
