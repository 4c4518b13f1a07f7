package headroom

import (
	"context"
	"fmt"
)

// Usage returns the current usage of a count, cumulative or concurrency
// quota in a scope; zero for other kinds.
func (e *Engine) Usage(ctx context.Context, account, code, scope string) (int64, error) {
	q, err := e.quota(code)
	if err != nil {
		return 0, err
	}
	if scope == "" {
		scope = ScopeAccount
	}
	if rule := q.rule(); rule.usage != nil {
		return rule.usage(e, ctx, UsageKey{Account: account, Code: code, Scope: scope})
	}
	return 0, nil
}

// Reconcile sets the usage of a count or cumulative quota from a source of
// truth, and records the change in the audit log as the work of actor.
// Errors: EWRONGKIND for other kinds, EINVALID for negative usage or a bad
// scope, EUNKNOWNQUOTA, EUNKNOWNACCOUNT.
func (e *Engine) Reconcile(ctx context.Context, account, code, scope string, used int64, actor string) error {
	q, err := e.quota(code)
	if err != nil {
		return err
	}
	if !q.rule().stored {
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
