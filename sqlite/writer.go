package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"

	"github.com/headroomhq/headroom"
)

// A write operation runs on the writer goroutine, inside the writer's
// transaction and its own savepoint. It returns an error to undo its
// changes; what it registers with wtx.onCommit runs only if the transaction
// commits.
type writeFunc func(w *wtx) error

// writeOp is one write operation handed to the writer.
type writeOp struct {
	fn    writeFunc
	err   error
	state atomic.Int32
	done  chan struct{} // closed when err is final and the change is durable
}

// The states of a writeOp. The writer takes a pending op; a caller whose
// context ends abandons a pending op, which the writer then skips. Once
// taken, an op always runs to its answer.
const (
	opPending int32 = iota
	opTaken
	opAbandoned
)

// wtx is the writer's connection and the state of its open transaction.
// Only the writer goroutine uses it (and Open, before the writer starts).
type wtx struct {
	store *Store
	ctx   context.Context
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
	after []func()
}

func newWtx(s *Store, conn *sql.Conn) *wtx {
	return &wtx{store: s, ctx: context.Background(), conn: conn, stmts: map[string]*sql.Stmt{}}
}

// stmt returns the prepared statement of q, preparing it once.
func (w *wtx) stmt(q string) (*sql.Stmt, error) {
	if st, ok := w.stmts[q]; ok {
		return st, nil
	}
	st, err := w.conn.PrepareContext(w.ctx, q)
	if err != nil {
		return nil, err
	}
	w.stmts[q] = st
	return st, nil
}

func (w *wtx) exec(q string, args ...any) (sql.Result, error) {
	st, err := w.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(w.ctx, args...)
}

// execN runs q and returns the number of rows it changed.
func (w *wtx) execN(q string, args ...any) (int64, error) {
	res, err := w.exec(q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (w *wtx) query(q string, args ...any) (*sql.Rows, error) {
	st, err := w.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(w.ctx, args...)
}

// row is a single-row query's result; Scan returns sql.ErrNoRows for none.
type row struct {
	r   *sql.Row
	err error
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.r.Scan(dest...)
}

func (w *wtx) row(q string, args ...any) row {
	st, err := w.stmt(q)
	if err != nil {
		return row{err: err}
	}
	return row{r: st.QueryRowContext(w.ctx, args...)}
}

// onCommit registers f to run after the transaction commits, before any
// caller of the batch is answered. The cache is updated this way.
func (w *wtx) onCommit(f func()) { w.after = append(w.after, f) }

func (w *wtx) close() error {
	var first error
	for _, st := range w.stmts {
		if err := st.Close(); err != nil && first == nil {
			first = err
		}
	}
	if err := w.conn.Close(); err != nil && first == nil {
		first = err
	}
	return first
}

// write hands fn to the writer and waits until its transaction has
// committed (and so is on disk) or failed. If ctx ends before the writer has
// taken fn, fn never runs and write returns an EUNAVAILABLE error wrapping
// ctx.Err(); once taken, write waits for the outcome whatever ctx does, so a
// change is never made without its caller learning of it.
// writeValue runs fn as one write, like write, and returns what it computed.
func writeValue[T any](s *Store, ctx context.Context, fn func(w *wtx) (T, error)) (T, error) {
	var res T
	err := s.write(ctx, func(w *wtx) (err error) {
		res, err = fn(w)
		return err
	})
	return res, err
}

func (s *Store) write(ctx context.Context, fn writeFunc) error {
	if err := ctx.Err(); err != nil {
		return s.backendError("start a write", err)
	}
	op := &writeOp{fn: fn, done: make(chan struct{})}
	s.closeMu.RLock()
	if s.closed.Load() {
		s.closeMu.RUnlock()
		return errClosed
	}
	select {
	case s.ops <- op:
		s.closeMu.RUnlock()
	case <-ctx.Done():
		s.closeMu.RUnlock()
		return s.backendError("start a write", ctx.Err())
	}
	select {
	case <-op.done:
		return op.err
	case <-ctx.Done():
		if op.state.CompareAndSwap(opPending, opAbandoned) {
			return s.backendError("finish a write", ctx.Err())
		}
		<-op.done
		return op.err
	}
}

// writeLoop is the writer goroutine. It takes the operations waiting at one
// moment, up to MaxBatch, runs them in one transaction and answers them
// after the commit. It ends when ops is closed and drained.
func (s *Store) writeLoop() {
	defer close(s.writerDone)
	batch := make([]*writeOp, 0, s.cfg.MaxBatch)
	for op := range s.ops {
		batch = append(batch[:0], op)
	drain:
		for len(batch) < s.cfg.MaxBatch {
			select {
			case op, ok := <-s.ops:
				if !ok {
					break drain
				}
				batch = append(batch, op)
			default:
				break drain
			}
		}
		s.runBatch(batch)
		clear(batch)
	}
}

// runBatch runs ops in one transaction and answers them.
func (s *Store) runBatch(batch []*writeOp) {
	ops := batch[:0]
	for _, op := range batch {
		if op.state.CompareAndSwap(opPending, opTaken) {
			ops = append(ops, op)
		}
	}
	if len(ops) == 0 {
		return
	}
	w := s.w
	w.after = w.after[:0]
	if err := s.execBatch(ops); err != nil {
		// Nothing of the batch is on disk. Every op fails with the
		// transaction, even one that had failed on its own: its error may
		// have come from an earlier op of the batch, now undone.
		for _, op := range ops {
			op.err = err
		}
	} else {
		s.cache.mu.Lock()
		for _, f := range w.after {
			f()
		}
		s.cache.mu.Unlock()
		s.stats.commits.Add(1)
	}
	clear(w.after)
	s.stats.writes.Add(int64(len(ops)))
	for _, op := range ops {
		close(op.done)
	}
}

// execBatch runs ops in one transaction, each in a savepoint so that an
// op's failure undoes only its own changes, and commits. It returns an error
// only if the transaction as a whole failed. A batch of one op needs no
// savepoint: its failure rolls the transaction back.
func (s *Store) execBatch(ops []*writeOp) (err error) {
	w := s.w
	if _, err := w.exec("BEGIN IMMEDIATE"); err != nil {
		return s.backendError("begin a transaction", err)
	}
	defer func() {
		if err != nil {
			w.exec("ROLLBACK") // fails harmlessly if SQLite already rolled back
		}
	}()
	multi := len(ops) > 1
	for _, op := range ops {
		if multi {
			if _, err := w.exec("SAVEPOINT op"); err != nil {
				return s.backendError("begin a savepoint", err)
			}
		}
		mark := len(w.after)
		op.err = runOp(w, op.fn)
		if op.err != nil {
			clear(w.after[mark:])
			w.after = w.after[:mark]
			if multi {
				if _, err := w.exec("ROLLBACK TO op"); err != nil {
					return s.backendError("roll back a savepoint", err)
				}
			}
		}
		if multi {
			if _, err := w.exec("RELEASE op"); err != nil {
				return s.backendError("release a savepoint", err)
			}
		}
	}
	if !multi && ops[0].err != nil {
		if _, err := w.exec("ROLLBACK"); err != nil {
			return s.backendError("roll back", err)
		}
		return nil
	}
	if _, err := w.exec("COMMIT"); err != nil {
		return s.backendError("commit", err)
	}
	return nil
}

// runOp runs fn, turning a panic into an EINTERNAL error so that one bad
// operation cannot stop the writer.
func runOp(w *wtx, fn writeFunc) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = headroom.Errorf(headroom.EINTERNAL, "sqlite store: write panicked: %v", p)
			w.store.stats.internalErrors.Add(1)
		}
	}()
	return fn(w)
}

