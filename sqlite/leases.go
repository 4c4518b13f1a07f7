package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/dbcodec"
)

// AcquireLease implements headroom.Store. In one transaction it deletes the
// key's expired leases, answers a live lease's holder with its deadline
// (Replayed), or inserts the lease only if the live leases stay within the
// limit.
func (s *Store) AcquireLease(ctx context.Context, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	return writeValue(s, ctx, func(w *wtx) (headroom.LeaseResult, error) { return acquireLease(w, c) })
}

func acquireLease(w *wtx, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	k := c.Key
	if err := dropExpired(w, k, c.Now); err != nil {
		return headroom.LeaseResult{}, err
	}
	var expires int64
	err := w.row("SELECT expires FROM leases WHERE account = ? AND code = ? AND scope = ? AND lease_id = ?",
		k.Account, k.Code, k.Scope, c.LeaseID).Scan(&expires)
	if err == nil {
		used, err := liveLeases(w, k)
		return headroom.LeaseResult{Applied: true, Replayed: true, Used: used, Expires: dbcodec.DecTime(expires)}, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return headroom.LeaseResult{}, w.backendError("acquire lease", err)
	}
	n, err := w.execN(`INSERT INTO leases (account, code, scope, lease_id, expires)
		SELECT ?1, ?2, ?3, ?4, ?5
		WHERE coalesce((SELECT n FROM lease_counts WHERE account = ?1 AND code = ?2 AND scope = ?3), 0) < ?6`,
		k.Account, k.Code, k.Scope, c.LeaseID, dbcodec.EncTime(c.Expires), c.Limit)
	if err != nil {
		return headroom.LeaseResult{}, w.backendError("acquire lease", err)
	}
	used, err := liveLeases(w, k)
	if err != nil || n == 0 {
		return headroom.LeaseResult{Used: used}, err
	}
	return headroom.LeaseResult{Applied: true, Used: used, Expires: dbcodec.NormTime(c.Expires)}, nil
}

// RenewLease implements headroom.Store: ENOTFOUND if the lease does not
// exist or has expired.
func (s *Store) RenewLease(ctx context.Context, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	var res headroom.LeaseResult
	err := s.write(ctx, func(w *wtx) error {
		k := c.Key
		if err := dropExpired(w, k, c.Now); err != nil {
			return err
		}
		n, err := w.execN("UPDATE leases SET expires = ? WHERE account = ? AND code = ? AND scope = ? AND lease_id = ?",
			dbcodec.EncTime(c.Expires), k.Account, k.Code, k.Scope, c.LeaseID)
		if err != nil {
			return s.backendError("renew lease", err)
		}
		if n == 0 {
			return headroom.LeaseNotFound(c)
		}
		used, err := liveLeases(w, k)
		res = headroom.LeaseResult{Applied: true, Used: used, Expires: dbcodec.NormTime(c.Expires)}
		return err
	})
	return res, err
}

// ReleaseLease implements headroom.Store. Releasing a lease that is gone is
// not an error: Applied is false.
func (s *Store) ReleaseLease(ctx context.Context, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	return writeValue(s, ctx, func(w *wtx) (headroom.LeaseResult, error) { return releaseLease(w, c) })
}

func releaseLease(w *wtx, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	k := c.Key
	if err := dropExpired(w, k, c.Now); err != nil {
		return headroom.LeaseResult{}, err
	}
	n, err := w.execN("DELETE FROM leases WHERE account = ? AND code = ? AND scope = ? AND lease_id = ?",
		k.Account, k.Code, k.Scope, c.LeaseID)
	if err != nil {
		return headroom.LeaseResult{}, w.backendError("release lease", err)
	}
	used, err := liveLeases(w, k)
	return headroom.LeaseResult{Applied: n > 0, Used: used}, err
}

// dropExpired deletes the leases of k that have expired at now.
func dropExpired(w *wtx, k headroom.UsageKey, now time.Time) error {
	_, err := w.exec("DELETE FROM leases WHERE account = ? AND code = ? AND scope = ? AND expires <= ?",
		k.Account, k.Code, k.Scope, dbcodec.EncTime(now))
	if err != nil {
		return w.backendError("drop expired leases", err)
	}
	return nil
}

// liveLeases counts k's leases; the caller has dropped the expired ones.
func liveLeases(w *wtx, k headroom.UsageKey) (int64, error) {
	var n int64
	err := w.row("SELECT n FROM lease_counts WHERE account = ? AND code = ? AND scope = ?", k.Account, k.Code, k.Scope).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, w.backendError("count leases", err)
	}
	return n, nil
}

// LeaseUsage implements headroom.Store: the leases of key live at now. It
// reads the key's lease count less its expired leases not yet deleted, so
// its cost does not grow with the live leases.
func (s *Store) LeaseUsage(ctx context.Context, key headroom.UsageKey, now time.Time) (int64, error) {
	var n int64
	if err := s.readRow(ctx, `SELECT coalesce((SELECT n FROM lease_counts WHERE account = ?1 AND code = ?2 AND scope = ?3), 0)
		- (SELECT count(*) FROM leases WHERE account = ?1 AND code = ?2 AND scope = ?3 AND expires <= ?4)`,
		key.Account, key.Code, key.Scope, dbcodec.EncTime(now)).Scan(&n); err != nil {
		return 0, s.backendError("count leases", err)
	}
	return n, nil
}
