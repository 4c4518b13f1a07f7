package headroom

import (
	"context"
	"fmt"
	"math"
)

// countRule: live resources of a kind in a scope, such as users per
// instance. Reserve and release, idempotent by key; usage is a stored
// counter, which Reconcile may set.
var countRule = kindRule{
	kind:       KindCount,
	ops:        opBits(OpReserve, OpRelease),
	units:      []Unit{UnitCount},
	adjustable: true,
	stored:     true,
	usage:      storedCount,
	needs:      needAmount,
}

// whole converts an applied value to a whole number of units.
func whole(v float64) int64 {
	if v >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(math.Floor(v))
}

func (e *Engine) doCount(ctx context.Context, q *Quota, r *Request, a Applied) (Decision, error) {
	d := baseDecision(q, r.Scope, a)
	limit := whole(a.Value)
	c := CountChange{
		Key:            UsageKey{Account: r.Account, Code: q.Code, Scope: r.Scope},
		Amount:         r.Amount,
		Limit:          limit,
		IdempotencyKey: r.IdempotencyKey,
		Now:            e.clock.Now(),
	}
	var res CountResult
	var err error
	if r.Op == OpRelease {
		res, err = e.store.Release(ctx, c)
	} else {
		res, err = e.store.Reserve(ctx, c)
	}
	if err != nil {
		return d, fmt.Errorf("%s %s: %w", r.Op, q.Code, err)
	}
	d.Used, d.Replayed, d.Allowed = res.Used, res.Replayed, res.Applied
	d.Remaining = max(limit-res.Used, 0)
	if !res.Applied {
		return d, exceeded(q, r, a.Value, res.Used, r.Amount)
	}
	return d, nil
}

// exceeded builds the denial of a count, cumulative or concurrency quota. Its
// message states the limit, as the seed relies on.
func exceeded(q *Quota, r *Request, limit float64, used, requested int64) error {
	return &Error{
		Code: EQUOTAEXCEEDED,
		Message: fmt.Sprintf("%s quota of %g reached for %s (%d in use, %d requested)",
			q.Name, limit, DescribeScope(r.Account, r.Scope), used, requested),
		Denial: &Denial{QuotaCode: q.Code, QuotaName: q.Name, Scope: r.Scope, Limit: limit, Used: used, Requested: requested},
	}
}
