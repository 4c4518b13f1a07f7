package server

import (
	"context"
	"net/http"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/webhook"
)

// Defaults of the alarm settings of Config.
const (
	// DefaultAlarmInterval is how often alarms are evaluated.
	DefaultAlarmInterval = time.Minute
	// DefaultWebhookPoll is how often the outbox is polled for due
	// notifications.
	DefaultWebhookPoll = 5 * time.Second
)

// startAlarms evaluates alarms every AlarmInterval and runs the webhook
// dispatcher, polling the outbox every WebhookPoll, until Close. Every node
// does both: the store makes one transition of racing evaluations, and a
// claim keeps other nodes off a notification being delivered.
func (m *Server) startAlarms() error {
	d, err := webhook.New(webhook.Config{Services: m.engine, Clock: m.Clock, Logger: m.log,
		Client:      &http.Client{Timeout: orDefault(m.Config.WebhookTimeout, webhook.DefaultTimeout)},
		BackoffBase: m.Config.WebhookBackoff, BackoffMax: m.Config.WebhookBackoffMax, GiveUpAfter: m.Config.WebhookGiveUp,
		Lease: orDefault(m.Config.WebhookTimeout, webhook.DefaultTimeout) + webhook.DefaultLease})
	if err != nil {
		return err
	}
	m.dispatcher = d
	m.every(orDefault(m.Config.AlarmInterval, DefaultAlarmInterval), func(ctx context.Context) {
		if _, err := m.EvaluateAlarms(ctx); err != nil && ctx.Err() == nil {
			m.log.Error("headroom: alarm evaluation failed; it will run again", "err", err)
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Run(ctx, orDefault(m.Config.WebhookPoll, DefaultWebhookPoll))
	}()
	m.closers = append(m.closers, func() error { cancel(); <-done; return nil })
	return nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// EvaluateAlarms runs one alarm evaluation pass now, as the server's timer
// does, and logs its transitions.
func (m *Server) EvaluateAlarms(ctx context.Context) (headroom.AlarmReport, error) {
	rep, err := m.engine.EvaluateAlarms(ctx)
	for _, t := range rep.Transitions {
		m.log.Info("headroom: alarm", "account", t.State.Key.Account, "code", t.State.Key.Code, "scope", t.State.Key.Scope,
			"kind", t.State.Kind, "from", t.From, "to", t.State.Level, "value", t.State.Value)
	}
	return rep, err
}

// DeliverWebhooks runs one delivery pass of the webhook dispatcher now and
// returns how many notifications it attempted.
func (m *Server) DeliverWebhooks(ctx context.Context) (int, error) {
	return m.dispatcher.DeliverOnce(ctx)
}

// WebhookStats returns the dispatcher's deliveries so far by outcome.
func (m *Server) WebhookStats() webhook.Stats { return m.dispatcher.Stats() }
