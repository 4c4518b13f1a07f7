package postgres

import (
	"context"
	"sort"
	"time"

	"github.com/headroomhq/headroom"
)

// historyBatch is how many samples one transaction records at most.
const historyBatch = 1000

// RecordHistory implements headroom.HistoryStore: per historyBatch
// samples, one transaction of two statements, the first creating the
// series not seen before and the second upserting the minute rows (the
// highest Used, the sum of the rate decisions). The samples are written in
// one order, so that nodes recording the same series do not deadlock. Bad
// samples (EINVALID) record nothing; a failed call may leave the batches
// before it recorded, which a retry does not double for Used but does for
// the rate decisions.
func (s *Store) RecordHistory(ctx context.Context, samples []headroom.HistorySample) error {
	merged, err := headroom.MergeHistorySamples(samples)
	if err != nil {
		return err
	}
	sort.Slice(merged, func(i, j int) bool {
		a, b := merged[i], merged[j]
		if a.Key != b.Key {
			if a.Key.Account != b.Key.Account {
				return a.Key.Account < b.Key.Account
			}
			if a.Key.Code != b.Key.Code {
				return a.Key.Code < b.Key.Code
			}
			return a.Key.Scope < b.Key.Scope
		}
		return a.Minute.Before(b.Minute)
	})
	for len(merged) > 0 {
		n := min(len(merged), historyBatch)
		part := merged[:n]
		merged = merged[n:]
		if err := s.write(ctx, "record history", func(w *wtx) error { return recordHistory(w, part) }); err != nil {
			return err
		}
	}
	return nil
}

func recordHistory(w *wtx, samples []headroom.HistorySample) error {
	n := len(samples)
	accounts, codes, scopes := make([]string, n), make([]string, n), make([]string, n)
	minutes := make([]int64, n)
	used, allowed, throttled := make([]int64, n), make([]int64, n), make([]int64, n)
	for i, x := range samples {
		accounts[i], codes[i], scopes[i] = x.Key.Account, x.Key.Code, x.Key.Scope
		minutes[i] = headroom.HistoryMinuteOf(x.Minute)
		used[i], allowed[i], throttled[i] = x.Used, x.Allowed, x.Throttled
	}
	// A statement of its own, so that the next one's snapshot sees the
	// series that another transaction created while this one waited.
	if _, err := w.exec(`INSERT INTO history_series (account, code, scope)
		SELECT DISTINCT a, c, s FROM unnest($1::text[], $2::text[], $3::text[]) AS x(a, c, s) ORDER BY a, c, s
		ON CONFLICT (account, code, scope) DO NOTHING`, accounts, codes, scopes); err != nil {
		return err
	}
	_, err := w.exec(`INSERT INTO history_minutes (series, minute, used, allowed, throttled)
		SELECT s.id, x.m, x.u, x.al, x.th
		FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[]) WITH ORDINALITY AS x(a, c, sc, m, u, al, th, i)
		JOIN history_series s ON s.account = x.a AND s.code = x.c AND s.scope = x.sc
		ORDER BY x.i
		ON CONFLICT (series, minute) DO UPDATE SET used = GREATEST(history_minutes.used, excluded.used),
		allowed = history_minutes.allowed + excluded.allowed, throttled = history_minutes.throttled + excluded.throttled`,
		accounts, codes, scopes, minutes, used, allowed, throttled)
	return err
}

// RollupHistory implements headroom.HistoryStore: one upsert that reads
// each series' minute rows of the hour through the primary key.
func (s *Store) RollupHistory(ctx context.Context, hour time.Time) (int64, error) {
	h := headroom.HistoryHourOf(hour)
	return writeValue(s, ctx, "roll up history", func(w *wtx) (int64, error) {
		return w.exec(`INSERT INTO history_hours (series, hour, max, mean, allowed, throttled)
			SELECT s.id, $1, a.mx, a.total / 60.0, a.al, a.th FROM history_series s
			CROSS JOIN LATERAL (SELECT count(*) AS n, max(used) AS mx, sum(used)::double precision AS total,
				sum(allowed) AS al, sum(throttled) AS th
				FROM history_minutes m WHERE m.series = s.id AND m.minute >= $2 AND m.minute < $3) a
			WHERE a.n > 0
			ON CONFLICT (series, hour) DO UPDATE SET max = excluded.max, mean = excluded.mean,
			allowed = excluded.allowed, throttled = excluded.throttled`, h, h*60, h*60+60)
	})
}

