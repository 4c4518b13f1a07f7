package headroom

import (
	"context"
	"time"
)

// AlarmStore keeps alarm rules, alarm states, webhooks and the outbox of
// notifications. Every transition is one atomic operation that also appends
// its audit entry and enqueues its notifications, so that several nodes
// evaluating alarms at once make one transition between them.
// Implementations must be safe for concurrent use.
type AlarmStore interface {
	// PutAlarmRule creates or replaces the rule for (r.Account, r.Code)
	// and appends audit in the same transaction. The caller validates r.
	PutAlarmRule(ctx context.Context, r AlarmRule, audit AuditEntry) error
	// DeleteAlarmRule removes a rule and appends audit; ENOTFOUND if there
	// is none.
	DeleteAlarmRule(ctx context.Context, account, code string, audit AuditEntry) error
	// ListAlarmRules returns every rule ordered by account then code.
	ListAlarmRules(ctx context.Context) ([]AlarmRule, error)

	// SetAlarmState stores s only if the alarm's stored level is still
	// from (a missing state is AlarmOK), and in the same transaction
	// appends audit and enqueues out. ECONFLICT, and nothing changes, if
	// another writer moved the alarm first; EINVALID for a bad state.
	SetAlarmState(ctx context.Context, from AlarmLevel, s AlarmState, audit AuditEntry, out []Notification) error
	// ListAlarmStates returns the states matching f ordered by account,
	// code, scope, then kind.
	ListAlarmStates(ctx context.Context, f AlarmStateFilter) ([]AlarmState, error)

	// CreateWebhook stores a webhook with its secret and appends audit;
	// ECONFLICT if the id exists.
	CreateWebhook(ctx context.Context, w Webhook, audit AuditEntry) error
	// DeleteWebhook removes a webhook and its pending notifications, and
	// appends audit; ENOTFOUND if there is none.
	DeleteWebhook(ctx context.Context, id string, audit AuditEntry) error
	// FindWebhook returns a webhook with its secret; ENOTFOUND if none.
	FindWebhook(ctx context.Context, id string) (Webhook, error)
	// ListWebhooks returns every webhook, secrets included, ordered by
	// creation then id.
	ListWebhooks(ctx context.Context) ([]Webhook, error)

	// ClaimNotifications takes up to limit pending notifications due at now
	// (NextAttempt <= now), oldest due first, and in the same atomic
	// operation counts an attempt on each and pushes its NextAttempt to
	// leaseUntil, so that no other caller claims them before then. It
	// returns them as they are after the claim, ordered by id. EINVALID
	// for a limit below 1.
	ClaimNotifications(ctx context.Context, now, leaseUntil time.Time, limit int) ([]Notification, error)
	// CompleteNotification marks a pending notification delivered at now.
	// One that is no longer pending is left as it is; ENOTFOUND if there
	// is none.
	CompleteNotification(ctx context.Context, id string, now time.Time) error
	// RetryNotification keeps a pending notification pending, due at next,
	// with lastErr. One that is no longer pending is left as it is;
	// ENOTFOUND if there is none.
	RetryNotification(ctx context.Context, id string, next time.Time, lastErr string) error
	// FailNotification marks a pending notification failed at now with
	// lastErr. One that is no longer pending is left as it is; ENOTFOUND if
	// there is none.
	FailNotification(ctx context.Context, id string, now time.Time, lastErr string) error
	// ListNotifications returns the notifications matching f, newest
	// first (by Created, then id).
	ListNotifications(ctx context.Context, f NotificationFilter) ([]Notification, error)
	// PurgeNotifications removes delivered and failed notifications last
	// updated before before, and returns how many.
	PurgeNotifications(ctx context.Context, before time.Time) (int64, error)
}
