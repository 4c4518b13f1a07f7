package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
	sqlite3 "modernc.org/sqlite/lib"
)

// PutAlarmRule implements headroom.Store.
func (s *Store) PutAlarmRule(ctx context.Context, r headroom.AlarmRule, audit headroom.AuditEntry) error {
	return s.write(ctx, func(w *wtx) error {
		t := r.Thresholds
		_, err := w.exec(`INSERT INTO alarm_rules (account, code, warning, critical, hysteresis, off, throttle_count, throttle_minutes, updated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (account, code) DO UPDATE SET warning = excluded.warning, critical = excluded.critical,
				hysteresis = excluded.hysteresis, off = excluded.off, throttle_count = excluded.throttle_count,
				throttle_minutes = excluded.throttle_minutes, updated = excluded.updated`,
			r.Account, r.Code, t.Warning, t.Critical, t.Hysteresis, boolInt(t.Off), r.ThrottleCount, r.ThrottleMinutes, dbcodec.EncTime(r.Updated))
		if err != nil {
			return s.backendError("put alarm rule", err)
		}
		return appendAudit(w, audit)
	})
}

// DeleteAlarmRule implements headroom.Store.
func (s *Store) DeleteAlarmRule(ctx context.Context, account, code string, audit headroom.AuditEntry) error {
	return s.write(ctx, func(w *wtx) error {
		n, err := w.execN("DELETE FROM alarm_rules WHERE account = ? AND code = ?", account, code)
		if err != nil {
			return s.backendError("delete alarm rule", err)
		}
		if n == 0 {
			return headroom.Errorf(headroom.ENOTFOUND, "there is no alarm rule for %s", headroom.AlarmRule{Account: account, Code: code}.Describe())
		}
		return appendAudit(w, audit)
	})
}

// ListAlarmRules implements headroom.Store.
func (s *Store) ListAlarmRules(ctx context.Context) ([]headroom.AlarmRule, error) {
	rows, err := s.readRows(ctx, "SELECT "+alarmRuleColumns+" FROM alarm_rules ORDER BY account, code")
	if err != nil {
		return nil, s.backendError("list alarm rules", err)
	}
	defer rows.Close()
	out := []headroom.AlarmRule{}
	for rows.Next() {
		r, err := scanAlarmRule(rows)
		if err != nil {
			return nil, s.backendError("list alarm rules", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.backendError("list alarm rules", err)
	}
	return out, nil
}

// SetAlarmState implements headroom.Store: the level check, the state, the
// audit entry and the notifications are one transaction of the one writer.
func (s *Store) SetAlarmState(ctx context.Context, from headroom.AlarmLevel, st headroom.AlarmState, audit headroom.AuditEntry, out []headroom.Notification) error {
	if err := st.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(w *wtx) error {
		cur := string(headroom.AlarmOK)
		err := w.row("SELECT level FROM alarm_states WHERE account = ? AND code = ? AND scope = ? AND kind = ?",
			st.Key.Account, st.Key.Code, st.Key.Scope, string(st.Kind)).Scan(&cur)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return s.backendError("read alarm state", err)
		}
		if headroom.AlarmLevel(cur) != from {
			return headroom.Errorf(headroom.ECONFLICT, "the %s alarm of %s %s is %s, not %s: another evaluation moved it", st.Kind, st.Key.Code, st.Key.Scope, cur, from)
		}
		_, err = w.exec(`INSERT INTO alarm_states (account, code, scope, kind, level, value, applied, ratio, threshold, since, updated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (account, code, scope, kind) DO UPDATE SET level = excluded.level, value = excluded.value,
				applied = excluded.applied, ratio = excluded.ratio, threshold = excluded.threshold,
				since = excluded.since, updated = excluded.updated`,
			st.Key.Account, st.Key.Code, st.Key.Scope, string(st.Kind), string(st.Level), st.Value, st.Applied, st.Ratio, st.Threshold,
			dbcodec.EncTime(st.Since), dbcodec.EncTime(st.Updated))
		if err != nil {
			return s.backendError("write alarm state", err)
		}
		for _, n := range out {
			_, err := w.exec(`INSERT INTO notifications (id, webhook, body, attempts, next_attempt, created, state, last_error, updated)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, n.ID, n.Webhook, n.Body, n.Attempts, dbcodec.EncTime(n.NextAttempt),
				dbcodec.EncTime(n.Created), string(n.State), n.LastError, dbcodec.EncTime(n.Updated))
			if sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT {
				return headroom.Errorf(headroom.ECONFLICT, "notification %s already exists", n.ID)
			}
			if err != nil {
				return s.backendError("enqueue notification", err)
			}
		}
		return appendAudit(w, audit)
	})
}

// ListAlarmStates implements headroom.Store.
func (s *Store) ListAlarmStates(ctx context.Context, f headroom.AlarmStateFilter) ([]headroom.AlarmState, error) {
	q := "SELECT " + alarmStateColumns + ` FROM alarm_states
		WHERE (? = '' OR account = ?) AND (? = 0 OR level IN ('WARNING', 'CRITICAL')) ORDER BY account, code, scope, kind`
	rows, err := s.readRows(ctx, q, f.Account, f.Account, boolInt(f.Firing))
	if err != nil {
		return nil, s.backendError("list alarm states", err)
	}
	defer rows.Close()
	out := []headroom.AlarmState{}
	for rows.Next() {
		st, err := scanAlarmState(rows)
		if err != nil {
			return nil, s.backendError("list alarm states", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, s.backendError("list alarm states", err)
	}
	return out, nil
}

// alarmRuleColumns are the columns scanAlarmRule reads, in its order.
const alarmRuleColumns = "account, code, warning, critical, hysteresis, off, throttle_count, throttle_minutes, updated"

func scanAlarmRule(sc interface{ Scan(...any) error }) (headroom.AlarmRule, error) {
	var r headroom.AlarmRule
	var off, updated int64
	err := sc.Scan(&r.Account, &r.Code, &r.Thresholds.Warning, &r.Thresholds.Critical, &r.Thresholds.Hysteresis,
		&off, &r.ThrottleCount, &r.ThrottleMinutes, &updated)
	r.Thresholds.Off, r.Updated = off != 0, dbcodec.DecTime(updated)
	return r, err
}

// alarmStateColumns are the columns scanAlarmState reads, in its order.
const alarmStateColumns = "account, code, scope, kind, level, value, applied, ratio, threshold, since, updated"

func scanAlarmState(sc interface{ Scan(...any) error }) (headroom.AlarmState, error) {
	var st headroom.AlarmState
	var kind, level string
	var since, updated int64
	err := sc.Scan(&st.Key.Account, &st.Key.Code, &st.Key.Scope, &kind, &level, &st.Value, &st.Applied, &st.Ratio,
		&st.Threshold, &since, &updated)
	st.Kind, st.Level = headroom.AlarmKind(kind), headroom.AlarmLevel(level)
	st.Since, st.Updated = dbcodec.DecTime(since), dbcodec.DecTime(updated)
	return st, err
}
