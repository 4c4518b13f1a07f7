package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
)

// The ops an idempotency key records.
const (
	opReserve = "reserve"
	opRelease = "release"
)

// Reserve implements headroom.Store. The limit check and the change are one
// conditional statement in the writer's transaction, together with the
// idempotency record; the call returns after the commit is on disk.
func (s *Store) Reserve(ctx context.Context, c headroom.CountChange) (headroom.CountResult, error) {
	return writeValue(s, ctx, func(w *wtx) (headroom.CountResult, error) { return reserve(w, c) })
}

func reserve(w *wtx, c headroom.CountChange) (headroom.CountResult, error) {
	if r, done, err := replay(w, opReserve, c); done || err != nil {
		return r, err
	}
	return reserveNew(w, c)
}

// reserveNew applies a reserve whose idempotency key is new (or absent), if
// it stays within the limit, and records the key.
func reserveNew(w *wtx, c headroom.CountChange) (headroom.CountResult, error) {
	k := c.Key
	var used int64
	err := w.row(`INSERT INTO counts (account, code, scope, used) SELECT ?1, ?2, ?3, ?4 WHERE ?4 <= ?5
		ON CONFLICT (account, code, scope) DO UPDATE SET used = counts.used + excluded.used
		WHERE counts.used + excluded.used <= ?5
		RETURNING used`, k.Account, k.Code, k.Scope, c.Amount, c.Limit).Scan(&used)
	if errors.Is(err, sql.ErrNoRows) {
		// Refused for the limit: nothing changed, nothing is recorded.
		used, err = countOf(w, k)
		return headroom.CountResult{Used: used}, err
	}
	if err != nil {
		return headroom.CountResult{}, w.backendError("reserve", err)
	}
	if err := record(w, opReserve, c); err != nil {
		return headroom.CountResult{}, err
	}
	return headroom.CountResult{Applied: true, Used: used}, nil
}

// Release implements headroom.Store. Usage never goes below zero.
func (s *Store) Release(ctx context.Context, c headroom.CountChange) (headroom.CountResult, error) {
	return writeValue(s, ctx, func(w *wtx) (headroom.CountResult, error) { return release(w, c) })
}

func release(w *wtx, c headroom.CountChange) (headroom.CountResult, error) {
	if r, done, err := replay(w, opRelease, c); done || err != nil {
		return r, err
	}
	return releaseNew(w, c)
}

// releaseNew applies a release whose idempotency key is new (or absent) and
// records the key.
func releaseNew(w *wtx, c headroom.CountChange) (headroom.CountResult, error) {
	k := c.Key
	var used int64
	err := w.row("UPDATE counts SET used = max(used - ?, 0) WHERE account = ? AND code = ? AND scope = ? RETURNING used",
		c.Amount, k.Account, k.Code, k.Scope).Scan(&used)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		used = 0
	case err != nil:
		return headroom.CountResult{}, w.backendError("release", err)
	case used <= 0:
		if _, err := w.exec("DELETE FROM counts WHERE account = ? AND code = ? AND scope = ?", k.Account, k.Code, k.Scope); err != nil {
			return headroom.CountResult{}, w.backendError("release", err)
		}
	}
	if err := record(w, opRelease, c); err != nil {
		return headroom.CountResult{}, err
	}
	return headroom.CountResult{Applied: true, Used: used}, nil
}

// replay answers a change whose idempotency key was used before: the first
// result if it is the same change, ECONFLICT if not. done is false when the
// key is new (or there is none).
func replay(w *wtx, op string, c headroom.CountChange) (res headroom.CountResult, done bool, err error) {
	if c.IdempotencyKey == "" {
		return res, false, nil
	}
	rec := headroom.UsageKey{Account: c.Key.Account}
	var recOp string
	var amount int64
	err = w.row("SELECT op, code, scope, amount FROM idempotency_keys WHERE account = ? AND key = ?",
		c.Key.Account, c.IdempotencyKey).Scan(&recOp, &rec.Code, &rec.Scope, &amount)
	if errors.Is(err, sql.ErrNoRows) {
		return res, false, nil
	}
	if err != nil {
		return res, true, w.backendError("look up idempotency key", err)
	}
	if recOp != op || rec != c.Key || amount != c.Amount {
		return res, true, headroom.IdempotencyMismatch(c.IdempotencyKey, recOp, rec, amount)
	}
	used, err := countOf(w, c.Key)
	return headroom.CountResult{Applied: true, Used: used, Replayed: true}, true, err
}

