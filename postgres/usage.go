package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
	"github.com/jackc/pgx/v5"
)

// The ops an idempotency key records.
const (
	opReserve = "reserve"
	opRelease = "release"
)

// errRetry makes write run its transaction again: another transaction
// recorded the same idempotency key first, which the retry replays.
var errRetry = errors.New("postgres store: try the transaction again")

// reserveOne is a reserve without an idempotency key in one statement: the
// conditional upsert, or, when the limit refuses it, the counter as the
// statement saw it.
const reserveOne = `WITH up AS (
		INSERT INTO counts (account, code, scope, used) SELECT $1, $2, $3, $4::bigint WHERE $4::bigint <= $5::bigint
		ON CONFLICT (account, code, scope) DO UPDATE SET used = counts.used + excluded.used
		WHERE counts.used + excluded.used <= $5::bigint
		RETURNING used)
	SELECT true, used FROM up
	UNION ALL
	SELECT false, coalesce((SELECT used FROM counts WHERE account = $1 AND code = $2 AND scope = $3), 0)
	WHERE NOT EXISTS (SELECT 1 FROM up)`

// Reserve implements headroom.Store: one conditional statement (with an
// idempotency key, one that also checks and records the key), sent with
// the other changes waiting at the same moment in one group commit (see
// batch.go). The call returns after the commit.
func (s *Store) Reserve(ctx context.Context, c headroom.CountChange) (headroom.CountResult, error) {
	return s.submit(ctx, &countOp{c: c})
}

func reserve(w *wtx, c headroom.CountChange) (headroom.CountResult, error) {
	if r, done, err := replay(w, opReserve, c); done || err != nil {
		return r, err
	}
	return reserveNew(w, c)
}

// reserveNew applies a reserve whose idempotency key is new (or absent), if
// it stays within the limit, and records the key. When the limit refuses
// it, nothing is recorded; the caller rolls back.
func reserveNew(w *wtx, c headroom.CountChange) (headroom.CountResult, error) {
	k := c.Key
	var res headroom.CountResult
	if err := w.row(reserveOne, k.Account, k.Code, k.Scope, c.Amount, c.Limit).Scan(&res.Applied, &res.Used); err != nil {
		return res, err
	}
	if !res.Applied {
		return res, nil
	}
	return res, record(w, opReserve, c)
}

// Release implements headroom.Store. Usage never goes below zero. It goes
// through group commit, as Reserve does.
func (s *Store) Release(ctx context.Context, c headroom.CountChange) (headroom.CountResult, error) {
	return s.submit(ctx, &countOp{c: c, release: true})
}

func release(w *wtx, c headroom.CountChange) (headroom.CountResult, error) {
	if r, done, err := replay(w, opRelease, c); done || err != nil {
		return r, err
	}
	used, err := releaseCount(w.ctx, w, c)
	if err != nil {
		return headroom.CountResult{}, err
	}
	if err := record(w, opRelease, c); err != nil {
		return headroom.CountResult{}, err
	}
	return headroom.CountResult{Applied: true, Used: used}, nil
}

// releaseCount subtracts c.Amount from the counter, never below zero, and
// deletes it at zero.
func releaseCount(ctx context.Context, q querier, c headroom.CountChange) (int64, error) {
	k := c.Key
	var used int64
	err := q.QueryRow(ctx, "UPDATE counts SET used = greatest(used - $1, 0) WHERE account = $2 AND code = $3 AND scope = $4 RETURNING used",
		c.Amount, k.Account, k.Code, k.Scope).Scan(&used)
	switch {
	case noRows(err):
		return 0, nil
	case err != nil:
		return 0, err
	case used <= 0:
		// Only a counter still at zero goes: a reserve in between keeps it.
		_, err = q.Exec(ctx, "DELETE FROM counts WHERE account = $1 AND code = $2 AND scope = $3 AND used <= 0", k.Account, k.Code, k.Scope)
	}
	return used, err
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
	err = w.row("SELECT op, code, scope, amount FROM idempotency_keys WHERE account = $1 AND key = $2",
		c.Key.Account, c.IdempotencyKey).Scan(&recOp, &rec.Code, &rec.Scope, &amount)
	if noRows(err) {
		return res, false, nil
	}
	if err != nil {
		return res, true, err
	}
	if recOp != op || rec != c.Key || amount != c.Amount {
		return res, true, headroom.IdempotencyMismatch(c.IdempotencyKey, recOp, rec, amount)
	}
	used, err := countOf(w, c.Key)
	return headroom.CountResult{Applied: true, Used: used, Replayed: true}, true, err
}

