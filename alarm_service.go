package headroom

import (
	"context"
	"time"
)

// AlarmService manages usage and throttle alarms: their rules, the states
// evaluation stores, the webhooks notified of transitions, and the outbox a
// webhook dispatcher drains.
type AlarmService interface {
	EvaluateAlarms(ctx context.Context) (AlarmReport, error)
	PutAlarmRule(ctx context.Context, r AlarmRule, actor string) (AlarmRule, error)
	DeleteAlarmRule(ctx context.Context, account, code, actor string) error
	ListAlarmRules(ctx context.Context) ([]AlarmRule, error)
	ListAlarms(ctx context.Context, account string, firingOnly bool) ([]AlarmState, error)
	CreateWebhook(ctx context.Context, w Webhook, actor string) (Webhook, error)
	DeleteWebhook(ctx context.Context, id, actor string) error
	FindWebhook(ctx context.Context, id string) (Webhook, error)
	ListWebhooks(ctx context.Context) ([]Webhook, error)
	ListNotifications(ctx context.Context, f NotificationFilter) ([]Notification, error)
	ClaimNotifications(ctx context.Context, now, leaseUntil time.Time, limit int) ([]Notification, error)
	CompleteNotification(ctx context.Context, id string, now time.Time) error
	RetryNotification(ctx context.Context, id string, next time.Time, lastErr string) error
	FailNotification(ctx context.Context, id string, now time.Time, lastErr string) error
}

var _ AlarmService = (*Engine)(nil)

// PutAlarmRule validates r and creates or replaces the rule for
// (r.Account, r.Code), stamped now, with an "alarm.rule.set" audit entry.
// Every field counts as given: start from DefaultAlarmRule to change only
// some. Errors: EINVALID for a bad rule or a quota without a numeric
// limit (size, duration, set), EUNKNOWNACCOUNT for an account that does
// not exist, EUNKNOWNQUOTA for an unknown code. The rule
// returned is the one stored. The new thresholds apply from the next
// evaluation.
func (e *Engine) PutAlarmRule(ctx context.Context, r AlarmRule, actor string) (AlarmRule, error) {
	if err := r.Validate(); err != nil {
		return AlarmRule{}, err
	}
	if r.Account != "" {
		if _, err := e.store.FindAccount(ctx, r.Account); err != nil {
			return AlarmRule{}, err
		}
	}
	if r.Code != "" {
		q, err := e.quota(r.Code)
		if err != nil {
			return AlarmRule{}, err
		}
		switch q.Kind {
		case KindCount, KindCumulative, KindConcurrency, KindRate:
		default:
			return AlarmRule{}, FieldErrorf("code", "%s (%s) is a %s quota, which has no alarm", q.Name, q.Code, q.Kind)
		}
	}
	r.Updated = e.clock.Now()
	audit := AuditEntry{Time: r.Updated, Actor: actor, Account: r.Account, Action: "alarm.rule.set", Code: r.Code, Detail: r.String()}
	if err := e.store.PutAlarmRule(ctx, r, audit); err != nil {
		return AlarmRule{}, err
	}
	return r, nil
}

// DeleteAlarmRule removes the rule for (account, code) with an
// "alarm.rule.delete" audit entry; the quotas it covered fall back to the
// next rule that applies. ENOTFOUND if there is none.
func (e *Engine) DeleteAlarmRule(ctx context.Context, account, code, actor string) error {
	r := AlarmRule{Account: account, Code: code}
	audit := AuditEntry{Time: e.clock.Now(), Actor: actor, Account: account, Action: "alarm.rule.delete", Code: code, Detail: r.Describe()}
	return e.store.DeleteAlarmRule(ctx, account, code, audit)
}

// ListAlarmRules returns every alarm rule ordered by account then code.
func (e *Engine) ListAlarmRules(ctx context.Context) ([]AlarmRule, error) {
	return e.store.ListAlarmRules(ctx)
}

