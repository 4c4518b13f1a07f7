package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/headroomhq/headroom"
)

// Defaults of a Config.
const (
	DefaultBackoffBase = 10 * time.Second
	DefaultBackoffMax  = time.Hour
	DefaultGiveUpAfter = 24 * time.Hour
	DefaultTimeout     = 10 * time.Second
	DefaultLease       = time.Minute
	DefaultBatch       = 50
)

// Config configures a Dispatcher. Services and Clock are required.
type Config struct {
	// Services is where notifications are claimed and settled.
	Services headroom.AlarmService
	// Client posts the notifications; one with a DefaultTimeout timeout if
	// nil.
	Client *http.Client
	// Clock times attempts, backoff and give-up.
	Clock headroom.Clock
	// BackoffBase is the wait after the first failed attempt; it doubles
	// with each further one up to BackoffMax. DefaultBackoffBase and
	// DefaultBackoffMax if zero.
	BackoffBase, BackoffMax time.Duration
	// GiveUpAfter is how long after its transition a notification is
	// retried; an attempt that fails after that marks it failed.
	// DefaultGiveUpAfter if zero.
	GiveUpAfter time.Duration
	// Lease is how long a claim keeps other dispatchers off a
	// notification; it must exceed the client's timeout. DefaultLease if
	// zero.
	Lease time.Duration
	// Batch is the most notifications claimed at once; DefaultBatch if
	// zero.
	Batch int
	// Logger logs failures and give-ups; slog.Default() if nil.
	Logger *slog.Logger
}

// Validate returns an EINVALID error naming the first missing or bad
// field.
func (c *Config) Validate() error {
	switch {
	case c.Services == nil:
		return headroom.FieldErrorf("Services", "is required")
	case c.Clock == nil:
		return headroom.FieldErrorf("Clock", "is required")
	case c.BackoffBase < 0 || c.BackoffMax < 0 || c.GiveUpAfter < 0 || c.Lease < 0 || c.Batch < 0:
		return headroom.FieldErrorf("Config", "durations and batch must not be negative")
	case c.BackoffMax != 0 && c.BackoffBase > c.BackoffMax:
		return headroom.FieldErrorf("BackoffBase", "%v is above BackoffMax %v", c.BackoffBase, c.BackoffMax)
	}
	return nil
}

// Stats counts a dispatcher's attempts by outcome.
type Stats struct {
	// Delivered counts notifications answered 2xx.
	Delivered int64
	// Retried counts failed attempts scheduled again.
	Retried int64
	// Failed counts notifications given up.
	Failed int64
}

// Dispatcher delivers the outbox's notifications. Several dispatchers,
// in one process or on several nodes, may drain one store: a claim keeps
// the others off a notification for the lease. A Dispatcher is safe for
// concurrent use.
type Dispatcher struct {
	cfg                        Config
	delivered, retried, failed atomic.Int64
}

// New returns a dispatcher, or the error of cfg.Validate.
func New(cfg Config) (*Dispatcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("new webhook dispatcher: %w", err)
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: DefaultTimeout}
	}
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase = DefaultBackoffBase
	}
	if cfg.BackoffMax == 0 {
		cfg.BackoffMax = max(DefaultBackoffMax, cfg.BackoffBase)
	}
	if cfg.GiveUpAfter == 0 {
		cfg.GiveUpAfter = DefaultGiveUpAfter
	}
	if cfg.Lease == 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.Batch == 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Dispatcher{cfg: cfg}, nil
}

// Stats returns the attempts so far by outcome.
func (d *Dispatcher) Stats() Stats {
	return Stats{Delivered: d.delivered.Load(), Retried: d.retried.Load(), Failed: d.failed.Load()}
}

