package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/headroomhq/headroom"
)

// historyBatch is how many samples, or series of a rollup, one write
// transaction takes at most, so that recording never holds the writer (and
// the decisions waiting for it) for long.
const historyBatch = 1000

// RecordHistory implements headroom.HistoryStore: per (series, minute) one
// upsert that keeps the highest Used and adds the rate decisions, in writes
// of historyBatch samples. Bad samples (EINVALID) record nothing; a failed
// write may leave the batches before it recorded, which a retry does not
// double for Used but does for the rate decisions.
func (s *Store) RecordHistory(ctx context.Context, samples []headroom.HistorySample) error {
	merged, err := headroom.MergeHistorySamples(samples)
	if err != nil {
		return err
	}
	for len(merged) > 0 {
		n := min(len(merged), historyBatch)
		part := merged[:n]
		merged = merged[n:]
		if err := s.write(ctx, func(w *wtx) error { return recordHistory(w, part) }); err != nil {
			return err
		}
	}
	return nil
}

func recordHistory(w *wtx, samples []headroom.HistorySample) error {
	for _, x := range samples {
		id, err := seriesID(w, x.Key)
		if err != nil {
			return err
		}
		if _, err := w.exec(`INSERT INTO history_minutes (series, minute, used, allowed, throttled) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (series, minute) DO UPDATE SET used = max(used, excluded.used),
			allowed = allowed + excluded.allowed, throttled = throttled + excluded.throttled`,
			id, headroom.HistoryMinuteOf(x.Minute), x.Used, x.Allowed, x.Throttled); err != nil {
			return w.backendError("record history", err)
		}
	}
	return nil
}

// seriesID returns the id of key's series, creating it if needed. Ids are
// cached once their transaction commits; series are never deleted, so a
// cached id stays right.
func seriesID(w *wtx, key headroom.UsageKey) (int64, error) {
	if id, ok := w.store.series.Load(key); ok {
		return id.(int64), nil
	}
	var id int64
	err := w.row("SELECT id FROM history_series WHERE account = ? AND code = ? AND scope = ?", key.Account, key.Code, key.Scope).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = w.row("INSERT INTO history_series (account, code, scope) VALUES (?, ?, ?) RETURNING id", key.Account, key.Code, key.Scope).Scan(&id)
	}
	if err != nil {
		return 0, w.backendError("find a history series", err)
	}
	w.onCommit(func() { w.store.series.Store(key, id) })
	return id, nil
}

