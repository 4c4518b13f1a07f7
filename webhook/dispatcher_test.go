package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/memory"
	"github.com/headroomhq/headroom/webhook"
)

const account = "123456789012"

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// receiver is a webhook endpoint that answers the statuses of its script in
// turn (then 200) and records every request.
type receiver struct {
	*httptest.Server
	secret string
	mu     sync.Mutex
	script []int
	got    []delivery
}

type delivery struct {
	id, timestamp string
	status        int
	verified      error
	notice        headroom.AlarmNotice
}

func newReceiver(t *testing.T, secret string, script ...int) *receiver {
	r := &receiver{secret: secret, script: script}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		d := delivery{id: req.Header.Get(webhook.HeaderDelivery), timestamp: req.Header.Get(webhook.HeaderTimestamp), status: http.StatusOK}
		d.verified = webhook.Verify(r.secret, req.Header.Get(webhook.HeaderSignature), d.timestamp, body)
		if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
			d.status = http.StatusBadRequest
		}
		if err := json.Unmarshal(body, &d.notice); err != nil {
			d.status = http.StatusBadRequest
		}
		r.mu.Lock()
		if len(r.script) > 0 {
			d.status, r.script = r.script[0], r.script[1:]
		}
		r.got = append(r.got, d)
		r.mu.Unlock()
		w.WriteHeader(d.status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

type fixture struct {
	e   *headroom.Engine
	clk *clock.Manual
	s   *memory.Store
	ctx context.Context
}

// newFixture returns an engine with one account of one count quota of
// 100, a webhook to url with secret, and one transition (OK → CRITICAL)
// waiting in the outbox.
func newFixture(t *testing.T, url, secret string) *fixture {
	t.Helper()
	cat, err := headroom.NewCatalog([]headroom.Quota{{Code: "HR-COUNT", Service: "connect", Name: "Widgets per account",
		Kind: headroom.KindCount, Scope: "account", Unit: headroom.UnitCount, Value: 100, Adjustable: true}})
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(t0)
	s := memory.NewStore()
	e, err := headroom.NewEngine(headroom.Config{Catalog: cat, Store: s, Limiter: memory.NewLimiter(clk), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{e: e, clk: clk, s: s, ctx: context.Background()}
	if err := s.CreateAccount(f.ctx, headroom.Account{ID: account, Created: t0}, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.CreateWebhook(f.ctx, headroom.Webhook{URL: url, Secret: secret}, "op"); err != nil {
		t.Fatal(err)
	}
	key := headroom.UsageKey{Account: account, Code: "HR-COUNT", Scope: headroom.ScopeAccount}
	if err := s.SetUsage(f.ctx, key, 97, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if rep, err := e.EvaluateAlarms(f.ctx); err != nil || rep.Notifications != 1 {
		t.Fatalf("EvaluateAlarms = %+v, %v; want one notification", rep, err)
	}
	return f
}

func (f *fixture) dispatcher(t *testing.T, cfg webhook.Config) *webhook.Dispatcher {
	t.Helper()
	cfg.Services, cfg.Clock = f.e, f.clk
	d, err := webhook.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (f *fixture) outbox(t *testing.T) headroom.Notification {
	t.Helper()
	ns, err := f.e.ListNotifications(f.ctx, headroom.NotificationFilter{})
	if err != nil || len(ns) != 1 {
		t.Fatalf("outbox = %+v, %v; want one notification", ns, err)
	}
	return ns[0]
}

func deliverOnce(t *testing.T, d *webhook.Dispatcher, want int) {
	t.Helper()
	n, err := d.DeliverOnce(context.Background())
	if err != nil || n != want {
		t.Fatalf("DeliverOnce = %d, %v; want %d attempts", n, err, want)
	}
}

const secret = "receiver-secret-0123456789"

func TestDeliverySignedJSON(t *testing.T) {
	r := newReceiver(t, secret)
	f := newFixture(t, r.URL+"/hook", secret)
	d := f.dispatcher(t, webhook.Config{})
	deliverOnce(t, d, 1)
	got := r.deliveries()
	if len(got) != 1 {
		t.Fatalf("%d deliveries, want 1", len(got))
	}
	n := f.outbox(t)
	g := got[0]
	if g.verified != nil || g.status != 200 || g.id != n.ID || g.timestamp != "1772366400" {
		t.Fatalf("delivery %+v (notification %s)", g, n.ID)
	}
	want := headroom.AlarmNotice{ID: n.ID, Account: account, Code: "HR-COUNT", Name: "Widgets per account", Scope: "account",
		Kind: headroom.AlarmUsage, Applied: 100, Usage: 97, Percent: 97, Threshold: 0.95, State: headroom.AlarmCritical,
		PreviousState: headroom.AlarmOK, Time: t0}
	if g.notice != want {
		t.Fatalf("notice %+v, want %+v", g.notice, want)
	}
	if n.State != headroom.NotificationDelivered || n.Attempts != 1 {
		t.Fatalf("notification %+v, want delivered on the first attempt", n)
	}
	if s := d.Stats(); s != (webhook.Stats{Delivered: 1}) {
		t.Fatalf("stats %+v", s)
	}
	deliverOnce(t, d, 0) // nothing left
}

func TestReceiverFailingForAWhile(t *testing.T) {
	r := newReceiver(t, secret, 503, 503, 503)
	f := newFixture(t, r.URL, secret)
	var logs bytes.Buffer
	d := f.dispatcher(t, webhook.Config{BackoffBase: 10 * time.Second, BackoffMax: time.Minute,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	// Attempts at 0 s, then after 10 s, 20 s and 40 s of backoff.
	for i, wait := range []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second} {
		deliverOnce(t, d, 1)
		f.clk.Advance(wait - time.Second)
		deliverOnce(t, d, 0) // not due yet
		f.clk.Advance(time.Second)
		if n := f.outbox(t); n.State != headroom.NotificationPending || n.LastError != "503 Service Unavailable" || n.Attempts != i+1 {
			t.Fatalf("after attempt %d: %+v", i+1, n)
		}
	}
	deliverOnce(t, d, 1)
	got := r.deliveries()
	if len(got) != 4 {
		t.Fatalf("%d attempts, want 4", len(got))
	}
	accepted := 0
	for _, g := range got {
		if g.id != got[0].id || g.verified != nil {
			t.Fatalf("attempt %+v: want the same idempotency id %s, signed", g, got[0].id)
		}
		if g.status == 200 {
			accepted++
		}
	}
	if accepted != 1 || got[3].status != 200 {
		t.Fatalf("accepted %d times, want once, at the last attempt", accepted)
	}
	if n := f.outbox(t); n.State != headroom.NotificationDelivered || n.Attempts != 4 {
		t.Fatalf("notification %+v", n)
	}
	if s := d.Stats(); s != (webhook.Stats{Delivered: 1, Retried: 3}) {
		t.Fatalf("stats %+v", s)
	}
	if c := strings.Count(logs.String(), "will be retried"); c != 3 {
		t.Fatalf("%d retry log lines, want 3:\n%s", c, logs.String())
	}
}

func TestGiveUp(t *testing.T) {
	r := newReceiver(t, secret, 500, 500, 500, 500, 500, 500, 500, 500)
	f := newFixture(t, r.URL, secret)
	var logs bytes.Buffer
	d := f.dispatcher(t, webhook.Config{BackoffBase: 10 * time.Second, BackoffMax: 20 * time.Second, GiveUpAfter: time.Minute,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	// Attempts at 0, 10, 30, 50 and, the last, at the give-up time, 60 s.
	for _, wait := range []time.Duration{10, 20, 20, 10} {
		deliverOnce(t, d, 1)
		if n := f.outbox(t); n.State != headroom.NotificationPending {
			t.Fatalf("given up early: %+v", n)
		}
		f.clk.Advance(wait * time.Second)
	}
	deliverOnce(t, d, 1)
	n := f.outbox(t)
	if n.State != headroom.NotificationFailed || n.Attempts != 5 || n.LastError != "500 Internal Server Error" {
		t.Fatalf("notification %+v, want failed after 5 attempts", n)
	}
	if s := d.Stats(); s != (webhook.Stats{Retried: 4, Failed: 1}) {
		t.Fatalf("stats %+v", s)
	}
	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Contains(l, "given up") {
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatal(err)
			}
		}
	}
	if line["level"] != "ERROR" || line["delivery"] != n.ID || line["err"] != "500 Internal Server Error" {
		t.Fatalf("give-up log line %v in\n%s", line, logs.String())
	}
	f.clk.Advance(time.Hour)
	deliverOnce(t, d, 0)
	if len(r.deliveries()) != 5 {
		t.Fatalf("%d attempts, want 5", len(r.deliveries()))
	}
}

func TestUnreachableReceiverIsRetried(t *testing.T) {
	r := newReceiver(t, secret)
	url := r.URL
	r.Close() // nothing listens there now
	f := newFixture(t, url, secret)
	d := f.dispatcher(t, webhook.Config{BackoffBase: time.Second})
	deliverOnce(t, d, 1)
	if n := f.outbox(t); n.State != headroom.NotificationPending || n.LastError == "" || !n.NextAttempt.Equal(t0.Add(time.Second)) {
		t.Fatalf("notification %+v, want a retry in 1 s", n)
	}
}

func TestClaimKeepsOtherDispatchersOff(t *testing.T) {
	r := newReceiver(t, secret)
	f := newFixture(t, r.URL, secret)
	// A dispatcher claims and then dies before settling: another one takes
	// the notification only after the lease.
	if ns, err := f.e.ClaimNotifications(f.ctx, f.clk.Now(), f.clk.Now().Add(webhook.DefaultLease), 10); err != nil || len(ns) != 1 {
		t.Fatalf("claim = %v, %v", ns, err)
	}
	d := f.dispatcher(t, webhook.Config{})
	deliverOnce(t, d, 0)
	f.clk.Advance(webhook.DefaultLease)
	deliverOnce(t, d, 1)
	if n := f.outbox(t); n.State != headroom.NotificationDelivered || n.Attempts != 2 {
		t.Fatalf("notification %+v", n)
	}
}

func TestConfigValidate(t *testing.T) {
	clk := clock.NewManual(t0)
	for _, c := range []webhook.Config{
		{Clock: clk},
		{Services: &headroom.Engine{}},
		{Services: &headroom.Engine{}, Clock: clk, GiveUpAfter: -time.Second},
		{Services: &headroom.Engine{}, Clock: clk, BackoffBase: time.Hour, BackoffMax: time.Minute},
	} {
		if _, err := webhook.New(c); headroom.ErrorCodeOf(err) != headroom.EINVALID {
			t.Errorf("New(%+v) = %v, want EINVALID", c, err)
		}
	}
}
