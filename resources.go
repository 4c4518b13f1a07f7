package headroom

import (
	"context"
	"fmt"
	"time"
)

// Slot is an amount of a count quota's usage in a scope: what a resource
// holds while it exists, such as one "Users per instance" slot in
// "instance/i-1".
type Slot struct {
	Code string
	// Scope is the concrete scope; empty for the account.
	Scope string
	// Amount is the units held; at least 1 for a create or delete. An
	// update's change returns a signed Amount: positive takes slots,
	// negative gives them back.
	Amount int64
}

// Note says who makes a change and why, for the audit log. The engine adds
// the time and the account.
type Note struct {
	// Actor is who acts, such as "connect:AKIA..." or "operator".
	Actor string
	// Action names the change, such as "connect.CreateUser".
	Action string
	// Detail describes it for a person.
	Detail string
}

// ResourceCreate is one resource to create with the slot it holds.
type ResourceCreate struct {
	// Resource is stored as given; a zero Created or Updated is the
	// engine's now.
	Resource Resource
	// Hold is the slot the resource takes, or nil for none.
	Hold *Slot
	// Token, when Key is set, makes the create idempotent: see
	// ResourceToken. A zero Expires is DefaultTokenTTL from now.
	Token ResourceToken
	Note  Note
}

// DefaultTokenTTL is how long a resource token is remembered when its
// create gives no Expires: Amazon Connect's ClientToken lifetime.
const DefaultTokenTTL = 8 * time.Hour

// ResourceDelete names a resource to delete, with the slot it gives back.
type ResourceDelete struct {
	Account, Kind, ID string
	// Free is the slot the resource held, or nil for none.
	Free *Slot
	Note Note
}

// ResourceChange changes a resource read at its current version, in place,
// and returns the change of the slots it holds: nil or a zero Amount for
// none. It may run more than once, each time on a fresh read, so it must
// not have other effects. An error it returns aborts the update and is
// returned as it is.
type ResourceChange func(r *Resource) (*Slot, error)

// maxUpdateRetries bounds the read-change-write loop of UpdateResource
// when other writers keep winning the version.
const maxUpdateRetries = 64

// CreateResource stores a new resource and takes its slot in one atomic
// store operation, or stores nothing. Errors: EQUOTAEXCEEDED (whose message
// states the quota's value) when the slot is refused; EIDEMPOTENCY for a
// token reused with another hash; ECONFLICT for an id or name taken; and
// for the hold, the errors of Do (EUNKNOWNQUOTA, EWRONGKIND, EINVALID,
// EUNKNOWNACCOUNT, ENOTAVAILABLE). A replayed token returns Replayed with
// the ID of the resource the first request created, and changes nothing.
func (e *Engine) CreateResource(ctx context.Context, c ResourceCreate) (ResourceResult, error) {
	r := c.Resource
	now := e.clock.Now()
	if r.Created.IsZero() {
		r.Created = now
	}
	if r.Updated.IsZero() {
		r.Updated = now
	}
	var hold *CountChange
	var applied Applied
	if c.Hold != nil {
		var err error
		if hold, applied, err = e.hold(ctx, r.Account, c.Hold.Code, c.Hold.Scope, c.Hold.Amount); err != nil {
			return ResourceResult{}, err
		}
	}
	var token *ResourceToken
	if c.Token.Key != "" {
		t := c.Token
		if t.Expires.IsZero() {
			t.Expires = now.Add(DefaultTokenTTL)
		}
		token = &t
	}
	code, scope := "", ""
	if hold != nil {
		code, scope = hold.Key.Code, hold.Key.Scope
	}
	res, err := e.store.CreateResource(ctx, r, hold, token, e.audit(r.Account, code, scope, c.Note))
	if err != nil {
		return res, fmt.Errorf("create resource: %w", err)
	}
	if !res.Applied {
		return res, e.holdDenied(hold, applied, res.Used)
	}
	return res, nil
}

// UpdateResource reads a resource, runs change on it and stores the result
// with the slots change takes or gives back, in one atomic store operation
// that applies only to the version read. When another writer changed the
// resource in between, it reads again and retries, so that concurrent
// read-change-writes never lose an update, on one node or many. Errors:
// ENOTFOUND, the error of change, EQUOTAEXCEEDED for slots refused,
// ECONFLICT for a name taken, and ESTALE if other writers kept winning.
func (e *Engine) UpdateResource(ctx context.Context, account, kind, id string, change ResourceChange) (Resource, error) {
	for range maxUpdateRetries {
		r, err := e.store.FindResource(ctx, account, kind, id)
		if err != nil {
			return Resource{}, err
		}
		slot, err := change(&r)
		if err != nil {
			return Resource{}, err
		}
		r.Account, r.Kind, r.ID, r.Updated = account, kind, id, e.clock.Now()
		var hold, free *CountChange
		var applied Applied
		if slot != nil && slot.Amount > 0 {
			if hold, applied, err = e.hold(ctx, account, slot.Code, slot.Scope, slot.Amount); err != nil {
				return Resource{}, err
			}
		} else if slot != nil && slot.Amount < 0 {
			free = e.free(account, slot.Code, slot.Scope, -slot.Amount)
		}
		res, err := e.store.UpdateResource(ctx, r, hold, free)
		if ErrorCodeOf(err) == ESTALE {
			continue
		}
		if err != nil {
			return Resource{}, fmt.Errorf("update resource: %w", err)
		}
		if !res.Applied {
			return Resource{}, e.holdDenied(hold, applied, res.Used)
		}
		r.Version = res.Version
		return r, nil
	}
	return Resource{}, Errorf(ESTALE, "%s %s kept changing while it was updated; try again", kind, id)
}

