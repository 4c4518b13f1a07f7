package postgres

import (
	"context"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
	"github.com/jackc/pgx/v5"
)

// A lease change is a few statements run under the transaction-scoped
// advisory lock of its usage key, which orders the changes of one key:
// each statement sees what the ones before it did, so they are queued
// together and sent as one pipelined batch. Alone, the batch is its own
// transaction (BEGIN to COMMIT): one round trip and one commit. Inside a
// resource write it runs in that write's transaction.

// The statements of lease changes: $1 account, $2 code, $3 scope.
const (
	leaseLock  = "SELECT pg_advisory_xact_lock(2, hashtext($4 || chr(1) || $1 || chr(1) || $2 || chr(1) || $3))"
	leaseDrop  = "DELETE FROM leases WHERE account = $1 AND code = $2 AND scope = $3 AND expires <= $4"
	leaseFind  = "SELECT (SELECT expires FROM leases WHERE account = $1 AND code = $2 AND scope = $3 AND lease_id = $4)"
	leaseCount = "SELECT count(*) FROM leases WHERE account = $1 AND code = $2 AND scope = $3"
	leaseTake  = `INSERT INTO leases (account, code, scope, lease_id, expires)
		SELECT $1, $2, $3, $4, $5
		WHERE NOT EXISTS (SELECT 1 FROM leases WHERE account = $1 AND code = $2 AND scope = $3 AND lease_id = $4)
		AND (SELECT count(*) FROM leases WHERE account = $1 AND code = $2 AND scope = $3) < $6`
	leaseRenew   = "UPDATE leases SET expires = $5 WHERE account = $1 AND code = $2 AND scope = $3 AND lease_id = $4"
	leaseRelease = "DELETE FROM leases WHERE account = $1 AND code = $2 AND scope = $3 AND lease_id = $4"
)

// leaseOp is the kind of a lease change.
type leaseOp int

const (
	leaseAcquire leaseOp = iota
	leaseRenewOp
	leaseReleaseOp
)

// batcher sends a batch: the pool, or a transaction.
type batcher interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// changeLease applies one lease change with q, in one round trip. When
// own is true the batch is wrapped in BEGIN and COMMIT, as its own
// transaction.
func (s *Store) changeLease(ctx context.Context, q batcher, own bool, op leaseOp, c headroom.LeaseChange) (res headroom.LeaseResult, err error) {
	k := c.Key
	var b pgx.Batch
	if own {
		b.Queue("BEGIN")
	}
	b.Queue(leaseLock, k.Account, k.Code, k.Scope, s.schema)
	b.Queue(leaseDrop, k.Account, k.Code, k.Scope, dbcodec.EncTime(c.Now))
	switch op {
	case leaseAcquire:
		b.Queue(leaseFind, k.Account, k.Code, k.Scope, c.LeaseID)
		b.Queue(leaseTake, k.Account, k.Code, k.Scope, c.LeaseID, dbcodec.EncTime(c.Expires), c.Limit)
	case leaseRenewOp:
		b.Queue(leaseRenew, k.Account, k.Code, k.Scope, c.LeaseID, dbcodec.EncTime(c.Expires))
	case leaseReleaseOp:
		b.Queue(leaseRelease, k.Account, k.Code, k.Scope, c.LeaseID)
	}
	b.Queue(leaseCount, k.Account, k.Code, k.Scope)
	if own {
		b.Queue("COMMIT")
	}
	br := q.SendBatch(ctx, &b)
	defer func() {
		if cerr := br.Close(); err == nil && cerr != nil {
			res, err = headroom.LeaseResult{}, cerr
		}
	}()
	if own {
		if _, err := br.Exec(); err != nil {
			return res, err
		}
	}
	if _, err := br.Exec(); err != nil { // lock
		return res, err
	}
	if _, err := br.Exec(); err != nil { // drop expired
		return res, err
	}
	var found *int64
	if op == leaseAcquire {
		if err := br.QueryRow().Scan(&found); err != nil {
			return res, err
		}
	}
	tag, err := br.Exec()
	if err != nil {
		return res, err
	}
	if err := br.QueryRow().Scan(&res.Used); err != nil {
		return res, err
	}
	if own {
		if _, err := br.Exec(); err != nil {
			return res, err
		}
	}
	changed := tag.RowsAffected() > 0
	switch op {
	case leaseAcquire:
		switch {
		case found != nil:
			res.Applied, res.Replayed, res.Expires = true, true, dbcodec.DecTime(*found)
		case changed:
			res.Applied, res.Expires = true, dbcodec.NormTime(c.Expires)
		}
	case leaseRenewOp:
		if !changed {
			return headroom.LeaseResult{}, headroom.LeaseNotFound(c)
		}
		res.Applied, res.Expires = true, dbcodec.NormTime(c.Expires)
	case leaseReleaseOp:
		res.Applied = changed
	}
	return res, nil
}

