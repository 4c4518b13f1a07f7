package headroom

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"
)

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

func (e *Engine) doRate(ctx context.Context, q *Quota, r *Request, a Applied) (Decision, error) {
	d := baseDecision(q, r.Scope, a)
	// An account-scoped bucket is one per account, shared by every user and
	// instance of it: the scope carries no user or instance.
	key := UsageKey{Account: r.Account, Code: q.Code, Scope: r.Scope}
	res, err := e.limiter.Take(ctx, key, RateLimit{Rate: a.Value, Burst: a.Burst}, r.Amount)
	if err != nil {
		return d, fmt.Errorf("take %s: %w", q.Code, err)
	}
	d.Allowed, d.Remaining, d.RetryAfter, d.At = res.Allowed, res.Remaining, res.RetryAfter, res.At
	if !res.Allowed {
		// Throttling is the hot denial: the message is built without fmt, and
		// the error and its denial share one allocation.
		var buf [256]byte
		b := append(buf[:0], q.Name...)
		b = append(b, " quota of "...)
		b = strconv.AppendFloat(b, a.Value, 'g', -1, 64)
		b = append(b, " per second (burst "...)
		b = strconv.AppendInt(b, a.Burst, 10)
		b = append(b, ") exceeded for "...)
		b = appendScope(b, r.Account, r.Scope)
		b = append(b, "; retry after "...)
		b = append(b, res.RetryAfter.Round(time.Millisecond).String()...)
		ed := &struct {
			e Error
			d Denial
		}{
			e: Error{Code: ETHROTTLED, Message: string(b)},
			d: Denial{QuotaCode: q.Code, QuotaName: q.Name, Scope: r.Scope, Limit: a.Value,
				Used: a.Burst - res.Remaining, Requested: r.Amount, RetryAfter: res.RetryAfter},
		}
		ed.e.Denial = &ed.d
		return d, &ed.e
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

// Usage returns the current usage of a count, cumulative or concurrency
// quota in a scope; zero for other kinds.
func (e *Engine) Usage(ctx context.Context, account, code, scope string) (int64, error) {
	q, err := e.catalog.Quota(code)
	if err != nil {
		return 0, err
	}
	if scope == "" {
		scope = ScopeAccount
	}
	key := UsageKey{Account: account, Code: code, Scope: scope}
	switch q.Kind {
	case KindCount, KindCumulative:
		return e.store.CountUsage(ctx, key)
	case KindConcurrency:
		return e.store.LeaseUsage(ctx, key, e.clock.Now())
	}
	return 0, nil
}

// Reconcile sets the usage of a count or cumulative quota from a source of
// truth, and records the change in the audit log as the work of actor.
// Errors: EWRONGKIND for other kinds, EINVALID for negative usage or a bad
// scope, EUNKNOWNQUOTA, EUNKNOWNACCOUNT.
func (e *Engine) Reconcile(ctx context.Context, account, code, scope string, used int64, actor string) error {
	q, err := e.catalog.Quota(code)
	if err != nil {
		return err
	}
	if q.Kind != KindCount && q.Kind != KindCumulative {
		return &Error{Code: EWRONGKIND, Field: "code", Message: fmt.Sprintf("%s (%s) is a %s quota; only count and cumulative usage can be reconciled", q.Name, q.Code, q.Kind)}
	}
	if scope == "" {
		scope = ScopeAccount
	}
	if err := q.Scope.Match(scope, false); err != nil {
		return err
	}
	if used < 0 {
		return FieldErrorf("used", "must not be negative, got %d", used)
	}
	if _, err := e.store.FindAccount(ctx, account); err != nil {
		return err
	}
	key := UsageKey{Account: account, Code: code, Scope: scope}
	old, err := e.store.CountUsage(ctx, key)
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	audit := AuditEntry{Time: e.clock.Now(), Actor: actor, Account: account, Action: "usage.reconcile", Code: code, Scope: scope,
		Detail: fmt.Sprintf("%s: usage %d (was %d)", q.Name, used, old)}
	if err := e.store.SetUsage(ctx, key, used, audit); err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	return nil
}
