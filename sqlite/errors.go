package sqlite

import (
	"context"
	"errors"

	"github.com/headroomhq/headroom"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// errClosed is returned by every call on a closed Store.
var errClosed = headroom.Errorf(headroom.EUNAVAILABLE, "the sqlite store is closed")

// backendError turns a failure of SQLite or of the file system during what
// into an *headroom.Error: EUNAVAILABLE for conditions that may pass (a full
// disk, an I/O error, a lock, a cancelled context), EINTERNAL for the rest.
// The cause stays in the chain for errors.Is and errors.As. The Store's and
// the writer's backendError methods also count the failure; this one is for
// code that runs without a store.
func backendError(what string, err error) error {
	e, _ := newBackendError(what, err)
	return e
}

// newBackendError is backendError, and reports whether the failure is one
// of the database (or the file system under it), as opposed to an error
// already explained or a context that ended.
func newBackendError(what string, err error) (error, bool) {
	if err == nil {
		return nil, false
	}
	var he *headroom.Error
	if errors.As(err, &he) {
		return err, false
	}
	code := headroom.EINTERNAL
	counted := true
	var se *sqlite.Error
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		code, counted = headroom.EUNAVAILABLE, false
	case errors.As(err, &se):
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_INTERRUPT: // a context that ended, during a statement
			code, counted = headroom.EUNAVAILABLE, false
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL,
			sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_NOMEM:
			code = headroom.EUNAVAILABLE
		}
	}
	return withCause(headroom.Errorf(code, "the sqlite store could not %s: %v", what, err), err), counted
}

// backendError is the package's backendError, counting the failure in
// Stats.InternalErrors and remembering damage for Ready.
func (s *Store) backendError(what string, err error) error {
	e, counted := newBackendError(what, err)
	if counted {
		s.noteError(err)
	}
	return e
}

// backendError is the Store's backendError, for the writer's operations.
func (w *wtx) backendError(what string, err error) error { return w.store.backendError(what, err) }

// noteError counts an internal error; one that reveals damage also makes
// Ready fail from then on.
func (s *Store) noteError(cause error) {
	s.stats.internalErrors.Add(1)
	switch sqliteCode(cause) {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		s.damage.CompareAndSwap(nil, &cause)
	}
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

// sqliteCode returns the primary SQLite result code in err's chain, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

func unknownAccount(id string) error {
	return headroom.Errorf(headroom.EUNKNOWNACCOUNT, "account %s does not exist", id)
}