// lease runs a lease change as its own transaction, within the operation
// timeout, trying again on a serialization failure or a deadlock.
func (s *Store) lease(ctx context.Context, what string, op leaseOp, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	var res headroom.LeaseResult
	err := s.read(ctx, what, func(ctx context.Context, _ querier) (err error) {
		res, err = s.changeLease(ctx, s.pool, true, op, c)
		return err
	})
	if err != nil {
		return headroom.LeaseResult{}, err
	}
	return res, nil
}

// AcquireLease implements headroom.Store. In one transaction, under the
// advisory lock of the usage key, it deletes the key's expired leases,
// answers a live lease's holder with its deadline (Replayed), or inserts
// the lease only if the live leases stay within the limit.
//
// A key that is full answers without the lock: many callers racing for a
// full key's slots are refused at the speed of a read, instead of queuing
// one commit at a time behind its lock until they time out.
func (s *Store) AcquireLease(ctx context.Context, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	if res, full, err := s.leaseFull(ctx, c); err != nil || full {
		return res, err
	}
	return s.lease(ctx, "acquire lease", leaseAcquire, c)
}

// leaseFullCheck reads, in one snapshot, whether lease $4 is live and how
// many leases of the key are live at $5.
const leaseFullCheck = `SELECT EXISTS (SELECT 1 FROM leases WHERE account = $1 AND code = $2 AND scope = $3 AND lease_id = $4 AND expires > $5),
	(SELECT count(*) FROM leases WHERE account = $1 AND code = $2 AND scope = $3 AND expires > $5)`

// leaseFull reports whether an acquire of c must be refused for the limit:
// the lease is not live and the key's live leases already fill it. The
// answer holds at the moment of the read, which is when the refusal takes
// effect; any other case goes on to the locked change.
func (s *Store) leaseFull(ctx context.Context, c headroom.LeaseChange) (headroom.LeaseResult, bool, error) {
	k := c.Key
	var held bool
	var live int64
	err := s.read(ctx, "acquire lease", func(ctx context.Context, q querier) error {
		return q.QueryRow(ctx, leaseFullCheck, k.Account, k.Code, k.Scope, c.LeaseID, dbcodec.EncTime(c.Now)).Scan(&held, &live)
	})
	if err != nil {
		return headroom.LeaseResult{}, false, err
	}
	if held || live < c.Limit {
		return headroom.LeaseResult{}, false, nil
	}
	return headroom.LeaseResult{Used: live}, true, nil
}

// RenewLease implements headroom.Store: ENOTFOUND if the lease does not
// exist or has expired.
func (s *Store) RenewLease(ctx context.Context, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	return s.lease(ctx, "renew lease", leaseRenewOp, c)
}

// ReleaseLease implements headroom.Store. Releasing a lease that is gone is
// not an error: Applied is false.
func (s *Store) ReleaseLease(ctx context.Context, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	return s.lease(ctx, "release lease", leaseReleaseOp, c)
}

// acquireLease and releaseLease change a lease inside a resource write's
// transaction.
func acquireLease(w *wtx, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	return w.store.changeLease(w.ctx, w.Tx, false, leaseAcquire, c)
}

func releaseLease(w *wtx, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	return w.store.changeLease(w.ctx, w.Tx, false, leaseReleaseOp, c)
}

// LeaseUsage implements headroom.Store: the leases of key live at now.
func (s *Store) LeaseUsage(ctx context.Context, key headroom.UsageKey, now time.Time) (int64, error) {
	var n int64
	err := s.read(ctx, "count leases", func(ctx context.Context, q querier) error {
		return q.QueryRow(ctx, "SELECT count(*) FROM leases WHERE account = $1 AND code = $2 AND scope = $3 AND expires > $4",
			key.Account, key.Code, key.Scope, dbcodec.EncTime(now)).Scan(&n)
	})
	return n, err
}
