package postgres

import (
	"context"
	"time"

	"github.com/headroomhq/headroom"
)

// AcquireLease implements headroom.Store. In one transaction, under the
// advisory lock of the usage key, it deletes the key's expired leases,
// answers a live lease's holder with its deadline (Replayed), or inserts
// the lease only if the live leases stay within the limit.
func (s *Store) AcquireLease(ctx context.Context, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	return writeValue(s, ctx, "acquire lease", func(w *wtx) (headroom.LeaseResult, error) { return acquireLease(w, c) })
}

func acquireLease(w *wtx, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	k := c.Key
	if err := w.lockKey(k.Account, k.Code, k.Scope); err != nil {
		return headroom.LeaseResult{}, err
	}
	if err := dropExpired(w, k, c.Now); err != nil {
		return headroom.LeaseResult{}, err
	}
	var expires int64
	err := w.row("SELECT expires FROM leases WHERE account = $1 AND code = $2 AND scope = $3 AND lease_id = $4",
		k.Account, k.Code, k.Scope, c.LeaseID).Scan(&expires)
	if err == nil {
		used, err := liveLeases(w, k)
		return headroom.LeaseResult{Applied: true, Replayed: true, Used: used, Expires: dec(expires)}, err
	}
	if !noRows(err) {
		return headroom.LeaseResult{}, err
	}
	used, err := liveLeases(w, k)
	if err != nil || used >= c.Limit {
		return headroom.LeaseResult{Used: used}, err
	}
	if _, err := w.exec("INSERT INTO leases (account, code, scope, lease_id, expires) VALUES ($1, $2, $3, $4, $5)",
		k.Account, k.Code, k.Scope, c.LeaseID, enc(c.Expires)); err != nil {
		return headroom.LeaseResult{}, err
	}
	return headroom.LeaseResult{Applied: true, Used: used + 1, Expires: norm(c.Expires)}, nil
}

// RenewLease implements headroom.Store: ENOTFOUND if the lease does not
// exist or has expired.
func (s *Store) RenewLease(ctx context.Context, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	return writeValue(s, ctx, "renew lease", func(w *wtx) (headroom.LeaseResult, error) {
		k := c.Key
		if err := w.lockKey(k.Account, k.Code, k.Scope); err != nil {
			return headroom.LeaseResult{}, err
		}
		if err := dropExpired(w, k, c.Now); err != nil {
			return headroom.LeaseResult{}, err
		}
		n, err := w.exec("UPDATE leases SET expires = $1 WHERE account = $2 AND code = $3 AND scope = $4 AND lease_id = $5",
			enc(c.Expires), k.Account, k.Code, k.Scope, c.LeaseID)
		if err != nil {
			return headroom.LeaseResult{}, err
		}
		if n == 0 {
			return headroom.LeaseResult{}, headroom.LeaseNotFound(c)
		}
		used, err := liveLeases(w, k)
		return headroom.LeaseResult{Applied: true, Used: used, Expires: norm(c.Expires)}, err
	})
}

// ReleaseLease implements headroom.Store. Releasing a lease that is gone is
// not an error: Applied is false.
func (s *Store) ReleaseLease(ctx context.Context, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	return writeValue(s, ctx, "release lease", func(w *wtx) (headroom.LeaseResult, error) { return releaseLease(w, c) })
}

func releaseLease(w *wtx, c headroom.LeaseChange) (headroom.LeaseResult, error) {
	k := c.Key
	if err := w.lockKey(k.Account, k.Code, k.Scope); err != nil {
		return headroom.LeaseResult{}, err
	}
	if err := dropExpired(w, k, c.Now); err != nil {
		return headroom.LeaseResult{}, err
	}
	n, err := w.exec("DELETE FROM leases WHERE account = $1 AND code = $2 AND scope = $3 AND lease_id = $4",
		k.Account, k.Code, k.Scope, c.LeaseID)
	if err != nil {
		return headroom.LeaseResult{}, err
	}
	used, err := liveLeases(w, k)
	return headroom.LeaseResult{Applied: n > 0, Used: used}, err
}

// dropExpired deletes the leases of k that have expired at now.
func dropExpired(w *wtx, k headroom.UsageKey, now time.Time) error {
	_, err := w.exec("DELETE FROM leases WHERE account = $1 AND code = $2 AND scope = $3 AND expires <= $4",
		k.Account, k.Code, k.Scope, enc(now))
	return err
}

// liveLeases counts k's leases; the caller has dropped the expired ones.
func liveLeases(w *wtx, k headroom.UsageKey) (int64, error) {
	var n int64
	err := w.row("SELECT count(*) FROM leases WHERE account = $1 AND code = $2 AND scope = $3", k.Account, k.Code, k.Scope).Scan(&n)
	return n, err
}

// LeaseUsage implements headroom.Store: the leases of key live at now.
func (s *Store) LeaseUsage(ctx context.Context, key headroom.UsageKey, now time.Time) (int64, error) {
	var n int64
	err := s.read(ctx, "count leases", func(ctx context.Context, q querier) error {
		return q.QueryRow(ctx, "SELECT count(*) FROM leases WHERE account = $1 AND code = $2 AND scope = $3 AND expires > $4",
			key.Account, key.Code, key.Scope, enc(now)).Scan(&n)
	})
	return n, err
}
