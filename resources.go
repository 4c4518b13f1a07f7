package headroom

import (
	"context"
	"fmt"
)

// Hold prepares the reserve of amount units of a count quota in scope for
// an account, for Store.CreateResource: it validates the request as Do
// would, resolves the applied value and returns the CountChange with Limit
// filled, with the applied value it came from. It changes nothing. Errors:
// EUNKNOWNQUOTA, EWRONGKIND for a quota that is not a count, EINVALID for
// a bad scope or amount, EUNKNOWNACCOUNT, and ENOTAVAILABLE where the
// account may not use the quota's resource at all (the AISPL rule).
func (e *Engine) Hold(ctx context.Context, account, code, scope string, amount int64) (*CountChange, Applied, error) {
	q, err := e.catalog.Quota(code)
	if err != nil {
		return nil, Applied{}, err
	}
	if q.Kind != KindCount {
		return nil, Applied{}, wrongKind(q, OpReserve)
	}
	if scope == "" {
		scope = ScopeAccount
	}
	if err := q.Scope.Match(scope, false); err != nil {
		return nil, Applied{}, err
	}
	if amount < 1 {
		return nil, Applied{}, FieldErrorf("amount", "must be at least 1, got %d", amount)
	}
	acct, err := e.store.FindAccount(ctx, account)
	if err != nil {
		return nil, Applied{}, err
	}
	if q.IsUnavailableTo(acct.Partner) {
		return nil, Applied{}, &Error{Code: ENOTAVAILABLE, Message: fmt.Sprintf("%s (account %s)", q.Unavailable, acct.ID)}
	}
	a, err := e.resolve(ctx, &acct, q, scope)
	if err != nil {
		return nil, Applied{}, err
	}
	return &CountChange{Key: UsageKey{Account: account, Code: code, Scope: scope}, Amount: amount,
		Limit: whole(a.Value), Now: e.clock.Now()}, a, nil
}

// Free returns the CountChange that releases a hold of amount units, for
// Store.DeleteResource.
func (e *Engine) Free(account, code, scope string, amount int64) *CountChange {
	if scope == "" {
		scope = ScopeAccount
	}
	return &CountChange{Key: UsageKey{Account: account, Code: code, Scope: scope}, Amount: amount, Now: e.clock.Now()}
}

// HoldDenied returns the engine's standard denial, an *Error of code
// EQUOTAEXCEEDED whose message states the quota's value, for a hold the
// store refused with res.
func (e *Engine) HoldDenied(hold *CountChange, a Applied, res CountResult) error {
	q, err := e.catalog.Quota(hold.Key.Code)
	if err != nil {
		return err
	}
	return exceeded(q, &Request{Account: hold.Key.Account, Scope: hold.Key.Scope}, a.Value, res.Used, hold.Amount)
}

// Clock returns the engine's clock, so that emulated APIs stamp resources
// with the time the engine decides by.
func (e *Engine) Clock() Clock { return e.clock }