// ListAlarms returns the stored alarm states of an account (every account
// if account is empty), only those at WARNING or CRITICAL if firingOnly,
// CRITICAL first, then WARNING, then OK, the highest ratio first within a
// level. Each state holds the value and threshold of its last transition.
// EUNKNOWNACCOUNT for an account that does not exist.
func (e *Engine) ListAlarms(ctx context.Context, account string, firingOnly bool) ([]AlarmState, error) {
	if account != "" {
		if _, err := e.store.FindAccount(ctx, account); err != nil {
			return nil, err
		}
	}
	out, err := e.store.ListAlarmStates(ctx, AlarmStateFilter{Account: account, Firing: firingOnly})
	if err != nil {
		return nil, err
	}
	SortAlarmsBySeverity(out)
	return out, nil
}

// CreateWebhook adds a webhook for w.URL, limited to w.Account if set, with
// a "webhook.create" audit entry. Headroom makes the id, and the secret
// unless w.Secret is given. The webhook returned carries the secret: the
// one time it is shown. Errors: EINVALID for a bad URL or secret,
// EUNKNOWNACCOUNT for an account that does not exist.
func (e *Engine) CreateWebhook(ctx context.Context, w Webhook, actor string) (Webhook, error) {
	w.ID = newWebhookID()
	if w.Secret == "" {
		s, err := NewWebhookSecret()
		if err != nil {
			return Webhook{}, err
		}
		w.Secret = s
	}
	w.Created = e.clock.Now()
	if err := w.Validate(); err != nil {
		return Webhook{}, err
	}
	if w.Account != "" {
		if _, err := e.store.FindAccount(ctx, w.Account); err != nil {
			return Webhook{}, err
		}
	}
	audit := AuditEntry{Time: w.Created, Actor: actor, Account: w.Account, Action: "webhook.create", Detail: w.ID + " " + w.URL}
	if err := e.store.CreateWebhook(ctx, w, audit); err != nil {
		return Webhook{}, err
	}
	return w, nil
}

// DeleteWebhook removes a webhook and its pending notifications, with a
// "webhook.delete" audit entry; ENOTFOUND if there is none.
func (e *Engine) DeleteWebhook(ctx context.Context, id, actor string) error {
	w, err := e.store.FindWebhook(ctx, id)
	if err != nil {
		return err
	}
	audit := AuditEntry{Time: e.clock.Now(), Actor: actor, Account: w.Account, Action: "webhook.delete", Detail: w.ID + " " + w.URL}
	return e.store.DeleteWebhook(ctx, id, audit)
}

// FindWebhook returns a webhook with its secret, for the dispatcher that
// signs its notifications; ENOTFOUND if none. Transports must not show the
// secret.
func (e *Engine) FindWebhook(ctx context.Context, id string) (Webhook, error) {
	return e.store.FindWebhook(ctx, id)
}

// ListWebhooks returns every webhook ordered by creation, without secrets.
func (e *Engine) ListWebhooks(ctx context.Context) ([]Webhook, error) {
	list, err := e.store.ListWebhooks(ctx)
	for i := range list {
		list[i].Secret = ""
	}
	return list, err
}

// ListNotifications returns the outbox's notifications matching f, newest
// first.
func (e *Engine) ListNotifications(ctx context.Context, f NotificationFilter) ([]Notification, error) {
	return e.store.ListNotifications(ctx, f)
}

// ClaimNotifications takes up to limit due notifications for delivery
// until leaseUntil (see AlarmStore.ClaimNotifications); EINVALID for a
// limit below 1.
func (e *Engine) ClaimNotifications(ctx context.Context, now, leaseUntil time.Time, limit int) ([]Notification, error) {
	return e.store.ClaimNotifications(ctx, now, leaseUntil, limit)
}

// CompleteNotification marks a notification delivered; ENOTFOUND if none.
func (e *Engine) CompleteNotification(ctx context.Context, id string, now time.Time) error {
	return e.store.CompleteNotification(ctx, id, now)
}

// RetryNotification schedules a notification's next attempt at next;
// ENOTFOUND if none.
func (e *Engine) RetryNotification(ctx context.Context, id string, next time.Time, lastErr string) error {
	return e.store.RetryNotification(ctx, id, next, lastErr)
}

// FailNotification gives a notification up; ENOTFOUND if none.
func (e *Engine) FailNotification(ctx context.Context, id string, now time.Time, lastErr string) error {
	return e.store.FailNotification(ctx, id, now, lastErr)
}