// rstmt returns the read pool's prepared statement of q, preparing it once.
func (s *Store) rstmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := s.rstmts.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.rdb.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.rstmts.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// readRow runs a single-row query on the read pool.
func (s *Store) readRow(ctx context.Context, q string, args ...any) row {
	if s.closed.Load() {
		return row{err: errClosed}
	}
	st, err := s.rstmt(ctx, q)
	if err != nil {
		return row{err: err}
	}
	return row{r: st.QueryRowContext(ctx, args...)}
}

// readRows runs a query on the read pool.
func (s *Store) readRows(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	st, err := s.rstmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// storeStats are the writer's counters.
type storeStats struct {
	commits     atomic.Int64
	writes      atomic.Int64
	purgeRuns   atomic.Int64
	purgedLease atomic.Int64
	purgedKeys  atomic.Int64
	// internalErrors counts the failures of SQLite and of the file system
	// under it, as backendError reports them.
	internalErrors atomic.Int64
}

// Stats are counters of a Store's work since Open.
type Stats struct {
	// Commits is the number of transactions the writer committed.
	Commits int64
	// Writes is the number of write operations it answered; Writes/Commits
	// is the mean group-commit batch.
	Writes int64
	// PurgeRuns is the number of background purges that completed.
	PurgeRuns int64
	// Purged counts what the background purges removed.
	Purged headroom.PurgeResult
	// InternalErrors counts the failures of the database or of the file
	// system under it that reached a caller (or the background purge): I/O
	// errors, a full disk, a lock held too long, damage, a panicking write.
	// A cancelled or expired context is not one. A server exports it as a
	// counter; any rise deserves a look at the log.
	InternalErrors int64
}

// Stats returns the store's counters. It is safe for concurrent use.
func (s *Store) Stats() Stats {
	return Stats{
		Commits:        s.stats.commits.Load(),
		Writes:         s.stats.writes.Load(),
		PurgeRuns:      s.stats.purgeRuns.Load(),
		InternalErrors: s.stats.internalErrors.Load(),
		Purged: headroom.PurgeResult{
			Leases:          int(s.stats.purgedLease.Load()),
			IdempotencyKeys: int(s.stats.purgedKeys.Load()),
		},
	}
}

// String describes the counters, for logs.
func (st Stats) String() string {
	return fmt.Sprintf("%d writes in %d commits; %d purges removed %d leases and %d idempotency keys; %d internal errors",
		st.Writes, st.Commits, st.PurgeRuns, st.Purged.Leases, st.Purged.IdempotencyKeys, st.InternalErrors)
}