// DeleteResource removes a resource and gives back its slot in one atomic
// store operation. ENOTFOUND if it does not exist.
func (e *Engine) DeleteResource(ctx context.Context, d ResourceDelete) error {
	var free *CountChange
	code, scope := "", ""
	if d.Free != nil {
		free = e.free(d.Account, d.Free.Code, d.Free.Scope, d.Free.Amount)
		code, scope = free.Key.Code, free.Key.Scope
	}
	return e.store.DeleteResource(ctx, d.Account, d.Kind, d.ID, free, e.audit(d.Account, code, scope, d.Note))
}

// DeleteResourceTree removes a resource with everything below it (its
// children at any depth, their tokens, and all usage counted in scope or
// below) and gives back its slot, in one atomic store operation, so that
// nothing created during the delete survives it half-counted. It returns
// the number of resources removed. ENOTFOUND if it does not exist;
// EINVALID for an account-wide scope.
func (e *Engine) DeleteResourceTree(ctx context.Context, d ResourceDelete, scope string) (int, error) {
	var free *CountChange
	code := ""
	if d.Free != nil {
		free = e.free(d.Account, d.Free.Code, d.Free.Scope, d.Free.Amount)
		code = free.Key.Code
	}
	return e.store.DeleteResourceTree(ctx, d.Account, d.Kind, d.ID, scope, free, e.audit(d.Account, code, scope, d.Note))
}

// FindResource returns a resource; ENOTFOUND if it does not exist.
func (e *Engine) FindResource(ctx context.Context, account, kind, id string) (Resource, error) {
	return e.store.FindResource(ctx, account, kind, id)
}

// ListResources returns resources matching f, ordered by Created then ID.
// EINVALID without an account or kind.
func (e *Engine) ListResources(ctx context.Context, f ResourceFilter) ([]Resource, error) {
	return e.store.ListResources(ctx, f)
}

// AddCounter adds n (at least 1) to a plain counter, such as a breach
// metric, in one atomic store operation, and returns its new value.
func (e *Engine) AddCounter(ctx context.Context, key UsageKey, n int64) (int64, error) {
	return e.store.AddCounter(ctx, key, n)
}

// Counter returns a plain counter's value; zero if it was never added to.
func (e *Engine) Counter(ctx context.Context, key UsageKey) (int64, error) {
	return e.store.Counter(ctx, key)
}

// audit builds the audit entry of a change.
func (e *Engine) audit(account, code, scope string, n Note) AuditEntry {
	return AuditEntry{Time: e.clock.Now(), Actor: n.Actor, Account: account, Action: n.Action, Code: code, Scope: scope, Detail: n.Detail}
}

// hold prepares the reserve of amount units of a count quota in scope: it
// validates the request as Do would and resolves the applied value into
// the CountChange's Limit, with the applied value it came from. Errors:
// EUNKNOWNQUOTA, EWRONGKIND for a quota that is not a count, EINVALID for a
// bad scope or amount, EUNKNOWNACCOUNT, and ENOTAVAILABLE where the account
// may not use the quota's resource at all (the AISPL rule).
func (e *Engine) hold(ctx context.Context, account, code, scope string, amount int64) (*CountChange, Applied, error) {
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

// free returns the CountChange that gives back amount units of a hold.
func (e *Engine) free(account, code, scope string, amount int64) *CountChange {
	if scope == "" {
		scope = ScopeAccount
	}
	return &CountChange{Key: UsageKey{Account: account, Code: code, Scope: scope}, Amount: amount, Now: e.clock.Now()}
}

// holdDenied returns the standard denial, an *Error of code EQUOTAEXCEEDED
// whose message states the quota's value, for a hold the store refused
// with used in use.
func (e *Engine) holdDenied(hold *CountChange, a Applied, used int64) error {
	q, err := e.catalog.Quota(hold.Key.Code)
	if err != nil {
		return err
	}
	return exceeded(q, &Request{Account: hold.Key.Account, Scope: hold.Key.Scope}, a.Value, used, hold.Amount)
}

// Clock returns the engine's clock, so that emulated APIs stamp resources
// with the time the engine decides by.
func (e *Engine) Clock() Clock { return e.clock }