// DeliverOnce claims the notifications due now, up to the batch size, and
// attempts each once: a 2xx answer completes it; any other answer, or no
// answer, schedules a retry after the backoff, or, past GiveUpAfter since
// its transition, fails it (logged and counted). It returns how many it
// attempted, and the first error of the services (the attempts' own
// failures are no error).
func (d *Dispatcher) DeliverOnce(ctx context.Context) (int, error) {
	now := d.cfg.Clock.Now()
	claimed, err := d.cfg.Services.ClaimNotifications(ctx, now, now.Add(d.cfg.Lease), d.cfg.Batch)
	if err != nil {
		return 0, fmt.Errorf("claim notifications: %w", err)
	}
	var first error
	for i := range claimed {
		if err := d.attempt(ctx, &claimed[i]); err != nil && first == nil {
			first = err
		}
	}
	return len(claimed), first
}

// Run calls DeliverOnce every interval until ctx ends, and again at once
// while a pass finds a full batch. Errors are logged.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := d.DeliverOnce(ctx)
		if err != nil && ctx.Err() == nil {
			d.cfg.Logger.Error("headroom: webhook delivery pass failed; it will run again", "err", err)
		}
		if n == d.cfg.Batch && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// attempt posts one claimed notification and settles it.
func (d *Dispatcher) attempt(ctx context.Context, n *headroom.Notification) error {
	w, err := d.cfg.Services.FindWebhook(ctx, n.Webhook)
	if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
		return d.fail(ctx, n, "the webhook was deleted")
	}
	if err != nil {
		return fmt.Errorf("find webhook %s: %w", n.Webhook, err)
	}
	failure := d.post(ctx, &w, n)
	now := d.cfg.Clock.Now()
	if failure == "" {
		if err := d.cfg.Services.CompleteNotification(ctx, n.ID, now); err != nil {
			return fmt.Errorf("complete notification %s: %w", n.ID, err)
		}
		d.delivered.Add(1)
		return nil
	}
	giveUp := n.Created.Add(d.cfg.GiveUpAfter)
	if !now.Before(giveUp) {
		return d.fail(ctx, n, failure)
	}
	next := now.Add(d.backoff(n.Attempts))
	if next.After(giveUp) {
		next = giveUp // one last attempt at the give-up time
	}
	if err := d.cfg.Services.RetryNotification(ctx, n.ID, next, failure); err != nil {
		return fmt.Errorf("retry notification %s: %w", n.ID, err)
	}
	d.retried.Add(1)
	d.cfg.Logger.Warn("headroom: webhook delivery failed; it will be retried", "webhook", w.ID, "delivery", n.ID,
		"attempt", n.Attempts, "next", next, "err", failure)
	return nil
}

func (d *Dispatcher) fail(ctx context.Context, n *headroom.Notification, failure string) error {
	if err := d.cfg.Services.FailNotification(ctx, n.ID, d.cfg.Clock.Now(), failure); err != nil {
		return fmt.Errorf("fail notification %s: %w", n.ID, err)
	}
	d.failed.Add(1)
	d.cfg.Logger.Error("headroom: webhook delivery given up", "webhook", n.Webhook, "delivery", n.ID,
		"attempts", n.Attempts, "created", n.Created, "err", failure)
	return nil
}

// backoff returns the wait after the attempts-th failed attempt:
// BackoffBase doubled attempts−1 times, at most BackoffMax.
func (d *Dispatcher) backoff(attempts int) time.Duration {
	b := d.cfg.BackoffBase
	for i := 1; i < attempts && b < d.cfg.BackoffMax; i++ {
		b *= 2
	}
	return min(b, d.cfg.BackoffMax)
}

// post sends one attempt and returns "" for a 2xx answer, else why it
// failed.
func (d *Dispatcher) post(ctx context.Context, w *headroom.Webhook, n *headroom.Notification) string {
	ts := strconv.FormatInt(d.cfg.Clock.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(n.Body))
	if err != nil {
		return "building the request: " + err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "headroom-webhook")
	req.Header.Set(HeaderDelivery, n.ID)
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(w.Secret, ts, n.Body))
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		return err.Error()
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // so that the connection is reused
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.Status
	}
	return ""
}
