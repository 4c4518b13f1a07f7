package postgres

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// querier is what both the pool and a transaction run statements with.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// wtx is a write transaction with the changes to make to the cache once it
// has committed.
type wtx struct {
	pgx.Tx
	ctx   context.Context
	store *Store
	after []func()
}

// exec runs q in the transaction.
func (w *wtx) exec(q string, args ...any) (int64, error) {
	tag, err := w.Exec(w.ctx, q, args...)
	return tag.RowsAffected(), err
}

func (w *wtx) row(q string, args ...any) pgx.Row { return w.QueryRow(w.ctx, q, args...) }

// onCommit registers f to run after the transaction commits.
func (w *wtx) onCommit(f func()) { w.after = append(w.after, f) }

// notify sends a change notification to every Store on the schema when the
// transaction commits.
func (w *wtx) notify(payload string) error {
	_, err := w.Exec(w.ctx, "SELECT pg_notify($1, $2)", w.store.channel, payload)
	return err
}

// lockAccount takes the transaction's advisory lock of an account, which
// orders the writes that check several rows of it.
func (w *wtx) lockAccount(account string) error {
	_, err := w.Exec(w.ctx, "SELECT pg_advisory_xact_lock(1, hashtext($1 || chr(1) || $2))", w.store.schema, account)
	return err
}

// rollback is an error that rolls the transaction back without being a
// failure: the write's answer is already set, such as a refused hold.
var errRollback = errors.New("postgres store: roll back")

// opContext returns ctx bounded by the operation timeout.
func (s *Store) opContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.cfg.OpTimeout)
}

// write runs fn in a transaction of its own, within the operation timeout,
// trying again on a serialization failure or a deadlock, and returns once
// the transaction has committed (or rolled back). fn's *headroom.Error and
// errRollback pass through unchanged; other failures become backendErrors
// of what.
func (s *Store) write(ctx context.Context, what string, fn func(w *wtx) error) error {
	if s.closed.Load() {
		return errClosed
	}
	ctx, cancel := s.opContext(ctx)
	defer cancel()
	for attempt := 1; ; attempt++ {
		w := &wtx{ctx: ctx, store: s}
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			w.Tx = tx
			return fn(w)
		})
		if err == nil {
			for _, f := range w.after {
				f()
			}
			return nil
		}
		if errors.Is(err, errRollback) {
			return err
		}
		if (retryable(err) || errors.Is(err, errRetry)) && attempt < s.maxRetries && ctx.Err() == nil {
			if backoff(ctx, attempt) {
				continue
			}
		}
		return s.backendError(what, err)
	}
}

// backoff waits a random time that grows with attempt, and reports false
// if ctx ended first.
func backoff(ctx context.Context, attempt int) bool {
	d := time.Duration(rand.Int64N(int64(attempt)*int64(2*time.Millisecond))) + time.Millisecond
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// writeValue is write for a function with a result.
func writeValue[T any](s *Store, ctx context.Context, what string, fn func(w *wtx) (T, error)) (T, error) {
	var v T
	err := s.write(ctx, what, func(w *wtx) error {
		var err error
		v, err = fn(w)
		return err
	})
	return v, err
}

// read runs fn with the pool within the operation timeout, trying again
// on a serialization failure or a deadlock; other failures become
// backendErrors of what.
func (s *Store) read(ctx context.Context, what string, fn func(ctx context.Context, q querier) error) error {
	return s.readWithin(ctx, what, s.cfg.OpTimeout, fn)
}

// readWithin is read bounded by timeout instead of the operation timeout,
// for calls whose size, not PostgreSQL's health, sets how long they take.
func (s *Store) readWithin(ctx context.Context, what string, timeout time.Duration, fn func(ctx context.Context, q querier) error) error {
	if s.closed.Load() {
		return errClosed
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		err := fn(ctx, s.pool)
		if err == nil {
			return nil
		}
		if retryable(err) && attempt < s.maxRetries && ctx.Err() == nil && backoff(ctx, attempt) {
			continue
		}
		return s.backendError(what, err)
	}
}

// noRows reports whether err says a single-row query found none.
func noRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
