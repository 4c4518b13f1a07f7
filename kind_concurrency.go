package headroom

import (
	"context"
	"fmt"
	"time"
)

// concurrencyRule: sessions live at the same moment, such as concurrent
// calls. Leases with expiry, renew and release; usage is the number of
// live leases.
var concurrencyRule = kindRule{
	kind:       KindConcurrency,
	ops:        opBits(OpAcquire, OpRenew, OpReleaseLease),
	units:      []Unit{UnitCount},
	adjustable: true,
	usage: func(e *Engine, ctx context.Context, key UsageKey) (int64, error) {
		return e.store.LeaseUsage(ctx, key, e.clock.Now())
	},
	needs: needLease,
}

// MaxLeaseTTL bounds a lease's time to live.
const MaxLeaseTTL = 366 * 24 * time.Hour

func checkLease(op Op, leaseID string, ttl time.Duration) error {
	if leaseID == "" {
		return FieldErrorf("lease_id", "is required")
	}
	if op != OpReleaseLease && (ttl <= 0 || ttl > MaxLeaseTTL) {
		return FieldErrorf("ttl", "must be above zero and at most %v, got %v", MaxLeaseTTL, ttl)
	}
	return nil
}

func (e *Engine) doLease(ctx context.Context, q *Quota, r *Request, a Applied) (Decision, error) {
	d := baseDecision(q, r.Scope, a)
	limit := whole(a.Value)
	now := e.clock.Now()
	c := LeaseChange{
		Key:     UsageKey{Account: r.Account, Code: q.Code, Scope: r.Scope},
		LeaseID: r.LeaseID,
		Limit:   limit,
		Now:     now,
		Expires: now.Add(r.TTL),
	}
	if r.Op == OpAcquire && r.State != "" && q.IsUncounted(r.State) {
		// The seed's rule: a callback waiting in a callback queue holds no
		// slot until it is offered to an agent. Report usage, take nothing.
		used, err := e.store.LeaseUsage(ctx, c.Key, now)
		if err != nil {
			return d, fmt.Errorf("%s %s: %w", r.Op, q.Code, err)
		}
		d.Allowed, d.Used, d.Remaining = true, used, max(limit-used, 0)
		return d, nil
	}
	var res LeaseResult
	var err error
	switch r.Op {
	case OpAcquire:
		res, err = e.store.AcquireLease(ctx, c)
	case OpRenew:
		res, err = e.store.RenewLease(ctx, c)
	default:
		res, err = e.store.ReleaseLease(ctx, c)
		res.Applied = true // releasing a lease that is gone is not a denial
	}
	if err != nil {
		return d, fmt.Errorf("%s %s: %w", r.Op, q.Code, err)
	}
	d.Used, d.Replayed, d.Allowed, d.Expires = res.Used, res.Replayed, res.Applied, res.Expires
	d.Counted = r.Op == OpAcquire && res.Applied
	d.Remaining = max(limit-res.Used, 0)
	if !res.Applied {
		return d, exceeded(q, r, a.Value, res.Used, 1)
	}
	return d, nil
}
