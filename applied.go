package headroom

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Level says where an applied value comes from.
type Level string

// The levels, most specific first.
const (
	// LevelResource is an override for one resource, such as an instance.
	LevelResource Level = "resource"
	// LevelAccount is an account-wide override.
	LevelAccount Level = "account"
	// LevelCohort is the default for the account's creation cohort.
	LevelCohort Level = "cohort"
	// LevelDefault is the catalog default.
	LevelDefault Level = "default"
)

// Applied is a quota's applied value for one account and scope.
type Applied struct {
	Value float64
	// Burst is a rate quota's bucket capacity. An override of a rate scales
	// the burst by the same ratio, rounded up, so the bucket keeps its shape.
	Burst int64
	Level Level
	// Scope is the scope of the override that applies, if any.
	Scope string
	// Entries is a set quota's effective entries: entry → allowed.
	Entries map[string]bool
}

// Applied returns the applied value of a quota for an account in a scope:
// the most specific resource override, else the account override, else the
// cohort default, else the catalog default. Errors: EUNKNOWNQUOTA,
// EUNKNOWNACCOUNT, EINVALID for a scope that does not fit the quota.
func (e *Engine) Applied(ctx context.Context, account, code, scope string) (Applied, error) {
	q, err := e.quota(code)
	if err != nil {
		return Applied{}, err
	}
	if scope == "" {
		scope = ScopeAccount
	}
	if err := q.Scope.Match(scope, true); err != nil {
		return Applied{}, err
	}
	acct, err := e.store.FindAccount(ctx, account)
	if err != nil {
		return Applied{}, err
	}
	return e.resolve(ctx, &acct, q, scope)
}

func (e *Engine) resolve(ctx context.Context, acct *Account, q *Quota, scope string) (Applied, error) {
	// An anonymous take of an extra quota (acct.ID empty) has no overrides.
	if q.Adjustable && acct.ID != "" {
		ovs, err := e.store.FindOverrides(ctx, acct.ID, q.Code)
		if err != nil {
			return Applied{}, fmt.Errorf("resolve %s: %w", q.Code, err)
		}
		o := mostSpecific(ovs, scope)
		if q.Kind == KindSet && scope != ScopeAccount {
			snap, snapScope, err := e.instanceSnapshot(ctx, acct.ID, q, scope)
			if err != nil {
				return Applied{}, err
			}
			if snap != nil {
				// The instance's own list: its snapshot, changed by the
				// overrides of its scope; account overrides made since
				// do not reach it.
				a := q.applied(0, LevelResource, snapScope, &Override{Allow: snap.Allow, Deny: snap.Deny})
				if o != nil && o.Scope != ScopeAccount {
					a.Scope = o.Scope
					for _, s := range o.Allow {
						a.Entries[strings.ToLower(s)] = true
					}
					for _, s := range o.Deny {
						a.Entries[strings.ToLower(s)] = false
					}
				}
				return a, nil
			}
		}
		if o != nil {
			level := LevelResource
			if o.Scope == ScopeAccount {
				level = LevelAccount
			}
			return q.applied(o.Value, level, o.Scope, o), nil
		}
		for _, c := range q.Cohorts {
			if c.Contains(acct.Created) {
				return q.applied(c.Value, LevelCohort, "", nil), nil
			}
		}
	}
	return q.applied(q.Value, LevelDefault, "", nil), nil
}

// mostSpecific picks the override whose scope is the longest resource prefix
// of scope ("instance/i-1" for "instance/i-1/routing-profile/rp-7"), else the
// account-level one. It allocates nothing: it is on every decision's path.
func mostSpecific(ovs []Override, scope string) *Override {
	var best *Override
	for i := range ovs {
		o := &ovs[i]
		if o.Scope == ScopeAccount {
			if best == nil {
				best = o
			}
			continue
		}
		if isScopePrefix(o.Scope, scope) && (best == nil || best.Scope == ScopeAccount || len(o.Scope) > len(best.Scope)) {
			best = o
		}
	}
	return best
}

// isScopePrefix reports whether p is scope or a whole-segment prefix of it.
func isScopePrefix(p, scope string) bool {
	return len(p) <= len(scope) && scope[:len(p)] == p && (len(p) == len(scope) || scope[len(p)] == '/')
}

