package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
	sqlite3 "modernc.org/sqlite/lib"
)

// CreateWebhook implements headroom.Store.
func (s *Store) CreateWebhook(ctx context.Context, wh headroom.Webhook, audit headroom.AuditEntry) error {
	return s.write(ctx, func(w *wtx) error {
		_, err := w.exec("INSERT INTO webhooks (id, url, secret, account, created) VALUES (?, ?, ?, ?, ?)",
			wh.ID, wh.URL, wh.Secret, wh.Account, dbcodec.EncTime(wh.Created))
		if sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT {
			return headroom.Errorf(headroom.ECONFLICT, "webhook %s already exists", wh.ID)
		}
		if err != nil {
			return s.backendError("create webhook", err)
		}
		return appendAudit(w, audit)
	})
}

// DeleteWebhook implements headroom.Store.
func (s *Store) DeleteWebhook(ctx context.Context, id string, audit headroom.AuditEntry) error {
	return s.write(ctx, func(w *wtx) error {
		n, err := w.execN("DELETE FROM webhooks WHERE id = ?", id)
		if err != nil {
			return s.backendError("delete webhook", err)
		}
		if n == 0 {
			return headroom.Errorf(headroom.ENOTFOUND, "webhook %s does not exist", id)
		}
		if _, err := w.exec("DELETE FROM notifications WHERE webhook = ? AND state = ?", id, string(headroom.NotificationPending)); err != nil {
			return s.backendError("delete webhook", err)
		}
		return appendAudit(w, audit)
	})
}

const webhookColumns = "id, url, secret, account, created"

func scanWebhook(r interface{ Scan(...any) error }) (headroom.Webhook, error) {
	var wh headroom.Webhook
	var created int64
	err := r.Scan(&wh.ID, &wh.URL, &wh.Secret, &wh.Account, &created)
	wh.Created = dbcodec.DecTime(created)
	return wh, err
}

