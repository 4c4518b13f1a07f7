package sqlite

import (
	"database/sql"
	"fmt"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
)

// alarms reads the alarm rules, states, webhooks (their secrets opened
// with the store's key) and the whole outbox.
func (x *exporter) alarms(snap *headroom.Snapshot) error {
	err := x.each("alarm rules", "SELECT "+alarmRuleColumns+" FROM alarm_rules ORDER BY account, code", func(rows *sql.Rows) error {
		r, err := scanAlarmRule(rows)
		if err != nil {
			return err
		}
		snap.AlarmRules = append(snap.AlarmRules, r)
		return nil
	})
	if err != nil {
		return err
	}
	err = x.each("alarm states", "SELECT "+alarmStateColumns+" FROM alarm_states ORDER BY account, code, scope, kind", func(rows *sql.Rows) error {
		st, err := scanAlarmState(rows)
		if err != nil {
			return err
		}
		snap.AlarmStates = append(snap.AlarmStates, st)
		return nil
	})
	if err != nil {
		return err
	}
	err = x.each("webhooks", "SELECT "+webhookColumns+" FROM webhooks ORDER BY created, id", func(rows *sql.Rows) error {
		wh, err := scanWebhook(rows)
		if err != nil {
			return err
		}
		snap.Webhooks = append(snap.Webhooks, wh)
		return nil
	})
	if err != nil {
		return err
	}
	for i, wh := range snap.Webhooks {
		if snap.Webhooks[i].Secret, err = x.s.openSecret(webhookSecretID(wh.ID), wh.Account, wh.Secret); err != nil {
			return fmt.Errorf("export webhook %s: %w", wh.ID, err)
		}
	}
	return x.each("notifications", "SELECT "+notificationColumns+" FROM notifications ORDER BY created, id", func(rows *sql.Rows) error {
		n, err := scanNotification(rows)
		snap.Notifications = append(snap.Notifications, n)
		return err
	})
}

// sealWebhookSecrets seals the snapshot's webhook secrets with the store's
// key, in the order of snap.Webhooks.
func (s *Store) sealWebhookSecrets(snap headroom.Snapshot) ([]string, error) {
	secrets := make([]string, len(snap.Webhooks))
	for i, wh := range snap.Webhooks {
		var err error
		if secrets[i], err = s.sealSecret(webhookSecretID(wh.ID), wh.Account, wh.Secret); err != nil {
			return nil, err
		}
	}
	return secrets, nil
}

// alarms inserts the alarm rules, states, webhooks with their sealed
// secrets, and the outbox, which snap.CheckAlarms has passed.
func (im *importer) alarms(secrets []string) error {
	for _, r := range im.snap.AlarmRules {
		t := r.Thresholds
		if err := im.insert("the alarm rule for "+r.Describe(), `INSERT INTO alarm_rules (account, code, warning, critical, hysteresis,
			off, throttle_count, throttle_minutes, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.Account, r.Code, t.Warning, t.Critical, t.Hysteresis, boolInt(t.Off), r.ThrottleCount, r.ThrottleMinutes, dbcodec.EncTime(r.Updated)); err != nil {
			return err
		}
	}
	for _, st := range im.snap.AlarmStates {
		if err := im.insert(fmt.Sprintf("the %s alarm state of %s in %s", st.Kind, st.Key.Code, headroom.DescribeScope(st.Key.Account, st.Key.Scope)),
			`INSERT INTO alarm_states (account, code, scope, kind, level, value, applied, ratio, threshold, since, updated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			st.Key.Account, st.Key.Code, st.Key.Scope, string(st.Kind), string(st.Level), st.Value, st.Applied, st.Ratio, st.Threshold,
			dbcodec.EncTime(st.Since), dbcodec.EncTime(st.Updated)); err != nil {
			return err
		}
	}
	for i, wh := range im.snap.Webhooks {
		if err := im.insert("webhook "+wh.ID, "INSERT INTO webhooks (id, url, secret, account, created) VALUES (?, ?, ?, ?, ?)",
			wh.ID, wh.URL, secrets[i], wh.Account, dbcodec.EncTime(wh.Created)); err != nil {
			return err
		}
	}
	for _, n := range im.snap.Notifications {
		if err := im.insert("notification "+n.ID, `INSERT INTO notifications (id, webhook, body, attempts, next_attempt, created, state,
			last_error, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n.ID, n.Webhook, append([]byte{}, n.Body...), n.Attempts, dbcodec.EncTime(n.NextAttempt), dbcodec.EncTime(n.Created),
			string(n.State), n.LastError, dbcodec.EncTime(n.Updated)); err != nil {
			return err
		}
	}
	return nil
}
