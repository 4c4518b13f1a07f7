package postgres

import (
	"fmt"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
)

// alarms reads the alarm rules, states, webhooks (their secrets opened
// with the store's key) and the whole outbox.
func (x *exporter) alarms(snap *headroom.Snapshot) (err error) {
	snap.AlarmRules, err = list(x, "alarm rules", scanAlarmRule, "SELECT "+alarmRuleColumns+" FROM alarm_rules ORDER BY account, code")
	if err != nil {
		return err
	}
	snap.AlarmStates, err = list(x, "alarm states", scanAlarmState, "SELECT "+alarmStateColumns+" FROM alarm_states ORDER BY account, code, scope, kind")
	if err != nil {
		return err
	}
	if snap.Webhooks, err = list(x, "webhooks", scanWebhook, "SELECT "+webhookColumns+" FROM webhooks ORDER BY created, id"); err != nil {
		return err
	}
	for i, wh := range snap.Webhooks {
		if snap.Webhooks[i].Secret, err = x.s.openSecret(webhookSecretID(wh.ID), wh.Account, wh.Secret); err != nil {
			return fmt.Errorf("export webhook %s: %w", wh.ID, err)
		}
	}
	snap.Notifications, err = list(x, "notifications", scanNotification, "SELECT "+notificationColumns+" FROM notifications ORDER BY created, id")
	return err
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
			off, throttle_count, throttle_minutes, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			r.Account, r.Code, t.Warning, t.Critical, t.Hysteresis, t.Off, r.ThrottleCount, r.ThrottleMinutes, dbcodec.EncTime(r.Updated)); err != nil {
			return err
		}
	}
	for _, st := range im.snap.AlarmStates {
		if err := im.insert(fmt.Sprintf("the %s alarm state of %s in %s", st.Kind, st.Key.Code, headroom.DescribeScope(st.Key.Account, st.Key.Scope)),
			`INSERT INTO alarm_states (account, code, scope, kind, level, value, applied, ratio, threshold, since, updated)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			st.Key.Account, st.Key.Code, st.Key.Scope, string(st.Kind), string(st.Level), st.Value, st.Applied, st.Ratio, st.Threshold,
			dbcodec.EncTime(st.Since), dbcodec.EncTime(st.Updated)); err != nil {
			return err
		}
	}
	for i, wh := range im.snap.Webhooks {
		if err := im.insert("webhook "+wh.ID, "INSERT INTO webhooks (id, url, secret, account, created) VALUES ($1, $2, $3, $4, $5)",
			wh.ID, wh.URL, secrets[i], wh.Account, dbcodec.EncTime(wh.Created)); err != nil {
			return err
		}
	}
	for _, n := range im.snap.Notifications {
		if err := im.insert("notification "+n.ID, `INSERT INTO notifications (id, webhook, body, attempts, next_attempt, created, state,
			last_error, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			n.ID, n.Webhook, append([]byte{}, n.Body...), n.Attempts, dbcodec.EncTime(n.NextAttempt), dbcodec.EncTime(n.Created),
			string(n.State), n.LastError, dbcodec.EncTime(n.Updated)); err != nil {
			return err
		}
	}
	return nil
}