// FindWebhook implements headroom.Store.
func (s *Store) FindWebhook(ctx context.Context, id string) (headroom.Webhook, error) {
	wh, err := scanWebhook(s.readRow(ctx, "SELECT "+webhookColumns+" FROM webhooks WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return headroom.Webhook{}, headroom.Errorf(headroom.ENOTFOUND, "webhook %s does not exist", id)
	}
	if err != nil {
		return headroom.Webhook{}, s.backendError("find webhook", err)
	}
	return wh, nil
}

// ListWebhooks implements headroom.Store.
func (s *Store) ListWebhooks(ctx context.Context) ([]headroom.Webhook, error) {
	rows, err := s.readRows(ctx, "SELECT "+webhookColumns+" FROM webhooks ORDER BY created, id")
	if err != nil {
		return nil, s.backendError("list webhooks", err)
	}
	defer rows.Close()
	out := []headroom.Webhook{}
	for rows.Next() {
		wh, err := scanWebhook(rows)
		if err != nil {
			return nil, s.backendError("list webhooks", err)
		}
		out = append(out, wh)
	}
	if err := rows.Err(); err != nil {
		return nil, s.backendError("list webhooks", err)
	}
	return out, nil
}

const notificationColumns = "id, webhook, body, attempts, next_attempt, created, state, last_error, updated"

func scanNotification(r interface{ Scan(...any) error }) (headroom.Notification, error) {
	var n headroom.Notification
	var next, created, updated int64
	var state string
	err := r.Scan(&n.ID, &n.Webhook, &n.Body, &n.Attempts, &next, &created, &state, &n.LastError, &updated)
	n.NextAttempt, n.Created, n.Updated = dbcodec.DecTime(next), dbcodec.DecTime(created), dbcodec.DecTime(updated)
	n.State = headroom.NotificationState(state)
	return n, err
}

// ClaimNotifications implements headroom.Store: the select and the update
// are one transaction of the one writer, so two claims never overlap.
func (s *Store) ClaimNotifications(ctx context.Context, now, leaseUntil time.Time, limit int) ([]headroom.Notification, error) {
	if limit <= 0 {
		return nil, headroom.FieldErrorf("limit", "must be at least 1, got %d", limit)
	}
	return writeValue(s, ctx, func(w *wtx) ([]headroom.Notification, error) {
		rows, err := w.query("SELECT "+notificationColumns+` FROM notifications WHERE state = ? AND next_attempt <= ?
			ORDER BY next_attempt, id LIMIT ?`, string(headroom.NotificationPending), dbcodec.EncTime(now), limit)
		if err != nil {
			return nil, s.backendError("claim notifications", err)
		}
		var out []headroom.Notification
		for rows.Next() {
			n, err := scanNotification(rows)
			if err != nil {
				rows.Close()
				return nil, s.backendError("claim notifications", err)
			}
			out = append(out, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, s.backendError("claim notifications", err)
		}
		for i := range out {
			n := &out[i]
			n.Attempts++
			n.NextAttempt, n.Updated = dbcodec.NormTime(leaseUntil), dbcodec.NormTime(now)
			if _, err := w.exec("UPDATE notifications SET attempts = ?, next_attempt = ?, updated = ? WHERE id = ?",
				n.Attempts, dbcodec.EncTime(leaseUntil), dbcodec.EncTime(now), n.ID); err != nil {
				return nil, s.backendError("claim notifications", err)
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
		return out, nil
	})
}

// settle runs update on a pending notification; ENOTFOUND if there is
// none, and nothing for one already settled.
func (s *Store) settle(ctx context.Context, id, update string, args ...any) error {
	return s.write(ctx, func(w *wtx) error {
		n, err := w.execN(update+" WHERE id = ? AND state = 'pending'", append(args, id)...)
		if err != nil {
			return s.backendError("settle notification", err)
		}
		if n > 0 {
			return nil
		}
		var one int
		err = w.row("SELECT 1 FROM notifications WHERE id = ?", id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return headroom.Errorf(headroom.ENOTFOUND, "notification %s does not exist", id)
		}
		if err != nil {
			return s.backendError("settle notification", err)
		}
		return nil
	})
}

// CompleteNotification implements headroom.Store.
func (s *Store) CompleteNotification(ctx context.Context, id string, now time.Time) error {
	return s.settle(ctx, id, "UPDATE notifications SET state = 'delivered', last_error = '', updated = ?", dbcodec.EncTime(now))
}

// RetryNotification implements headroom.Store.
func (s *Store) RetryNotification(ctx context.Context, id string, next time.Time, lastErr string) error {
	return s.settle(ctx, id, "UPDATE notifications SET next_attempt = ?, last_error = ?", dbcodec.EncTime(next), lastErr)
}

// FailNotification implements headroom.Store.
func (s *Store) FailNotification(ctx context.Context, id string, now time.Time, lastErr string) error {
	return s.settle(ctx, id, "UPDATE notifications SET state = 'failed', last_error = ?, updated = ?", lastErr, dbcodec.EncTime(now))
}

// ListNotifications implements headroom.Store.
func (s *Store) ListNotifications(ctx context.Context, f headroom.NotificationFilter) ([]headroom.Notification, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	var q strings.Builder
	q.WriteString("SELECT " + notificationColumns + " FROM notifications WHERE (? = '' OR webhook = ?) AND (? = '' OR state = ?) ORDER BY created DESC, id DESC LIMIT ?")
	rows, err := s.readRows(ctx, q.String(), f.Webhook, f.Webhook, string(f.State), string(f.State), limit)
	if err != nil {
		return nil, s.backendError("list notifications", err)
	}
	defer rows.Close()
	out := []headroom.Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, s.backendError("list notifications", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, s.backendError("list notifications", err)
	}
	return out, nil
}

// PurgeNotifications implements headroom.Store: it deletes delivered and
// failed notifications last updated before before, purgeBatch rows per
// write.
func (s *Store) PurgeNotifications(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.purgeRows(ctx, "old notifications", `DELETE FROM notifications WHERE id IN
		(SELECT id FROM notifications WHERE state IN ('delivered', 'failed') AND updated < ? LIMIT ?)`, dbcodec.EncTime(before))
	return int64(n), err
}