// ListHistory implements headroom.HistoryStore.
func (s *Store) ListHistory(ctx context.Context, key headroom.UsageKey, resolution time.Duration, from, to time.Time) ([]headroom.HistoryPoint, error) {
	if err := headroom.CheckHistoryResolution(resolution); err != nil {
		return nil, err
	}
	q := `SELECT m.minute, m.used, m.used::double precision, m.allowed, m.throttled FROM history_series s
		JOIN history_minutes m ON m.series = s.id
		WHERE s.account = $1 AND s.code = $2 AND s.scope = $3 AND m.minute >= $4::bigint AND m.minute < $5::bigint ORDER BY m.minute`
	lo, at := headroom.HistoryCeil(resolution, from)
	hi, _ := headroom.HistoryCeil(resolution, to)
	if resolution == headroom.HistoryHour {
		q = `SELECT h.hour, h.max, h.mean, h.allowed, h.throttled FROM history_series s
		JOIN history_hours h ON h.series = s.id
		WHERE s.account = $1 AND s.code = $2 AND s.scope = $3 AND h.hour >= $4::bigint AND h.hour < $5::bigint ORDER BY h.hour`
	}
	var out []headroom.HistoryPoint
	err := s.read(ctx, "list history", func(ctx context.Context, db querier) error {
		out = out[:0]
		rows, err := db.Query(ctx, q, key.Account, key.Code, key.Scope, lo, hi)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t int64
			var p headroom.HistoryPoint
			if err := rows.Scan(&t, &p.Max, &p.Mean, &p.Allowed, &p.Throttled); err != nil {
				return err
			}
			p.Time = at(t)
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// ListThrottled implements headroom.HistoryStore: the account's series
// through their unique index, each one's minutes through the primary key.
func (s *Store) ListThrottled(ctx context.Context, account string, from, to time.Time) ([]headroom.HistorySample, error) {
	lo, _ := headroom.HistoryCeil(headroom.HistoryMinute, from)
	hi, _ := headroom.HistoryCeil(headroom.HistoryMinute, to)
	var out []headroom.HistorySample
	err := s.read(ctx, "list throttled", func(ctx context.Context, db querier) error {
		out = out[:0]
		rows, err := db.Query(ctx, `SELECT s.code, s.scope, m.minute, m.throttled FROM history_series s
			JOIN history_minutes m ON m.series = s.id
			WHERE s.account = $1 AND m.minute >= $2::bigint AND m.minute < $3::bigint AND m.throttled > 0
			ORDER BY s.code, s.scope, m.minute`, account, lo, hi)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t int64
			x := headroom.HistorySample{Key: headroom.UsageKey{Account: account}}
			if err := rows.Scan(&x.Key.Code, &x.Key.Scope, &t, &x.Throttled); err != nil {
				return err
			}
			x.Minute = headroom.HistoryMinuteTime(t)
			out = append(out, x)
		}
		return rows.Err()
	})
	return out, err
}

// PurgeHistory implements headroom.HistoryStore: batched deletes that
// find each series' old rows through the primary key.
func (s *Store) PurgeHistory(ctx context.Context, minutesBefore, hoursBefore time.Time) (int64, error) {
	minute, _ := headroom.HistoryCeil(headroom.HistoryMinute, minutesBefore)
	hour, _ := headroom.HistoryCeil(headroom.HistoryHour, hoursBefore)
	n, err := s.purgeRows(ctx, "old history minutes", `DELETE FROM history_minutes WHERE (series, minute) IN
		(SELECT o.series, o.minute FROM history_series s CROSS JOIN LATERAL
			(SELECT series, minute FROM history_minutes WHERE series = s.id AND minute < $1::bigint LIMIT $2) o LIMIT $2)`,
		minute)
	if err != nil {
		return int64(n), err
	}
	k, err := s.purgeRows(ctx, "old history hours", `DELETE FROM history_hours WHERE (series, hour) IN
		(SELECT o.series, o.hour FROM history_series s CROSS JOIN LATERAL
			(SELECT series, hour FROM history_hours WHERE series = s.id AND hour < $1::bigint LIMIT $2) o LIMIT $2)`,
		hour)
	return int64(n + k), err
}
