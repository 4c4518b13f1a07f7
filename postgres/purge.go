package postgres

import (
	"context"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
)

// purgeBatch is how many rows one purge statement deletes at most, so that
// a purge never holds many row locks for long.
const purgeBatch = 1000

// Purge implements headroom.Store: it deletes the leases expired at now,
// the idempotency keys recorded before keysBefore and the resource tokens
// created before keysBefore or expired at now, purgeBatch rows per
// statement, each statement its own transaction.
func (s *Store) Purge(ctx context.Context, now, keysBefore time.Time) (headroom.PurgeResult, error) {
	var res headroom.PurgeResult
	var err error
	res.Leases, err = s.purgeRows(ctx, "expired leases", `DELETE FROM leases WHERE ctid IN
		(SELECT ctid FROM leases WHERE expires <= $1 LIMIT $2)`, dbcodec.EncTime(now))
	if err != nil {
		return res, err
	}
	res.IdempotencyKeys, err = s.purgeRows(ctx, "old idempotency keys", `DELETE FROM idempotency_keys WHERE ctid IN
		(SELECT ctid FROM idempotency_keys WHERE recorded < $1 LIMIT $2)`, dbcodec.EncTime(keysBefore))
	if err != nil {
		return res, err
	}
	n, err := s.purgeRows(ctx, "old resource tokens", `DELETE FROM resource_tokens WHERE ctid IN
		(SELECT ctid FROM resource_tokens WHERE created < $1 LIMIT $2)`, dbcodec.EncTime(keysBefore))
	res.Tokens += n
	if err != nil {
		return res, err
	}
	n, err = s.purgeRows(ctx, "expired resource tokens", `DELETE FROM resource_tokens WHERE ctid IN
		(SELECT ctid FROM resource_tokens WHERE expires <= $1 LIMIT $2)`, dbcodec.EncTime(now))
	res.Tokens += n
	return res, err
}

// PurgeAudit implements headroom.Store: it deletes the audit entries older
// than before, purgeBatch rows per statement.
func (s *Store) PurgeAudit(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.purgeRows(ctx, "old audit entries", `DELETE FROM audit WHERE id IN
		(SELECT id FROM audit WHERE time < $1 ORDER BY id LIMIT $2)`, dbcodec.EncTime(before))
	return int64(n), err
}

// purgeRows runs del, a batched delete taking a time and a batch size, until
// a batch deletes fewer than purgeBatch rows. It returns the rows deleted.
func (s *Store) purgeRows(ctx context.Context, what, del string, before int64) (int, error) {
	total := 0
	for {
		var n int64
		err := s.read(ctx, "purge "+what, func(ctx context.Context, q querier) error {
			tag, err := q.Exec(ctx, del, before, purgeBatch)
			n = tag.RowsAffected()
			return err
		})
		total += int(n)
		if err != nil || n < purgeBatch {
			return total, err
		}
	}
}
