package memory

import (
	"context"
	"sort"
	"time"

	"github.com/headroomhq/headroom"
)

// CreateWebhook implements headroom.Store.
func (s *Store) CreateWebhook(_ context.Context, w headroom.Webhook, audit headroom.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alarms.init()
	if _, ok := s.alarms.webhooks[w.ID]; ok {
		return headroom.Errorf(headroom.ECONFLICT, "webhook %s already exists", w.ID)
	}
	s.alarms.webhooks[w.ID] = w
	s.appendAuditLocked(audit)
	return nil
}

// DeleteWebhook implements headroom.Store.
func (s *Store) DeleteWebhook(_ context.Context, id string, audit headroom.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.alarms.webhooks[id]; !ok {
		return headroom.Errorf(headroom.ENOTFOUND, "webhook %s does not exist", id)
	}
	delete(s.alarms.webhooks, id)
	for nid, n := range s.alarms.outbox {
		if n.Webhook == id && n.State == headroom.NotificationPending {
			delete(s.alarms.outbox, nid)
		}
	}
	s.appendAuditLocked(audit)
	return nil
}

// FindWebhook implements headroom.Store.
func (s *Store) FindWebhook(_ context.Context, id string) (headroom.Webhook, error) {
	s.mu.RLock()
	w, ok := s.alarms.webhooks[id]
	s.mu.RUnlock()
	if !ok {
		return headroom.Webhook{}, headroom.Errorf(headroom.ENOTFOUND, "webhook %s does not exist", id)
	}
	return w, nil
}

// ListWebhooks implements headroom.Store.
func (s *Store) ListWebhooks(context.Context) ([]headroom.Webhook, error) {
	s.mu.RLock()
	out := make([]headroom.Webhook, 0, len(s.alarms.webhooks))
	for _, w := range s.alarms.webhooks {
		out = append(out, w)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// ClaimNotifications implements headroom.Store.
func (s *Store) ClaimNotifications(_ context.Context, now, leaseUntil time.Time, limit int) ([]headroom.Notification, error) {
	if limit <= 0 {
		return nil, headroom.FieldErrorf("limit", "must be at least 1, got %d", limit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []*headroom.Notification
	for _, n := range s.alarms.outbox {
		if n.State == headroom.NotificationPending && !n.NextAttempt.After(now) {
			due = append(due, n)
		}
	}
	sort.Slice(due, func(i, j int) bool {
		if !due[i].NextAttempt.Equal(due[j].NextAttempt) {
			return due[i].NextAttempt.Before(due[j].NextAttempt)
		}
		return due[i].ID < due[j].ID
	})
	if len(due) > limit {
		due = due[:limit]
	}
	out := make([]headroom.Notification, 0, len(due))
	for _, n := range due {
		n.Attempts++
		n.NextAttempt = leaseUntil
		n.Updated = now
		c := *n
		c.Body = append([]byte(nil), n.Body...)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// settle applies f to a pending notification; ENOTFOUND if there is none.
func (s *Store) settle(id string, f func(n *headroom.Notification)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.alarms.outbox[id]
	if !ok {
		return headroom.Errorf(headroom.ENOTFOUND, "notification %s does not exist", id)
	}
	if n.State == headroom.NotificationPending {
		f(n)
	}
	return nil
}

// CompleteNotification implements headroom.Store.
func (s *Store) CompleteNotification(_ context.Context, id string, now time.Time) error {
	return s.settle(id, func(n *headroom.Notification) {
		n.State, n.Updated, n.LastError = headroom.NotificationDelivered, now, ""
	})
}

// RetryNotification implements headroom.Store.
func (s *Store) RetryNotification(_ context.Context, id string, next time.Time, lastErr string) error {
	return s.settle(id, func(n *headroom.Notification) {
		n.NextAttempt, n.LastError = next, lastErr
	})
}

// FailNotification implements headroom.Store.
func (s *Store) FailNotification(_ context.Context, id string, now time.Time, lastErr string) error {
	return s.settle(id, func(n *headroom.Notification) {
		n.State, n.Updated, n.LastError = headroom.NotificationFailed, now, lastErr
	})
}

// ListNotifications implements headroom.Store.
func (s *Store) ListNotifications(_ context.Context, f headroom.NotificationFilter) ([]headroom.Notification, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	s.mu.RLock()
	out := []headroom.Notification{}
	for _, n := range s.alarms.outbox {
		if f.Match(*n) {
			c := *n
			c.Body = append([]byte(nil), n.Body...)
			out = append(out, c)
		}
	}
	s.mu.RUnlock()
	headroom.SortNotifications(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// PurgeNotifications implements headroom.Store.
func (s *Store) PurgeNotifications(_ context.Context, before time.Time) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for id, x := range s.alarms.outbox {
		if x.State != headroom.NotificationPending && x.Updated.Before(before) {
			delete(s.alarms.outbox, id)
			n++
		}
	}
	return n, nil
}
