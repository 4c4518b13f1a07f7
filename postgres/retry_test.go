package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/testsvc"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestRetry runs writes whose transactions PostgreSQL aborts for a
// serialization failure or a deadlock: they are tried again, a bounded
// number of times, and a write that never gets through fails with
// EUNAVAILABLE, never EINTERNAL.
func TestRetry(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{URL: testsvc.Postgres(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, code := range []string{sqlstateSerialization, sqlstateDeadlock} {
		attempts := 0
		err := s.write(ctx, "test", func(w *wtx) error {
			attempts++
			if attempts < 4 {
				return &pgconn.PgError{Code: code}
			}
			_, err := w.exec("INSERT INTO counters (account, code, scope, value) VALUES ($1, 'L-1', 'account', 1)", code)
			return err
		})
		if err != nil || attempts != 4 {
			t.Fatalf("%s three times, then success: %v after %d attempts; want success after 4", code, err, attempts)
		}
		attempts = 0
		err = s.write(ctx, "test", func(w *wtx) error {
			attempts++
			return &pgconn.PgError{Code: code}
		})
		if headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE || attempts != DefaultMaxRetries {
			t.Fatalf("%s always: %v after %d attempts; want EUNAVAILABLE after %d", code, err, attempts, DefaultMaxRetries)
		}
	}
	var n int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM counters").Scan(&n); err != nil || n != 2 {
		t.Fatalf("counters rows = %d, %v; want one per successful write", n, err)
	}
	if got := s.Stats().InternalErrors; got != 0 {
		t.Fatalf("InternalErrors = %d after retryable failures, want 0", got)
	}
	// A statement PostgreSQL rejects is EINTERNAL, and counted.
	err = s.write(ctx, "test", func(w *wtx) error {
		_, err := w.exec("SELECT * FROM no_such_table")
		return err
	})
	if headroom.ErrorCodeOf(err) != headroom.EINTERNAL || s.Stats().InternalErrors != 1 {
		t.Fatalf("a bad statement = %v with %d internal errors; want EINTERNAL, counted", err, s.Stats().InternalErrors)
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42P01" {
		t.Fatalf("the cause %v is not in the chain", err)
	}
}