// record remembers the idempotency key of an applied change.
func record(w *wtx, op string, c headroom.CountChange) error {
	if c.IdempotencyKey == "" {
		return nil
	}
	_, err := w.exec("INSERT INTO idempotency_keys (account, key, op, code, scope, amount, recorded) VALUES (?, ?, ?, ?, ?, ?, ?)",
		c.Key.Account, c.IdempotencyKey, op, c.Key.Code, c.Key.Scope, c.Amount, dbcodec.EncTime(c.Now))
	if err != nil {
		return w.backendError("record idempotency key", err)
	}
	return nil
}

// countOf reads a counter in the transaction.
func countOf(w *wtx, k headroom.UsageKey) (int64, error) {
	var used int64
	err := w.row("SELECT used FROM counts WHERE account = ? AND code = ? AND scope = ?", k.Account, k.Code, k.Scope).Scan(&used)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, w.backendError("read usage", err)
	}
	return used, nil
}

// SetUsage implements headroom.Store.
func (s *Store) SetUsage(ctx context.Context, key headroom.UsageKey, used int64, audit headroom.AuditEntry) error {
	return s.write(ctx, func(w *wtx) error {
		var err error
		if used <= 0 {
			_, err = w.exec("DELETE FROM counts WHERE account = ? AND code = ? AND scope = ?", key.Account, key.Code, key.Scope)
		} else {
			_, err = w.exec(`INSERT INTO counts (account, code, scope, used) VALUES (?, ?, ?, ?)
				ON CONFLICT (account, code, scope) DO UPDATE SET used = excluded.used`, key.Account, key.Code, key.Scope, used)
		}
		if err != nil {
			return s.backendError("set usage", err)
		}
		return appendAudit(w, audit)
	})
}

// CountUsage implements headroom.Store.
func (s *Store) CountUsage(ctx context.Context, key headroom.UsageKey) (int64, error) {
	var used int64
	err := s.readRow(ctx, "SELECT used FROM counts WHERE account = ? AND code = ? AND scope = ?",
		key.Account, key.Code, key.Scope).Scan(&used)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, s.backendError("read usage", err)
	}
	return used, nil
}

// ListUsage implements headroom.Store: the account's non-zero counters and
// live lease counts, ordered by code then scope.
func (s *Store) ListUsage(ctx context.Context, account string, now time.Time) ([]headroom.Usage, error) {
	rows, err := s.readRows(ctx, `SELECT code, scope, used FROM counts WHERE account = ?1 AND used > 0
		UNION ALL
		SELECT code, scope, count(*) FROM leases WHERE account = ?1 AND expires > ?2 GROUP BY code, scope
		ORDER BY 1, 2`, account, dbcodec.EncTime(now))
	if err != nil {
		return nil, s.backendError("list usage", err)
	}
	defer rows.Close()
	var out []headroom.Usage
	for rows.Next() {
		u := headroom.Usage{Key: headroom.UsageKey{Account: account}}
		if err := rows.Scan(&u.Key.Code, &u.Key.Scope, &u.Used); err != nil {
			return nil, s.backendError("list usage", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, s.backendError("list usage", err)
	}
	return out, nil
}

// AddCounter implements headroom.Store: one upsert that adds n and returns
// the new value.
func (s *Store) AddCounter(ctx context.Context, key headroom.UsageKey, n int64) (int64, error) {
	if n < 1 {
		return 0, headroom.FieldErrorf("n", "must be at least 1, got %d", n)
	}
	return writeValue(s, ctx, func(w *wtx) (int64, error) {
		var v int64
		err := w.row(`INSERT INTO counters (account, code, scope, value) VALUES (?, ?, ?, ?)
			ON CONFLICT (account, code, scope) DO UPDATE SET value = value + excluded.value RETURNING value`,
			key.Account, key.Code, key.Scope, n).Scan(&v)
		if err != nil {
			return 0, s.backendError("add to counter", err)
		}
		return v, nil
	})
}

// Counter implements headroom.Store.
func (s *Store) Counter(ctx context.Context, key headroom.UsageKey) (int64, error) {
	var v int64
	err := s.readRow(ctx, "SELECT value FROM counters WHERE account = ? AND code = ? AND scope = ?", key.Account, key.Code, key.Scope).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, s.backendError("read counter", err)
	}
	return v, nil
}
