package postgres

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
	"github.com/jackc/pgx/v5"
)

// CreateWebhook implements headroom.Store.
func (s *Store) CreateWebhook(ctx context.Context, wh headroom.Webhook, audit headroom.AuditEntry) error {
	return s.write(ctx, "create webhook", func(w *wtx) error {
		_, err := w.exec("INSERT INTO webhooks (id, url, secret, account, created) VALUES ($1, $2, $3, $4, $5)",
			wh.ID, wh.URL, wh.Secret, wh.Account, dbcodec.EncTime(wh.Created))
		if isUnique(err) {
			return headroom.Errorf(headroom.ECONFLICT, "webhook %s already exists", wh.ID)
		}
		if err != nil {
			return err
		}
		return appendAudit(w, audit)
	})
}

// DeleteWebhook implements headroom.Store.
func (s *Store) DeleteWebhook(ctx context.Context, id string, audit headroom.AuditEntry) error {
	return s.write(ctx, "delete webhook", func(w *wtx) error {
		n, err := w.exec("DELETE FROM webhooks WHERE id = $1", id)
		if err != nil {
			return err
		}
		if n == 0 {
			return headroom.Errorf(headroom.ENOTFOUND, "webhook %s does not exist", id)
		}
		if _, err := w.exec("DELETE FROM notifications WHERE webhook = $1 AND state = 'pending'", id); err != nil {
			return err
		}
		return appendAudit(w, audit)
	})
}

const webhookColumns = "id, url, secret, account, created"

func scanWebhook(r pgx.Row) (headroom.Webhook, error) {
	var wh headroom.Webhook
	var created int64
	err := r.Scan(&wh.ID, &wh.URL, &wh.Secret, &wh.Account, &created)
	wh.Created = dbcodec.DecTime(created)
	return wh, err
}

// FindWebhook implements headroom.Store.
func (s *Store) FindWebhook(ctx context.Context, id string) (headroom.Webhook, error) {
	var wh headroom.Webhook
	err := s.read(ctx, "find webhook", func(ctx context.Context, q querier) (err error) {
		wh, err = scanWebhook(q.QueryRow(ctx, "SELECT "+webhookColumns+" FROM webhooks WHERE id = $1", id))
		if errors.Is(err, pgx.ErrNoRows) {
			return headroom.Errorf(headroom.ENOTFOUND, "webhook %s does not exist", id)
		}
		return err
	})
	var he *headroom.Error
	if errors.As(err, &he) && he.Code == headroom.ENOTFOUND {
		return headroom.Webhook{}, he
	}
	return wh, err
}

// ListWebhooks implements headroom.Store.
func (s *Store) ListWebhooks(ctx context.Context) ([]headroom.Webhook, error) {
	var out []headroom.Webhook
	err := s.read(ctx, "list webhooks", func(ctx context.Context, q querier) (err error) {
		out, err = collect(ctx, q, scanWebhook, "SELECT "+webhookColumns+" FROM webhooks ORDER BY created, id")
		return err
	})
	if err == nil && out == nil {
		out = []headroom.Webhook{}
	}
	return out, err
}

const notificationColumns = "id, webhook, body, attempts, next_attempt, created, state, last_error, updated"

func scanNotification(r pgx.Row) (headroom.Notification, error) {
	var n headroom.Notification
	var next, created, updated int64
	var state string
	err := r.Scan(&n.ID, &n.Webhook, &n.Body, &n.Attempts, &next, &created, &state, &n.LastError, &updated)
	n.NextAttempt, n.Created, n.Updated = dbcodec.DecTime(next), dbcodec.DecTime(created), dbcodec.DecTime(updated)
	n.State = headroom.NotificationState(state)
	return n, err
}

// ClaimNotifications implements headroom.Store: one UPDATE over the due
// rows it locks, skipping rows another claim holds, so that two nodes
// never claim one notification.
func (s *Store) ClaimNotifications(ctx context.Context, now, leaseUntil time.Time, limit int) ([]headroom.Notification, error) {
	if limit <= 0 {
		return nil, headroom.FieldErrorf("limit", "must be at least 1, got %d", limit)
	}
	out, err := writeValue(s, ctx, "claim notifications", func(w *wtx) ([]headroom.Notification, error) {
		return collect(w.ctx, w, scanNotification, `UPDATE notifications SET attempts = attempts + 1, next_attempt = $1, updated = $2
			WHERE id IN (SELECT id FROM notifications WHERE state = 'pending' AND next_attempt <= $2
				ORDER BY next_attempt, id LIMIT $3 FOR UPDATE SKIP LOCKED)
			RETURNING `+notificationColumns, dbcodec.EncTime(leaseUntil), dbcodec.EncTime(now), limit)
	})
	if err != nil {
		return nil, err
	}
	// RETURNING has no order: every store returns a claim by id.
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// settle runs update on a pending notification; ENOTFOUND if there is
// none, and nothing for one already settled.
func (s *Store) settle(ctx context.Context, id, update string, args ...any) error {
	return s.write(ctx, "settle notification", func(w *wtx) error {
		n, err := w.exec(update+" WHERE id = $1 AND state = 'pending'", append([]any{id}, args...)...)
		if err != nil || n > 0 {
			return err
		}
		var one int
		err = w.row("SELECT 1 FROM notifications WHERE id = $1", id).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return headroom.Errorf(headroom.ENOTFOUND, "notification %s does not exist", id)
		}
		return err
	})
}

// CompleteNotification implements headroom.Store.
func (s *Store) CompleteNotification(ctx context.Context, id string, now time.Time) error {
	return s.settle(ctx, id, "UPDATE notifications SET state = 'delivered', last_error = '', updated = $2", dbcodec.EncTime(now))
}

// RetryNotification implements headroom.Store.
func (s *Store) RetryNotification(ctx context.Context, id string, next time.Time, lastErr string) error {
	return s.settle(ctx, id, "UPDATE notifications SET next_attempt = $2, last_error = $3", dbcodec.EncTime(next), lastErr)
}

// FailNotification implements headroom.Store.
func (s *Store) FailNotification(ctx context.Context, id string, now time.Time, lastErr string) error {
	return s.settle(ctx, id, "UPDATE notifications SET state = 'failed', last_error = $2, updated = $3", lastErr, dbcodec.EncTime(now))
}

// ListNotifications implements headroom.Store.
func (s *Store) ListNotifications(ctx context.Context, f headroom.NotificationFilter) ([]headroom.Notification, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	var out []headroom.Notification
	err := s.read(ctx, "list notifications", func(ctx context.Context, q querier) (err error) {
		out, err = collect(ctx, q, scanNotification, "SELECT "+notificationColumns+` FROM notifications
			WHERE ($1 = '' OR webhook = $1) AND ($2 = '' OR state = $2) ORDER BY created DESC, id DESC LIMIT $3`,
			f.Webhook, string(f.State), limit)
		return err
	})
	if err == nil && out == nil {
		out = []headroom.Notification{}
	}
	return out, err
}

// PurgeNotifications implements headroom.Store: it deletes delivered and
// failed notifications last updated before before, purgeBatch rows per
// statement.
func (s *Store) PurgeNotifications(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.purgeRows(ctx, "old notifications", `DELETE FROM notifications WHERE id IN
		(SELECT id FROM notifications WHERE state IN ('delivered', 'failed') AND updated < $1 LIMIT $2)`, dbcodec.EncTime(before))
	return int64(n), err
}
