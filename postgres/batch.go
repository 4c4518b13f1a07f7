package postgres

import (
	"cmp"
	"context"
	"slices"
	"sync/atomic"

	"github.com/headroomhq/headroom"
	"github.com/jackc/pgx/v5"
)

// Reserves and releases without an idempotency key, the bulk of decisions,
// go through group commit: batchWorkers goroutines each take every change
// waiting at that moment, up to maxBatch, and send them to PostgreSQL as
// one pipelined batch, which runs as one implicit transaction with one
// commit (one WAL flush) and one round trip. Each change is the same
// conditional statement as alone, so a refusal for the limit is an answer,
// not a failure, and does not abort the batch. The changes of a batch are
// sorted by usage key, so that two batches take their row locks in the
// same order and cannot deadlock each other; a batch that fails for a
// serialization failure or a deadlock (against another kind of write) is
// tried again whole, having changed nothing.
const (
	batchWorkers = 4
	maxBatch     = 128
)

// countOp is one reserve or release waiting for its batch.
type countOp struct {
	c       headroom.CountChange
	release bool
	res     headroom.CountResult
	err     error
	// state is opPending until a worker takes the op or its caller
	// abandons it.
	state atomic.Int32
	done  chan struct{}
}

const (
	opPending int32 = iota
	opTaken
	opAbandoned
)

// submit hands op to the batch workers and waits for its answer, within
// the operation timeout.
func (s *Store) submit(ctx context.Context, op *countOp) (headroom.CountResult, error) {
	if s.closed.Load() {
		return headroom.CountResult{}, errClosed
	}
	ctx, cancel := s.opContext(ctx)
	defer cancel()
	op.done = make(chan struct{})
	select {
	case s.ops <- op:
	case <-ctx.Done():
		return headroom.CountResult{}, s.backendError(opName(op), ctx.Err())
	case <-s.stop:
		return headroom.CountResult{}, errClosed
	}
	select {
	case <-op.done:
		return op.res, op.err
	case <-ctx.Done():
		if op.state.CompareAndSwap(opPending, opAbandoned) {
			return headroom.CountResult{}, s.backendError(opName(op), ctx.Err())
		}
		// Taken: the batch is bounded by the operation timeout too.
		<-op.done
		return op.res, op.err
	case <-s.stop:
		if op.state.CompareAndSwap(opPending, opAbandoned) {
			return headroom.CountResult{}, errClosed
		}
		<-op.done
		return op.res, op.err
	}
}

func opName(op *countOp) string {
	if op.release {
		return "release"
	}
	return "reserve"
}

// batchLoop is one batch worker, until Close.
func (s *Store) batchLoop() {
	defer s.wg.Done()
	batch := make([]*countOp, 0, maxBatch)
	for {
		var first *countOp
		select {
		case first = <-s.ops:
		case <-s.stop:
			return
		}
		batch = append(batch[:0], first)
	more:
		for len(batch) < maxBatch {
			select {
			case op := <-s.ops:
				batch = append(batch, op)
			default:
				break more
			}
		}
		s.runBatch(batch)
	}
}

// runBatch answers every op of batch that its caller still waits for.
func (s *Store) runBatch(batch []*countOp) {
	live := batch[:0]
	for _, op := range batch {
		if op.state.CompareAndSwap(opPending, opTaken) {
			live = append(live, op)
		}
	}
	if len(live) == 0 {
		return
	}
	slices.SortFunc(live, func(a, b *countOp) int {
		return cmp.Or(cmp.Compare(a.c.Key.Account, b.c.Key.Account), cmp.Compare(a.c.Key.Code, b.c.Key.Code),
			cmp.Compare(a.c.Key.Scope, b.c.Key.Scope))
	})
	ctx, cancel := s.opContext(context.Background())
	defer cancel()
	var err error
	for attempt := 1; ; attempt++ {
		err = s.sendBatch(ctx, live)
		if err == nil || !retryable(err) || attempt >= s.maxRetries || ctx.Err() != nil || !backoff(ctx, attempt) {
			break
		}
	}
	if err != nil {
		err = s.backendError("apply a batch of usage changes", err)
	}
	s.batches.Add(1)
	s.batched.Add(int64(len(live)))
	for _, op := range live {
		if err != nil {
			op.res, op.err = headroom.CountResult{}, err
		}
		close(op.done)
	}
}

// releaseDelete removes a counter a release left at zero; a reserve in
// between keeps it.
const releaseDelete = "DELETE FROM counts WHERE account = $1 AND code = $2 AND scope = $3 AND used <= 0"

// sendBatch runs the ops as one pipelined batch, one transaction, and sets
// their results.
func (s *Store) sendBatch(ctx context.Context, ops []*countOp) error {
	var b pgx.Batch
	for _, op := range ops {
		k := op.c.Key
		if op.release {
			b.Queue("UPDATE counts SET used = greatest(used - $1, 0) WHERE account = $2 AND code = $3 AND scope = $4 RETURNING used",
				op.c.Amount, k.Account, k.Code, k.Scope)
			b.Queue(releaseDelete, k.Account, k.Code, k.Scope)
		} else {
			b.Queue(reserveOne, k.Account, k.Code, k.Scope, op.c.Amount, op.c.Limit)
		}
	}
	if len(ops) > 1 {
		// Several statements of one pipeline, before one Sync, are one
		// implicit transaction: BEGIN and COMMIT make that explicit.
		b.Queue("COMMIT")
		b.QueuedQueries = append([]*pgx.QueuedQuery{{SQL: "BEGIN"}}, b.QueuedQueries...)
	}
	br := s.pool.SendBatch(ctx, &b)
	if len(ops) > 1 {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return err
		}
	}
	for _, op := range ops {
		if op.release {
			err := br.QueryRow().Scan(&op.res.Used)
			if err != nil && !noRows(err) {
				br.Close()
				return err
			}
			op.res.Applied = true
			if _, err := br.Exec(); err != nil {
				br.Close()
				return err
			}
			continue
		}
		if err := br.QueryRow().Scan(&op.res.Applied, &op.res.Used); err != nil {
			br.Close()
			return err
		}
	}
	if len(ops) > 1 {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return err
		}
	}
	return br.Close()
}
