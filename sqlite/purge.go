package sqlite

import (
	"context"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
)

// purgeBatch is how many rows one purge transaction deletes at most, so a
// purge never holds the writer for long.
const purgeBatch = 1000

// Purge implements headroom.Store: it deletes the leases expired at now and
// the idempotency keys recorded before keysBefore, purgeBatch rows per write,
// so that decisions waiting for the writer are served between batches.
func (s *Store) Purge(ctx context.Context, now, keysBefore time.Time) (headroom.PurgeResult, error) {
	var res headroom.PurgeResult
	n, err := s.purgeRows(ctx, "expired leases", `DELETE FROM leases WHERE (account, code, scope, lease_id) IN
		(SELECT account, code, scope, lease_id FROM leases WHERE expires <= ? LIMIT ?)`, dbcodec.EncTime(now))
	res.Leases = n
	if err != nil {
		return res, err
	}
	res.IdempotencyKeys, err = s.purgeRows(ctx, "old idempotency keys", `DELETE FROM idempotency_keys WHERE (account, key) IN
		(SELECT account, key FROM idempotency_keys WHERE recorded < ? LIMIT ?)`, dbcodec.EncTime(keysBefore))
	if err != nil {
		return res, err
	}
	n, err = s.purgeRows(ctx, "old resource tokens", `DELETE FROM resource_tokens WHERE (account, key) IN
		(SELECT account, key FROM resource_tokens WHERE created < ? LIMIT ?)`, dbcodec.EncTime(keysBefore))
	res.Tokens += n
	if err != nil {
		return res, err
	}
	n, err = s.purgeRows(ctx, "expired resource tokens", `DELETE FROM resource_tokens WHERE (account, key) IN
		(SELECT account, key FROM resource_tokens WHERE expires <= ? LIMIT ?)`, dbcodec.EncTime(now))
	res.Tokens += n
	return res, err
}

// PurgeAudit implements headroom.Store: it deletes the audit entries older
// than before, purgeBatch rows per write.
func (s *Store) PurgeAudit(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.purgeRows(ctx, "old audit entries", `DELETE FROM audit WHERE id IN
		(SELECT id FROM audit WHERE time < ? ORDER BY id LIMIT ?)`, dbcodec.EncTime(before))
	return int64(n), err
}

// purgeRows runs del, a batched delete taking a time and a batch size, until
// a batch deletes fewer than purgeBatch rows. It returns the rows deleted.
func (s *Store) purgeRows(ctx context.Context, what, del string, before int64) (int, error) {
	total := 0
	for {
		var n int64
		err := s.write(ctx, func(w *wtx) (err error) {
			n, err = w.execN(del, before, purgeBatch)
			if err != nil {
				return s.backendError("purge "+what, err)
			}
			return nil
		})
		total += int(n)
		if err != nil || n < purgeBatch {
			return total, err
		}
	}
}

// purgeLoop is the background purge: every PurgeInterval it removes leases
// expired at Clock.Now() and idempotency keys older than
// IdempotencyRetention. Close stops it.
func (s *Store) purgeLoop() {
	defer close(s.purgeDone)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.purgeStop:
			cancel()
		case <-ctx.Done():
		}
	}()
	t := time.NewTicker(s.cfg.PurgeInterval)
	defer t.Stop()
	for {
		select {
		case <-s.purgeStop:
			return
		case <-t.C:
		}
		now := s.cfg.Clock.Now()
		res, err := s.Purge(ctx, now, now.Add(-s.cfg.IdempotencyRetention))
		s.stats.purgedLease.Add(int64(res.Leases))
		s.stats.purgedKeys.Add(int64(res.IdempotencyKeys))
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("headroom: background purge failed; it will run again", "path", s.path, "err", err)
			}
			continue
		}
		s.stats.purgeRuns.Add(1)
	}
}
