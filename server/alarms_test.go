package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/internal/testsvc"
	"github.com/headroomhq/headroom/server"
	"github.com/headroomhq/headroom/webhook"
)

// hookReceiver answers 503 while down, 200 otherwise, and records each
// delivery's id, status and whether its signature verified.
type hookReceiver struct {
	*httptest.Server
	secret string
	down   atomic.Bool
	mu     sync.Mutex
	got    []hookDelivery
}

type hookDelivery struct {
	id       string
	status   int
	verified bool
}

func newHookReceiver(t *testing.T, secret string) *hookReceiver {
	r := &hookReceiver{secret: secret}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		d := hookDelivery{id: req.Header.Get(webhook.HeaderDelivery), status: http.StatusOK,
			verified: webhook.Verify(r.secret, req.Header.Get(webhook.HeaderSignature), req.Header.Get(webhook.HeaderTimestamp), body) == nil}
		if r.down.Load() {
			d.status = http.StatusServiceUnavailable
		}
		r.mu.Lock()
		r.got = append(r.got, d)
		r.mu.Unlock()
		w.WriteHeader(d.status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *hookReceiver) deliveries() []hookDelivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hookDelivery(nil), r.got...)
}

// waitFor waits until the receiver has had n deliveries.
func (r *hookReceiver) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(r.deliveries()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %d deliveries: %+v", n, r.deliveries())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sqliteServer runs a server on dir's SQLite store with the manual clock;
// its timers are an hour apart, so that the test drives the passes.
func sqliteServer(t *testing.T, dir string, clk *clock.Manual) *server.Server {
	t.Helper()
	m := server.New()
	m.Config.Addr, m.Config.DataDir, m.Config.AdminToken = "127.0.0.1:0", dir, adminToken
	m.Config.AlarmInterval, m.Config.WebhookPoll = time.Hour, time.Hour
	m.Clock, m.Stderr = clk, io.Discard
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return m
}

// A notification whose receiver is down when the server stops is
// delivered by the next server on the same data directory, with the same
// idempotency id.
func TestNotificationSurvivesRestart(t *testing.T) {
	const secret = "restart-secret-0123456789"
	r := newHookReceiver(t, secret)
	r.down.Store(true)
	dir := filepath.Join(t.TempDir(), "data")
	clk := clock.NewManual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()

	m := sqliteServer(t, dir, clk)
	e := m.Engine()
	if _, _, err := e.CreateAccount(ctx, headroom.Account{ID: "123456789012"}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.CreateWebhook(ctx, headroom.Webhook{URL: r.URL + "/alarms", Secret: secret}, "test"); err != nil {
		t.Fatal(err)
	}
	// 2 of 2 instances: critical.
	if err := e.Reconcile(ctx, "123456789012", "L-AA17A6B9", "", 2, "test"); err != nil {
		t.Fatal(err)
	}
	rep, err := m.EvaluateAlarms(ctx)
	if err != nil || len(rep.Transitions) != 1 || rep.Notifications != 1 {
		t.Fatalf("EvaluateAlarms = %+v, %v", rep, err)
	}
	// The dispatcher's own first pass, at start, may be the one to take
	// it: either way, one attempt.
	if n, err := m.DeliverWebhooks(ctx); err != nil || n > 1 {
		t.Fatalf("DeliverWebhooks = %d, %v", n, err)
	}
	r.waitFor(t, 1)
	first := r.deliveries()
	if len(first) != 1 || first[0].status != 503 || !first[0].verified {
		t.Fatalf("first attempt %+v, want one signed attempt refused", first)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	r.down.Store(false)
	clk.Advance(time.Minute) // past the first backoff
	m2 := sqliteServer(t, dir, clk)
	defer m2.Close()
	// The new server's dispatcher delivers on start; wait for it.
	r.waitFor(t, 2)
	deadline := time.Now().Add(20 * time.Second)
	got := r.deliveries()
	if len(got) != 2 || got[1].id != first[0].id || got[1].status != 200 || !got[1].verified {
		t.Fatalf("deliveries %+v, want the same id delivered once", got)
	}
	var ns []headroom.Notification
	for time.Now().Before(deadline) {
		if ns, err = m2.Engine().ListNotifications(ctx, headroom.NotificationFilter{}); err != nil {
			t.Fatal(err)
		}
		// The dispatcher counts a delivery just after the store records
		// it: wait for both.
		if len(ns) == 1 && ns[0].State == headroom.NotificationDelivered && m2.WebhookStats().Delivered == 1 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if len(ns) != 1 || ns[0].State != headroom.NotificationDelivered || ns[0].Attempts != 2 || ns[0].ID != first[0].id {
		t.Fatalf("outbox %+v, want the notification delivered on its second attempt", ns)
	}
	if s := m2.WebhookStats(); s != (webhook.Stats{Delivered: 1}) {
		t.Fatalf("stats %+v", s)
	}
	_, body := get(t, m2.URL()+"/metrics")
	if !strings.Contains(body, `headroom_webhook_deliveries_total{result="delivered"} 1`) ||
		!strings.Contains(body, `headroom_webhook_deliveries_total{result="failed"} 0`) {
		t.Fatalf("GET /metrics:\n%s", grep(body, "headroom_webhook"))
	}
	// The alarm's state was kept too: a pass on the new server changes
	// nothing.
	if rep, err := m2.EvaluateAlarms(ctx); err != nil || len(rep.Transitions) != 0 {
		t.Fatalf("EvaluateAlarms after the restart = %+v, %v", rep, err)
	}
}

func TestAlarmConfigValidate(t *testing.T) {
	for _, c := range []struct {
		mod   func(*server.Config)
		field string
	}{
		{func(c *server.Config) { c.AlarmInterval = -time.Second }, "alarm_interval"},
		{func(c *server.Config) { c.WebhookPoll = -time.Second }, "webhook_poll"},
		{func(c *server.Config) { c.WebhookGiveUp = time.Second }, "webhook_give_up"},
		{func(c *server.Config) { c.WebhookBackoff, c.WebhookBackoffMax = time.Hour, time.Minute }, "webhook_backoff"},
		{func(c *server.Config) { c.NotificationRetention = -time.Hour }, "notification_retention"},
	} {
		cfg := server.DefaultConfig()
		c.mod(&cfg)
		err := cfg.Validate()
		if headroom.ErrorCodeOf(err) != headroom.EINVALID || !strings.Contains(err.Error(), c.field) {
			t.Errorf("Validate = %v, want EINVALID naming %s", err, c.field)
		}
	}
}

// Two nodes on one PostgreSQL database evaluating at once make one
// transition between them: one audit entry, one notification.
func TestTwoNodesOneTransition(t *testing.T) {
	pg := testsvc.Postgres(t)
	clk := clock.NewManual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	node := func() *server.Server {
		m, _ := start(t, func(m *server.Server) {
			m.Config.Store, m.Config.DataDir = pg, t.TempDir()
			m.Config.SecretKey = strings.Repeat("5a", 32) // every node has the database's key
			m.Config.AlarmInterval, m.Config.WebhookPoll = time.Hour, time.Hour
			m.Clock = clk
		})
		return m
	}
	a, b := node(), node()
	ctx := context.Background()
	const acct = "123456789012"
	if _, _, err := a.Engine().CreateAccount(ctx, headroom.Account{ID: acct}, "test"); err != nil {
		t.Fatal(err)
	}
	// Nothing listens there: the notification stays pending.
	if _, err := a.Engine().CreateWebhook(ctx, headroom.Webhook{URL: "http://127.0.0.1:1/"}, "test"); err != nil {
		t.Fatal(err)
	}
	if err := b.Engine().Reconcile(ctx, acct, "L-AA17A6B9", "", 2, "test"); err != nil {
		t.Fatal(err)
	}
	reports := make([]headroom.AlarmReport, 8)
	var wg sync.WaitGroup
	for i := range reports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := a
			if i%2 == 1 {
				m = b
			}
			var err error
			if reports[i], err = m.EvaluateAlarms(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	transitions := 0
	for _, r := range reports {
		transitions += len(r.Transitions)
	}
	entries, err := a.Engine().ListAudit(ctx, headroom.AuditFilter{Account: acct, Code: "L-AA17A6B9"})
	if err != nil {
		t.Fatal(err)
	}
	var moves int
	for _, e := range entries {
		if e.Action == "alarm.transition" {
			moves++
		}
	}
	ns, err := b.Engine().ListNotifications(ctx, headroom.NotificationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if transitions != 1 || moves != 1 || len(ns) != 1 {
		t.Fatalf("%d transitions, %d audit entries, %d notifications; want one of each", transitions, moves, len(ns))
	}
}
