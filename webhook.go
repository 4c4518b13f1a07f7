package headroom

import (
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"sort"
	"time"
)

// Webhook is an HTTP endpoint that alarm notifications are posted to.
type Webhook struct {
	// ID names the webhook, "wh-" and hex digits.
	ID string
	// URL is an absolute http or https URL.
	URL string
	// Secret is the HMAC-SHA256 key that signs each notification. Listings
	// leave it empty: it is returned once, when the webhook is created.
	Secret string
	// Account, when set, limits the webhook to that account's alarms.
	Account string
	// Created is when the webhook was added.
	Created time.Time
}

// Bounds of a webhook.
const (
	// MaxWebhookURLLength bounds a webhook's URL, in bytes.
	MaxWebhookURLLength = 2048
	// MinWebhookSecretLength and MaxWebhookSecretLength bound a secret an
	// operator gives, in bytes.
	MinWebhookSecretLength = 16
	MaxWebhookSecretLength = 256
)

// Validate returns an EINVALID error naming the first bad field: an id,
// a URL that is not absolute http(s) with a host, a secret shorter than
// MinWebhookSecretLength or longer than MaxWebhookSecretLength, or an
// account that is not a plain identifier.
func (w Webhook) Validate() error {
	if w.ID == "" {
		return FieldErrorf("id", "is required")
	}
	if err := checkIdentifier("id", w.ID, MaxIdentifierLength); err != nil {
		return err
	}
	if err := checkWebhookURL(w.URL); err != nil {
		return err
	}
	if n := len(w.Secret); n < MinWebhookSecretLength || n > MaxWebhookSecretLength {
		return FieldErrorf("secret", "is %d bytes; want %d to %d", n, MinWebhookSecretLength, MaxWebhookSecretLength)
	}
	if err := checkIdentifier("secret", w.Secret, MaxWebhookSecretLength); err != nil {
		return err
	}
	return checkIdentifier("account", w.Account, MaxIdentifierLength)
}

func checkWebhookURL(s string) error {
	if s == "" {
		return FieldErrorf("url", "is required")
	}
	if len(s) > MaxWebhookURLLength {
		return FieldErrorf("url", "is %d bytes; at most %d", len(s), MaxWebhookURLLength)
	}
	if err := checkIdentifier("url", s, MaxWebhookURLLength); err != nil {
		return err
	}
	u, err := url.Parse(s)
	if err != nil {
		return FieldErrorf("url", "is not a URL: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return FieldErrorf("url", "must be an http or https URL, got scheme %q", u.Scheme)
	}
	if u.Host == "" {
		return FieldErrorf("url", "has no host")
	}
	if u.User != nil {
		return FieldErrorf("url", "must not carry credentials; the secret signs each notification")
	}
	return nil
}

// Matches reports whether the webhook takes an alarm of account.
func (w Webhook) Matches(account string) bool { return w.Account == "" || w.Account == account }

// newWebhookID returns a fresh webhook id.
func newWebhookID() string { return "wh-" + randomHex(8) }

// newNotificationID returns a fresh notification id, the idempotency id of
// its deliveries.
func newNotificationID() string { return "ntf-" + randomHex(16) }

// NewWebhookSecret returns a fresh random webhook secret: "whsec_" and 64
// hex digits. EINTERNAL if the system has no randomness.
func NewWebhookSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", Errorf(EINTERNAL, "reading random bytes: %v", err)
	}
	return "whsec_" + hex.EncodeToString(b), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// NotificationState is where a notification is in the outbox.
type NotificationState string

// The notification states.
const (
	// NotificationPending waits for its next attempt.
	NotificationPending NotificationState = "pending"
	// NotificationDelivered was answered 2xx by its webhook.
	NotificationDelivered NotificationState = "delivered"
	// NotificationFailed was given up: no 2xx before the give-up time.
	NotificationFailed NotificationState = "failed"
)

// Notification is one alarm transition to post to one webhook: an item of
// the durable outbox. It is written in the same transaction as the
// transition, so that none is lost across restarts, and delivered at least
// once.
type Notification struct {
	// ID is the idempotency id, the same on every attempt
	// (X-Headroom-Delivery), so that a receiver can drop repeats.
	ID string
	// Webhook is the id of the webhook to post to.
	Webhook string
	// Body is the JSON payload (an AlarmNotice).
	Body []byte
	// Attempts counts the deliveries tried so far.
	Attempts int
	// NextAttempt is when the notification is next due; a claim pushes it
	// to the end of the claim's lease.
	NextAttempt time.Time
	// Created is when the transition happened.
	Created time.Time
	State   NotificationState
	// LastError is why the last attempt failed.
	LastError string
	// Updated is when the notification last changed.
	Updated time.Time
}

// NotificationFilter selects notifications. Zero fields match everything.
type NotificationFilter struct {
	Webhook string
	State   NotificationState
	// Limit caps the number returned; zero means 1000.
	Limit int
}

// Match reports whether n passes the filter (Limit aside).
func (f NotificationFilter) Match(n Notification) bool {
	return (f.Webhook == "" || n.Webhook == f.Webhook) && (f.State == "" || n.State == f.State)
}

// AlarmNotice is the JSON body of a notification.
type AlarmNotice struct {
	// ID is the notification's idempotency id.
	ID      string `json:"id"`
	Account string `json:"account"`
	Code    string `json:"code"`
	Name    string `json:"name"`
	Scope   string `json:"scope"`
	// Kind is "usage" or "throttle".
	Kind    AlarmKind `json:"kind"`
	Applied float64   `json:"applied"`
	// Usage is the usage, or for a throttle alarm the throttled decisions
	// in the window.
	Usage int64 `json:"usage"`
	// Percent is Usage as a percentage of Applied (usage alarms only).
	Percent float64 `json:"percent"`
	// Threshold is the threshold crossed: a fraction of the applied
	// value, or the throttle count.
	Threshold     float64    `json:"threshold"`
	State         AlarmLevel `json:"state"`
	PreviousState AlarmLevel `json:"previous_state"`
	Time          time.Time  `json:"time"`
}

// SortNotifications orders notifications newest first, by Created then
// id: the order every store lists them in.
func SortNotifications(ns []Notification) {
	sort.Slice(ns, func(i, j int) bool {
		if !ns[i].Created.Equal(ns[j].Created) {
			return ns[i].Created.After(ns[j].Created)
		}
		return ns[i].ID > ns[j].ID
	})
}
