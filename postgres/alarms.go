package postgres

import (
	"context"
	"errors"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
	"github.com/jackc/pgx/v5"
)

// PutAlarmRule implements headroom.Store.
func (s *Store) PutAlarmRule(ctx context.Context, r headroom.AlarmRule, audit headroom.AuditEntry) error {
	return s.write(ctx, "put alarm rule", func(w *wtx) error {
		t := r.Thresholds
		_, err := w.exec(`INSERT INTO alarm_rules (account, code, warning, critical, hysteresis, off, throttle_count, throttle_minutes, updated)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (account, code) DO UPDATE SET warning = excluded.warning, critical = excluded.critical,
				hysteresis = excluded.hysteresis, off = excluded.off, throttle_count = excluded.throttle_count,
				throttle_minutes = excluded.throttle_minutes, updated = excluded.updated`,
			r.Account, r.Code, t.Warning, t.Critical, t.Hysteresis, t.Off, r.ThrottleCount, r.ThrottleMinutes, dbcodec.EncTime(r.Updated))
		if err != nil {
			return err
		}
		return appendAudit(w, audit)
	})
}

// DeleteAlarmRule implements headroom.Store.
func (s *Store) DeleteAlarmRule(ctx context.Context, account, code string, audit headroom.AuditEntry) error {
	return s.write(ctx, "delete alarm rule", func(w *wtx) error {
		n, err := w.exec("DELETE FROM alarm_rules WHERE account = $1 AND code = $2", account, code)
		if err != nil {
			return err
		}
		if n == 0 {
			return headroom.Errorf(headroom.ENOTFOUND, "there is no alarm rule for %s", headroom.AlarmRule{Account: account, Code: code}.Describe())
		}
		return appendAudit(w, audit)
	})
}

// ListAlarmRules implements headroom.Store.
func (s *Store) ListAlarmRules(ctx context.Context) ([]headroom.AlarmRule, error) {
	var out []headroom.AlarmRule
	err := s.read(ctx, "list alarm rules", func(ctx context.Context, q querier) (err error) {
		out, err = collect(ctx, q, scanAlarmRule, "SELECT "+alarmRuleColumns+" FROM alarm_rules ORDER BY account, code")
		return err
	})
	if err == nil && out == nil {
		out = []headroom.AlarmRule{}
	}
	return out, err
}

// SetAlarmState implements headroom.Store. The account's advisory lock
// orders evaluators of the same account, so that the level read is still
// the level when the state is written.
func (s *Store) SetAlarmState(ctx context.Context, from headroom.AlarmLevel, st headroom.AlarmState, audit headroom.AuditEntry, out []headroom.Notification) error {
	if err := st.Validate(); err != nil {
		return err
	}
	return s.write(ctx, "set alarm state", func(w *wtx) error {
		if err := w.lockAccount(st.Key.Account); err != nil {
			return err
		}
		cur := string(headroom.AlarmOK)
		err := w.row("SELECT level FROM alarm_states WHERE account = $1 AND code = $2 AND scope = $3 AND kind = $4",
			st.Key.Account, st.Key.Code, st.Key.Scope, string(st.Kind)).Scan(&cur)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if headroom.AlarmLevel(cur) != from {
			return headroom.Errorf(headroom.ECONFLICT, "the %s alarm of %s %s is %s, not %s: another evaluation moved it", st.Kind, st.Key.Code, st.Key.Scope, cur, from)
		}
		_, err = w.exec(`INSERT INTO alarm_states (account, code, scope, kind, level, value, applied, ratio, threshold, since, updated)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (account, code, scope, kind) DO UPDATE SET level = excluded.level, value = excluded.value,
				applied = excluded.applied, ratio = excluded.ratio, threshold = excluded.threshold,
				since = excluded.since, updated = excluded.updated`,
			st.Key.Account, st.Key.Code, st.Key.Scope, string(st.Kind), string(st.Level), st.Value, st.Applied, st.Ratio, st.Threshold,
			dbcodec.EncTime(st.Since), dbcodec.EncTime(st.Updated))
		if err != nil {
			return err
		}
		for _, n := range out {
			_, err := w.exec(`INSERT INTO notifications (id, webhook, body, attempts, next_attempt, created, state, last_error, updated)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, n.ID, n.Webhook, n.Body, n.Attempts, dbcodec.EncTime(n.NextAttempt),
				dbcodec.EncTime(n.Created), string(n.State), n.LastError, dbcodec.EncTime(n.Updated))
			if isUnique(err) {
				return headroom.Errorf(headroom.ECONFLICT, "notification %s already exists", n.ID)
			}
			if err != nil {
				return err
			}
		}
		return appendAudit(w, audit)
	})
}

// ListAlarmStates implements headroom.Store.
func (s *Store) ListAlarmStates(ctx context.Context, f headroom.AlarmStateFilter) ([]headroom.AlarmState, error) {
	var out []headroom.AlarmState
	err := s.read(ctx, "list alarm states", func(ctx context.Context, q querier) (err error) {
		out, err = collect(ctx, q, scanAlarmState, "SELECT "+alarmStateColumns+` FROM alarm_states
			WHERE ($1 = '' OR account = $1) AND (NOT $2 OR level IN ('WARNING', 'CRITICAL')) ORDER BY account, code, scope, kind`,
			f.Account, f.Firing)
		return err
	})
	if err == nil && out == nil {
		out = []headroom.AlarmState{}
	}
	return out, err
}

// alarmRuleColumns are the columns scanAlarmRule reads, in its order.
const alarmRuleColumns = "account, code, warning, critical, hysteresis, off, throttle_count, throttle_minutes, updated"

func scanAlarmRule(row pgx.Row) (headroom.AlarmRule, error) {
	var r headroom.AlarmRule
	var updated int64
	err := row.Scan(&r.Account, &r.Code, &r.Thresholds.Warning, &r.Thresholds.Critical, &r.Thresholds.Hysteresis,
		&r.Thresholds.Off, &r.ThrottleCount, &r.ThrottleMinutes, &updated)
	r.Updated = dbcodec.DecTime(updated)
	return r, err
}

// alarmStateColumns are the columns scanAlarmState reads, in its order.
const alarmStateColumns = "account, code, scope, kind, level, value, applied, ratio, threshold, since, updated"

func scanAlarmState(row pgx.Row) (headroom.AlarmState, error) {
	var st headroom.AlarmState
	var kind, level string
	var since, updated int64
	err := row.Scan(&st.Key.Account, &st.Key.Code, &st.Key.Scope, &kind, &level, &st.Value, &st.Applied, &st.Ratio,
		&st.Threshold, &since, &updated)
	st.Kind, st.Level = headroom.AlarmKind(kind), headroom.AlarmLevel(level)
	st.Since, st.Updated = dbcodec.DecTime(since), dbcodec.DecTime(updated)
	return st, err
}
