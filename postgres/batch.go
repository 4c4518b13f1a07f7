package postgres

import (
	"cmp"
	"context"
	"slices"
	"sync/atomic"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
	"github.com/jackc/pgx/v5"
)

// Reserves and releases, the bulk of decisions, go through group commit: batchWorkers goroutines each take every change
// waiting at that moment, up to maxBatch, and send them to PostgreSQL as
// one pipelined batch, which runs as one implicit transaction with one
// commit (one WAL flush) and one round trip. Each change is the same
// conditional statement as alone, so a refusal for the limit is an answer,
// not a failure, and does not abort the batch. The changes of a batch are
// sorted by usage key, so that two batches take their row locks in the
// same order and cannot deadlock each other; a batch that fails for a
// serialization failure or a deadlock (against another kind of write) is
// tried again whole, having changed nothing.
//
// A change with an idempotency key is one statement too (reserveKeyed,
// releaseKeyed): it reads the key's record, applies the change only if
// there is none, and records the key only if the change applied. When two
// transactions record the same key at once, the second waits for the
// first and then fails on the key's unique index, which aborts its batch;
// the batch is tried again and the change then replays.
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
		if err == nil || !retryable(err) && !isUnique(err) || attempt >= s.maxRetries || ctx.Err() != nil || !backoff(ctx, attempt) {
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
		switch {
		case op.c.IdempotencyKey != "" && op.release:
			b.Queue(releaseKeyed, k.Account, k.Code, k.Scope, op.c.Amount, op.c.IdempotencyKey, dbcodec.EncTime(op.c.Now))
			b.Queue(releaseDelete, k.Account, k.Code, k.Scope)
		case op.c.IdempotencyKey != "":
			b.Queue(reserveKeyed, k.Account, k.Code, k.Scope, op.c.Amount, op.c.Limit, op.c.IdempotencyKey, dbcodec.EncTime(op.c.Now))
		case op.release:
			b.Queue("UPDATE counts SET used = greatest(used - $1, 0) WHERE account = $2 AND code = $3 AND scope = $4 RETURNING used",
				op.c.Amount, k.Account, k.Code, k.Scope)
			b.Queue(releaseDelete, k.Account, k.Code, k.Scope)
		default:
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
		op.res, op.err = headroom.CountResult{}, nil
		if op.c.IdempotencyKey != "" {
			if err := scanKeyed(br.QueryRow(), op); err != nil {
				br.Close()
				return err
			}
			if op.release {
				if _, err := br.Exec(); err != nil {
					br.Close()
					return err
				}
			}
			continue
		}
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

// keyedResult is the end of reserveKeyed and releaseKeyed: the key's
// earlier record, if any, the counter after the change, if it applied,
// and the counter as the statement found it.
const keyedResult = `
	SELECT p.op, p.code, p.scope, p.amount, (SELECT used FROM up),
		coalesce((SELECT used FROM counts WHERE account = $1 AND code = $2 AND scope = $3), 0)
	FROM (SELECT 1) AS one LEFT JOIN prior p ON true`

// reserveKeyed is a reserve with an idempotency key in one statement:
// $1 account, $2 code, $3 scope, $4 amount, $5 limit, $6 key, $7 now.
const reserveKeyed = `WITH prior AS (
		SELECT op, code, scope, amount FROM idempotency_keys WHERE account = $1 AND key = $6),
	up AS (
		INSERT INTO counts (account, code, scope, used) SELECT $1, $2, $3, $4::bigint
		WHERE $4::bigint <= $5::bigint AND NOT EXISTS (SELECT 1 FROM prior)
		ON CONFLICT (account, code, scope) DO UPDATE SET used = counts.used + excluded.used
		WHERE counts.used + excluded.used <= $5::bigint
		RETURNING used),
	rec AS (
		INSERT INTO idempotency_keys (account, key, op, code, scope, amount, recorded)
		SELECT $1, $6, 'reserve', $2, $3, $4::bigint, $7::bigint FROM up
		RETURNING 1)` + keyedResult

// releaseKeyed is a release with an idempotency key in one statement:
// $1 account, $2 code, $3 scope, $4 amount, $5 key, $6 now.
const releaseKeyed = `WITH prior AS (
		SELECT op, code, scope, amount FROM idempotency_keys WHERE account = $1 AND key = $5),
	up AS (
		UPDATE counts SET used = greatest(used - $4::bigint, 0)
		WHERE account = $1 AND code = $2 AND scope = $3 AND NOT EXISTS (SELECT 1 FROM prior)
		RETURNING used),
	rec AS (
		INSERT INTO idempotency_keys (account, key, op, code, scope, amount, recorded)
		SELECT $1, $5, 'release', $2, $3, $4::bigint, $6::bigint WHERE NOT EXISTS (SELECT 1 FROM prior)
		RETURNING 1)` + keyedResult

// scanKeyed reads the row of reserveKeyed or releaseKeyed into op: a
// replay, a mismatch of the key (op.err), or the change's result.
func scanKeyed(row pgx.Row, op *countOp) error {
	var priorOp, priorCode, priorScope *string
	var priorAmount, after *int64
	var found int64
	if err := row.Scan(&priorOp, &priorCode, &priorScope, &priorAmount, &after, &found); err != nil {
		return err
	}
	name := opName(op)
	switch {
	case priorOp != nil:
		rec := headroom.UsageKey{Account: op.c.Key.Account, Code: *priorCode, Scope: *priorScope}
		if *priorOp != name || rec != op.c.Key || *priorAmount != op.c.Amount {
			op.err = headroom.IdempotencyMismatch(op.c.IdempotencyKey, *priorOp, rec, *priorAmount)
			return nil
		}
		op.res = headroom.CountResult{Applied: true, Used: found, Replayed: true}
	case after != nil:
		op.res = headroom.CountResult{Applied: true, Used: *after}
	case op.release:
		op.res = headroom.CountResult{Applied: true} // no counter: it stays at zero
	default:
		op.res = headroom.CountResult{Used: found} // refused for the limit
	}
	return nil
}
