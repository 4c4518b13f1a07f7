package headroom

import (
	"context"
	"sort"
)

// QuotaStatus is one quota's applied value and usage for an account in a
// scope, for reports.
type QuotaStatus struct {
	Quota   *Quota
	Scope   string
	Applied Applied
	// Counted is true when Used is meaningful: a count, cumulative or
	// concurrency quota read at a concrete scope.
	Counted bool
	Used    int64
}

// Percent returns Used as a percentage of the applied value, or 0.
func (s QuotaStatus) Percent() float64 {
	if !s.Counted || s.Applied.Value <= 0 {
		return 0
	}
	return 100 * float64(s.Used) / s.Applied.Value
}

// StatusFilter selects quotas for ListStatus. Zero fields match everything.
type StatusFilter struct {
	Service string
	// Scope, when set, keeps the quotas counted at exactly that kind of
	// scope ("instance/i-1" keeps per-instance quotas) and reads their usage
	// there. Without it, quotas are read at account level, and usage is
	// reported for account-wide quotas.
	Scope string
}

// Status returns one quota's status for an account in a scope. Errors:
// EUNKNOWNQUOTA, EUNKNOWNACCOUNT, EINVALID for a scope that does not fit.
func (e *Engine) Status(ctx context.Context, account, code, scope string) (QuotaStatus, error) {
	q, err := e.quota(code)
	if err != nil {
		return QuotaStatus{}, err
	}
	if scope == "" {
		scope = ScopeAccount
	}
	if err := q.Scope.Match(scope, true); err != nil {
		return QuotaStatus{}, err
	}
	acct, err := e.store.FindAccount(ctx, account)
	if err != nil {
		return QuotaStatus{}, err
	}
	return e.status(ctx, &acct, q, scope)
}

func (e *Engine) status(ctx context.Context, acct *Account, q *Quota, scope string) (QuotaStatus, error) {
	a, err := e.resolve(ctx, acct, q, scope)
	if err != nil {
		return QuotaStatus{}, err
	}
	st := QuotaStatus{Quota: q, Scope: scope, Applied: a}
	if q.Scope.Match(scope, false) == nil {
		if rule := q.rule(); rule.usage != nil {
			st.Counted = true
			st.Used, err = rule.usage(e, ctx, UsageKey{Account: acct.ID, Code: q.Code, Scope: scope})
		}
	}
	return st, err
}

// ListStatus returns the status of every quota matching f, in catalog order.
// Errors: EUNKNOWNACCOUNT, EINVALID for a malformed scope.
func (e *Engine) ListStatus(ctx context.Context, account string, f StatusFilter) ([]QuotaStatus, error) {
	acct, err := e.store.FindAccount(ctx, account)
	if err != nil {
		return nil, err
	}
	scope := f.Scope
	if scope == "" {
		scope = ScopeAccount
	}
	var out []QuotaStatus
	for _, q := range e.quotas() {
		if f.Service != "" && q.Service != f.Service {
			continue
		}
		if f.Scope != "" && f.Scope != ScopeAccount && q.Scope.Match(scope, false) != nil {
			continue
		}
		s := scope
		if q.Scope.Match(s, true) != nil {
			continue
		}
		st, err := e.status(ctx, &acct, q, s)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	if scope != ScopeAccount && !e.scopeFitsSome(scope) {
		return nil, FieldErrorf("scope", "%q fits no quota (want a scope such as instance/ID)", f.Scope)
	}
	return out, nil
}

func (e *Engine) scopeFitsSome(scope string) bool {
	for _, q := range e.quotas() {
		if q.Scope.Match(scope, true) == nil {
			return true
		}
	}
	return false
}

// BusiestUsage returns every usage counter of an account that is above zero,
// with its quota's status, the highest percentage first.
func (e *Engine) BusiestUsage(ctx context.Context, account string) ([]QuotaStatus, error) {
	acct, err := e.store.FindAccount(ctx, account)
	if err != nil {
		return nil, err
	}
	usage, err := e.store.ListUsage(ctx, account, e.clock.Now())
	if err != nil {
		return nil, err
	}
	var out []QuotaStatus
	for _, u := range usage {
		q, err := e.quota(u.Key.Code)
		if err != nil {
			continue // usage of a quota no longer in the catalog
		}
		a, err := e.resolve(ctx, &acct, q, u.Key.Scope)
		if err != nil {
			return nil, err
		}
		out = append(out, QuotaStatus{Quota: q, Scope: u.Key.Scope, Applied: a, Counted: true, Used: u.Used})
	}
	sort.SliceStable(out, func(i, j int) bool {
		pi, pj := out[i].Percent(), out[j].Percent()
		if pi != pj {
			return pi > pj
		}
		return out[i].Used > out[j].Used
	})
	return out, nil
}