// record remembers the idempotency key of an applied change. If another
// transaction recorded it first, the whole transaction is tried again, and
// then replays.
func record(w *wtx, op string, c headroom.CountChange) error {
	if c.IdempotencyKey == "" {
		return nil
	}
	_, err := w.exec("INSERT INTO idempotency_keys (account, key, op, code, scope, amount, recorded) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		c.Key.Account, c.IdempotencyKey, op, c.Key.Code, c.Key.Scope, c.Amount, dbcodec.EncTime(c.Now))
	if isUnique(err) {
		return errRetry
	}
	return err
}

// countOf reads a counter in the transaction.
func countOf(w *wtx, k headroom.UsageKey) (int64, error) {
	var used int64
	err := w.row("SELECT used FROM counts WHERE account = $1 AND code = $2 AND scope = $3", k.Account, k.Code, k.Scope).Scan(&used)
	if noRows(err) {
		return 0, nil
	}
	return used, err
}

// SetUsage implements headroom.Store.
func (s *Store) SetUsage(ctx context.Context, key headroom.UsageKey, used int64, audit headroom.AuditEntry) error {
	return s.write(ctx, "set usage", func(w *wtx) error {
		var err error
		if used <= 0 {
			_, err = w.exec("DELETE FROM counts WHERE account = $1 AND code = $2 AND scope = $3", key.Account, key.Code, key.Scope)
		} else {
			_, err = w.exec(`INSERT INTO counts (account, code, scope, used) VALUES ($1, $2, $3, $4)
				ON CONFLICT (account, code, scope) DO UPDATE SET used = excluded.used`, key.Account, key.Code, key.Scope, used)
		}
		if err != nil {
			return err
		}
		return appendAudit(w, audit)
	})
}

// CountUsage implements headroom.Store.
func (s *Store) CountUsage(ctx context.Context, key headroom.UsageKey) (int64, error) {
	var used int64
	err := s.read(ctx, "read usage", func(ctx context.Context, q querier) error {
		err := q.QueryRow(ctx, "SELECT used FROM counts WHERE account = $1 AND code = $2 AND scope = $3",
			key.Account, key.Code, key.Scope).Scan(&used)
		if noRows(err) {
			return nil
		}
		return err
	})
	return used, err
}

// ListUsage implements headroom.Store: the account's non-zero counters and
// live lease counts, ordered by code then scope.
func (s *Store) ListUsage(ctx context.Context, account string, now time.Time) ([]headroom.Usage, error) {
	var out []headroom.Usage
	err := s.read(ctx, "list usage", func(ctx context.Context, q querier) (err error) {
		out, err = collect(ctx, q, func(r pgx.Row) (headroom.Usage, error) {
			u := headroom.Usage{Key: headroom.UsageKey{Account: account}}
			err := r.Scan(&u.Key.Code, &u.Key.Scope, &u.Used)
			return u, err
		}, `SELECT code, scope, used FROM counts WHERE account = $1 AND used > 0
			UNION ALL
			SELECT code, scope, count(*) FROM leases WHERE account = $1 AND expires > $2 GROUP BY code, scope
			ORDER BY 1, 2`, account, dbcodec.EncTime(now))
		return err
	})
	return out, err
}

// AddCounter implements headroom.Store: one upsert that adds n and returns
// the new value.
func (s *Store) AddCounter(ctx context.Context, key headroom.UsageKey, n int64) (int64, error) {
	if n < 1 {
		return 0, headroom.FieldErrorf("n", "must be at least 1, got %d", n)
	}
	var v int64
	err := s.read(ctx, "add to counter", func(ctx context.Context, q querier) error {
		return q.QueryRow(ctx, `INSERT INTO counters (account, code, scope, value) VALUES ($1, $2, $3, $4)
			ON CONFLICT (account, code, scope) DO UPDATE SET value = counters.value + excluded.value RETURNING value`,
			key.Account, key.Code, key.Scope, n).Scan(&v)
	})
	return v, err
}

// Counter implements headroom.Store.
func (s *Store) Counter(ctx context.Context, key headroom.UsageKey) (int64, error) {
	var v int64
	err := s.read(ctx, "read counter", func(ctx context.Context, q querier) error {
		err := q.QueryRow(ctx, "SELECT value FROM counters WHERE account = $1 AND code = $2 AND scope = $3",
			key.Account, key.Code, key.Scope).Scan(&v)
		if noRows(err) {
			return nil
		}
		return err
	})
	return v, err
}