// RollupHistory implements headroom.HistoryStore: one upsert per
// historyBatch series, each reading the series' minute rows of the hour
// through the primary key.
func (s *Store) RollupHistory(ctx context.Context, hour time.Time) (int64, error) {
	var last int64
	if err := s.readRow(ctx, "SELECT coalesce(max(id), 0) FROM history_series").Scan(&last); err != nil {
		return 0, s.backendError("roll up history", err)
	}
	h := headroom.HistoryHourOf(hour)
	var total int64
	for lo := int64(0); lo < last; lo += historyBatch {
		n, err := writeValue(s, ctx, func(w *wtx) (int64, error) {
			n, err := w.execN(`INSERT INTO history_hours (series, hour, max, mean, allowed, throttled)
				SELECT s.id, ?1, max(m.used), sum(m.used) / 60.0, sum(m.allowed), sum(m.throttled)
				FROM history_series s CROSS JOIN history_minutes m ON m.series = s.id AND m.minute >= ?2 AND m.minute < ?3
				WHERE s.id > ?4 AND s.id <= ?5 GROUP BY s.id
				ON CONFLICT (series, hour) DO UPDATE SET max = excluded.max, mean = excluded.mean,
				allowed = excluded.allowed, throttled = excluded.throttled`,
				h, h*60, h*60+60, lo, lo+historyBatch)
			if err != nil {
				return 0, w.backendError("roll up history", err)
			}
			return n, nil
		})
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// ListHistory implements headroom.HistoryStore.
func (s *Store) ListHistory(ctx context.Context, key headroom.UsageKey, resolution time.Duration, from, to time.Time) ([]headroom.HistoryPoint, error) {
	if err := headroom.CheckHistoryResolution(resolution); err != nil {
		return nil, err
	}
	q := `SELECT m.minute, m.used, m.used, m.allowed, m.throttled FROM history_series s
		JOIN history_minutes m ON m.series = s.id
		WHERE s.account = ? AND s.code = ? AND s.scope = ? AND m.minute >= ? AND m.minute < ? ORDER BY m.minute`
	lo, at := headroom.HistoryCeil(resolution, from)
	hi, _ := headroom.HistoryCeil(resolution, to)
	if resolution == headroom.HistoryHour {
		q = `SELECT h.hour, h.max, h.mean, h.allowed, h.throttled FROM history_series s
		JOIN history_hours h ON h.series = s.id
		WHERE s.account = ? AND s.code = ? AND s.scope = ? AND h.hour >= ? AND h.hour < ? ORDER BY h.hour`
	}
	rows, err := s.readRows(ctx, q, key.Account, key.Code, key.Scope, lo, hi)
	if err != nil {
		return nil, s.backendError("list history", err)
	}
	defer rows.Close()
	var out []headroom.HistoryPoint
	for rows.Next() {
		var t int64
		var p headroom.HistoryPoint
		if err := rows.Scan(&t, &p.Max, &p.Mean, &p.Allowed, &p.Throttled); err != nil {
			return nil, s.backendError("list history", err)
		}
		p.Time = at(t)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, s.backendError("list history", err)
	}
	return out, nil
}

// ListThrottled implements headroom.HistoryStore: the account's series
// through their unique index, each one's minutes through the primary key.
func (s *Store) ListThrottled(ctx context.Context, account string, from, to time.Time) ([]headroom.HistorySample, error) {
	lo, _ := headroom.HistoryCeil(headroom.HistoryMinute, from)
	hi, _ := headroom.HistoryCeil(headroom.HistoryMinute, to)
	rows, err := s.readRows(ctx, `SELECT s.code, s.scope, m.minute, m.throttled FROM history_series s
		JOIN history_minutes m ON m.series = s.id
		WHERE s.account = ? AND m.minute >= ? AND m.minute < ? AND m.throttled > 0
		ORDER BY s.code, s.scope, m.minute`, account, lo, hi)
	if err != nil {
		return nil, s.backendError("list throttled", err)
	}
	defer rows.Close()
	var out []headroom.HistorySample
	for rows.Next() {
		var t int64
		x := headroom.HistorySample{Key: headroom.UsageKey{Account: account}}
		if err := rows.Scan(&x.Key.Code, &x.Key.Scope, &t, &x.Throttled); err != nil {
			return nil, s.backendError("list throttled", err)
		}
		x.Minute = headroom.HistoryMinuteTime(t)
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, s.backendError("list throttled", err)
	}
	return out, nil
}

// PurgeHistory implements headroom.HistoryStore: batched deletes that
// find each series' old rows through the primary key.
func (s *Store) PurgeHistory(ctx context.Context, minutesBefore, hoursBefore time.Time) (int64, error) {
	minute, _ := headroom.HistoryCeil(headroom.HistoryMinute, minutesBefore)
	hour, _ := headroom.HistoryCeil(headroom.HistoryHour, hoursBefore)
	n, err := s.purgeRows(ctx, "old history minutes", `DELETE FROM history_minutes WHERE (series, minute) IN
		(SELECT m.series, m.minute FROM history_series s CROSS JOIN history_minutes m ON m.series = s.id AND m.minute < ?1 LIMIT ?2)`,
		minute)
	if err != nil {
		return int64(n), err
	}
	k, err := s.purgeRows(ctx, "old history hours", `DELETE FROM history_hours WHERE (series, hour) IN
		(SELECT h.series, h.hour FROM history_series s CROSS JOIN history_hours h ON h.series = s.id AND h.hour < ?1 LIMIT ?2)`,
		hour)
	return int64(n + k), err
}