func (q *Quota) applied(v float64, level Level, scope string, o *Override) Applied {
	a := Applied{Value: v, Level: level, Scope: scope}
	if q.Kind == KindRate {
		// At the quota's own value the burst is the quota's, exactly:
		// q.Burst*v/q.Value may round above it (3 × 0.05 / 0.05 > 3).
		a.Burst = int64(q.Burst)
		if v != q.Value {
			a.Burst = int64(math.Ceil(q.Burst * v / q.Value))
		}
		if a.Burst < 1 {
			a.Burst = 1
		}
	}
	if q.Kind == KindSet {
		a.Entries = make(map[string]bool, len(q.Allow)+len(q.Deny))
		for _, s := range q.Allow {
			a.Entries[strings.ToLower(s)] = true
		}
		for _, s := range q.Deny {
			a.Entries[strings.ToLower(s)] = false
		}
		if o != nil {
			for _, s := range o.Allow {
				a.Entries[strings.ToLower(s)] = true
			}
			for _, s := range o.Deny {
				a.Entries[strings.ToLower(s)] = false
			}
		}
	}
	return a
}

// SetOverride creates or replaces an override and records it in the audit
// log as the work of actor. An operator may lower a quota as well as raise
// it: usage already above a lowered value stays, and new admissions wait
// until usage falls below it. Errors: ENOTADJUSTABLE for a quota that cannot
// be increased, EUNKNOWNQUOTA, EUNKNOWNACCOUNT, EINVALID for a bad value or a
// scope that is not a prefix of the quota's scope.
func (e *Engine) SetOverride(ctx context.Context, o Override, actor string) error {
	q, err := e.quota(o.Code)
	if err != nil {
		return err
	}
	if !q.Adjustable {
		return &Error{Code: ENOTADJUSTABLE, Field: "code", Message: fmt.Sprintf("%s (%s) cannot be increased or changed", q.Name, q.Code)}
	}
	if o.Scope == "" {
		o.Scope = ScopeAccount
	}
	if err := q.Scope.Match(o.Scope, true); err != nil {
		return err
	}
	if err := q.checkOverrideValue(&o); err != nil {
		return err
	}
	acct, err := e.store.FindAccount(ctx, o.Account)
	if err != nil {
		return err
	}
	before, err := e.resolve(ctx, &acct, q, o.Scope)
	if err != nil {
		return err
	}
	o.UpdatedBy, o.UpdatedAt = actor, e.clock.Now()
	audit := AuditEntry{Time: o.UpdatedAt, Actor: actor, Account: o.Account, Action: "override.set", Code: q.Code, Scope: o.Scope}
	if q.Kind == KindSet {
		audit.Detail = fmt.Sprintf("%s: allow %v, deny %v (was %s)", q.Name, o.Allow, o.Deny, describeEntries(before.Entries))
	} else {
		audit.Detail = fmt.Sprintf("%s: %g (was %g, %s)", q.Name, o.Value, before.Value, before.Level)
	}
	if err := e.store.PutOverride(ctx, o, audit); err != nil {
		return fmt.Errorf("set override: %w", err)
	}
	return nil
}

func (q *Quota) checkOverrideValue(o *Override) error {
	if q.Kind == KindSet {
		if len(o.Allow)+len(o.Deny) == 0 {
			return FieldErrorf("allow", "a set override needs allow or deny entries")
		}
		if err := checkSetEntries("allow", q.Match, o.Allow); err != nil {
			return err
		}
		return checkSetEntries("deny", q.Match, o.Deny)
	}
	if len(o.Allow)+len(o.Deny) > 0 {
		return FieldErrorf("allow", "only set quotas take allow and deny entries")
	}
	if !finite(o.Value) || o.Value < 0 {
		return FieldErrorf("value", "must be a finite number of at least zero, got %v", o.Value)
	}
	if o.Value > MaxValue {
		return FieldErrorf("value", "must be at most %g, got %g", float64(MaxValue), o.Value)
	}
	if q.Kind == KindRate && o.Value == 0 {
		return FieldErrorf("value", "a rate must be above zero")
	}
	return nil
}

// MaxValue is the largest applied value, as AWS Service Quotas bounds a
// desired value.
const MaxValue = 10_000_000_000

func describeEntries(m map[string]bool) string {
	var allow, deny []string
	for k, v := range m {
		if v {
			allow = append(allow, k)
		} else {
			deny = append(deny, k)
		}
	}
	sort.Strings(allow)
	sort.Strings(deny)
	return fmt.Sprintf("allow %v, deny %v", allow, deny)
}

// DeleteOverride removes an override, so the next level applies again, and
// records it in the audit log. Errors: ENOTFOUND if there is none,
// EUNKNOWNQUOTA.
func (e *Engine) DeleteOverride(ctx context.Context, account, code, scope, actor string) error {
	q, err := e.quota(code)
	if err != nil {
		return err
	}
	if scope == "" {
		scope = ScopeAccount
	}
	audit := AuditEntry{Time: e.clock.Now(), Actor: actor, Account: account, Action: "override.delete", Code: q.Code, Scope: scope,
		Detail: q.Name + ": override removed"}
	if err := e.store.DeleteOverride(ctx, account, code, scope, audit); err != nil {
		return fmt.Errorf("delete override: %w", err)
	}
	return nil
}
