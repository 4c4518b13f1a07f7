package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/jackc/pgx/v5/pgconn"
)

// errClosed is returned by every call on a closed Store.
var errClosed = headroom.Errorf(headroom.EUNAVAILABLE, "the postgres store is closed")

// The SQLSTATEs of a transaction that PostgreSQL aborted and that may
// succeed if tried again.
const (
	sqlstateSerialization = "40001"
	sqlstateDeadlock      = "40P01"
	sqlstateUnique        = "23505"
)

// retryable reports whether err is a serialization failure or a deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == sqlstateSerialization || pe.Code == sqlstateDeadlock
	}
	return false
}

// isUnique reports whether err is a unique violation.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == sqlstateUnique
}

// unavailable reports whether err is a failure that may pass: PostgreSQL
// unreachable or overloaded, a connection lost, a call out of time.
func unavailable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || retryable(err) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code[:2] {
		case "08", // connection exception
			"53", // insufficient resources
			"57", // operator intervention: shutdown, cancel, cannot connect now
			"58": // system error
			return true
		}
		return false
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	if errors.As(err, &ne) || errors.As(err, &ce) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) {
		return true
	}
	// Any other error without a SQLSTATE comes from the link or the
	// driver's connection handling (a closed connection, an unexpected
	// EOF): it may pass.
	return true
}

// linkLost reports whether err is the loss of a connection: neither an
// error PostgreSQL answered nor the end of a context.
func linkLost(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code[:2] == "08" || pe.Code == "57P01"
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.As(err, &ne) && !ne.Timeout() || errors.As(err, &ce) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "conn closed")
}

// backendError turns a failure of PostgreSQL during what into an
// *headroom.Error: EUNAVAILABLE for failures that may pass, EINTERNAL for
// the rest, which Stats counts. An *headroom.Error passes unchanged. The
// cause stays in the chain for errors.Is and errors.As.
func (s *Store) backendError(what string, err error) error {
	if err == nil {
		return nil
	}
	var he *headroom.Error
	if errors.As(err, &he) {
		return err
	}
	code := headroom.EUNAVAILABLE
	if linkLost(err) && s.pool != nil {
		// Every pooled connection went down with this one, most likely:
		// drop them all, so that calls made once PostgreSQL is back
		// open new ones rather than fail on the dead ones, one by one.
		s.pool.Reset()
	}
	if !unavailable(err) {
		code = headroom.EINTERNAL
		s.internalErrors.Add(1)
	}
	return withCause(headroom.Errorf(code, "the postgres store could not %s: %v", what, err), err)
}

// causedError is an *headroom.Error whose message already tells its cause,
// and which unwraps to both, for errors.Is and errors.As.
type causedError struct {
	err   *headroom.Error
	cause error
}

func withCause(err *headroom.Error, cause error) error { return &causedError{err: err, cause: cause} }

func (e *causedError) Error() string   { return e.err.Error() }
func (e *causedError) Unwrap() []error { return []error{e.err, e.cause} }

func unknownAccount(id string) error {
	return headroom.Errorf(headroom.EUNKNOWNACCOUNT, "account %s does not exist", id)
}
