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

// Lease is one lease of a concurrency quota that a resource holds, such as
// a contact's "Concurrent calls per instance" slot.
type Lease struct {
	Code string
	// Scope is the concrete scope; empty for the account.
	Scope string
	// ID names the lease; it is unique per quota and scope.
	ID string
	// TTL is how long the lease lives without renewal, for an acquire.
	TTL time.Duration
	// State is the session's state on acquire; a state the quota lists as
	// uncounted (a callback waiting in a callback queue) takes no slot.
	State string
}

// Slots are the quota slots a resource write takes and gives back with the
// resource, in the same atomic store operation.
type Slots struct {
	// Count takes (a positive Amount) or gives back (negative) slots of a
	// count quota, or adds events to a cumulative quota (a positive Amount).
	Count *Slot
	// Acquire takes a lease of a concurrency quota.
	Acquire *Lease
	// Release gives back leases; one that is gone is no error.
	Release []Lease
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
	// Lease is the lease the resource takes, or nil for none.
	Lease *Lease
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
	// Release lists the leases the resource held; ones that are gone are
	// no error.
	Release []Lease
	Note    Note
}

// ResourceChange changes a resource read at its current version, in place,
// and returns the change of the slots it holds: the zero Slots for none. It may run more than once, each time on a fresh read, so it must
// not have other effects. An error it returns aborts the update and is
// returned as it is.
type ResourceChange func(r *Resource) (Slots, error)

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
	if err := checkResourceIdentifiers(&r); err != nil {
		return ResourceResult{}, err
	}
	if c.Token.Key != "" {
		if err := checkIdentifier("token", c.Token.Key, MaxIdentifierLength); err != nil {
			return ResourceResult{}, err
		}
	}
	now := e.clock.Now()
	if r.Created.IsZero() {
		r.Created = now
	}
	if r.Updated.IsZero() {
		r.Updated = now
	}
	ch, err := e.slotChange(ctx, r.Account, Slots{Count: c.Hold, Acquire: c.Lease})
	if err != nil {
		return ResourceResult{}, err
	}
	if err := e.snapshotAllowLists(ctx, &r); err != nil {
		return ResourceResult{}, err
	}
	var token *ResourceToken
	if c.Token.Key != "" {
		t := c.Token
		if t.Expires.IsZero() {
			t.Expires = now.Add(DefaultTokenTTL)
		}
		token = &t
	}
	res, err := e.store.CreateResource(ctx, r, ch.SlotChange, token, e.audit(r.Account, ch.code, ch.scope, c.Note))
	if err != nil {
		return res, fmt.Errorf("create resource: %w", err)
	}
	if !res.Applied {
		return res, ch.denied(e, res.Used)
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
		before := r.Data
		slots, err := change(&r)
		if err != nil {
			return Resource{}, err
		}
		if kind == KindConnectInstance {
			if r.Data, err = keepAllowLists(before, r.Data); err != nil {
				return Resource{}, err
			}
		}
		if err := checkName(r.Name); err != nil {
			return Resource{}, err
		}
		r.Account, r.Kind, r.ID, r.Updated = account, kind, id, e.clock.Now()
		ch, err := e.slotChange(ctx, account, slots)
		if err != nil {
			return Resource{}, err
		}
		res, err := e.store.UpdateResource(ctx, r, ch.SlotChange)
		if ErrorCodeOf(err) == ESTALE {
			continue
		}
		if err != nil {
			return Resource{}, fmt.Errorf("update resource: %w", err)
		}
		if !res.Applied {
			return Resource{}, ch.denied(e, res.Used)
		}
		r.Version = res.Version
		return r, nil
	}
	return Resource{}, Errorf(ESTALE, "%s %s kept changing while it was updated; try again", kind, id)
}

// DeleteResource removes a resource and gives back its slot in one atomic
// store operation. ENOTFOUND if it does not exist.
func (e *Engine) DeleteResource(ctx context.Context, d ResourceDelete) error {
	ch, err := e.slotChange(ctx, d.Account, Slots{Count: negate(d.Free), Release: d.Release})
	if err != nil {
		return err
	}
	return e.store.DeleteResource(ctx, d.Account, d.Kind, d.ID, ch.SlotChange, e.audit(d.Account, ch.code, ch.scope, d.Note))
}

// checkResourceIdentifiers bounds a new resource's id and name.
func checkResourceIdentifiers(r *Resource) error {
	if err := checkIdentifier("ID", r.ID, MaxIdentifierLength); err != nil {
		return err
	}
	return checkName(r.Name)
}

// negate returns the Slot that gives back s.
func negate(s *Slot) *Slot {
	if s == nil {
		return nil
	}
	n := *s
	n.Amount = -n.Amount
	return &n
}

// DeleteResourceTree removes a resource with everything below it (its
// children at any depth, their tokens, and all usage counted in scope or
// below) and gives back its slot, in one atomic store operation, so that
// nothing created during the delete survives it half-counted. It returns
// the number of resources removed. ENOTFOUND if it does not exist;
// EINVALID for an account-wide scope.
func (e *Engine) DeleteResourceTree(ctx context.Context, d ResourceDelete, scope string) (int, error) {
	ch, err := e.slotChange(ctx, d.Account, Slots{Count: negate(d.Free)})
	if err != nil {
		return 0, err
	}
	return e.store.DeleteResourceTree(ctx, d.Account, d.Kind, d.ID, scope, ch.Free, e.audit(d.Account, ch.code, scope, d.Note))
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

// slotChange is a store SlotChange prepared from Slots, with what a refusal
// is reported against.
type slotChange struct {
	SlotChange
	// code and scope name the quota the write takes or gives back, for
	// the audit entry.
	code, scope string
	quota       *Quota
	applied     Applied
	// amount is what a refused hold or acquire asked for.
	amount int64
}

// denied returns the standard denial, an *Error of code EQUOTAEXCEEDED
// whose message states the quota's value, for a hold or acquire the store
// refused with used in use.
func (c *slotChange) denied(e *Engine, used int64) error {
	if c.quota == nil {
		return Errorf(EINTERNAL, "a resource write was refused without a hold or an acquire")
	}
	key := c.Hold
	if key == nil {
		return exceeded(c.quota, &Request{Account: c.Acquire.Key.Account, Scope: c.Acquire.Key.Scope}, c.applied.Value, used, 1)
	}
	return exceeded(c.quota, &Request{Account: key.Key.Account, Scope: key.Key.Scope}, c.applied.Value, used, c.amount)
}

// slotChange validates s as Do would and resolves the applied values into
// the store's change. At most one of Count (taking slots) and Acquire may
// be set, so that a refusal names one quota. Errors: EUNKNOWNQUOTA,
// EWRONGKIND for a quota of another kind, EINVALID for a bad scope, amount,
// lease id or TTL, EUNKNOWNACCOUNT, and ENOTAVAILABLE where the account may
// not use the quota's resource at all (the AISPL rule).
func (e *Engine) slotChange(ctx context.Context, account string, s Slots) (slotChange, error) {
	var c slotChange
	now := e.clock.Now()
	var acct *Account
	account0 := func() (*Account, error) {
		if acct == nil {
			a, err := e.store.FindAccount(ctx, account)
			if err != nil {
				return nil, err
			}
			acct = &a
		}
		return acct, nil
	}
	take := func(code, scope string, kind Kind, op Op) (*Quota, string, Applied, error) {
		q, err := e.quota(code)
		if err != nil {
			return nil, "", Applied{}, err
		}
		if q.Kind != kind {
			return nil, "", Applied{}, wrongKind(q, op)
		}
		if scope == "" {
			scope = ScopeAccount
		}
		if err := q.Scope.Match(scope, false); err != nil {
			return nil, "", Applied{}, err
		}
		a, err := account0()
		if err != nil {
			return nil, "", Applied{}, err
		}
		if err := checkAvailable(a, q, op); err != nil {
			return nil, "", Applied{}, err
		}
		applied, err := e.resolve(ctx, a, q, scope)
		return q, scope, applied, err
	}
	if s.Count != nil && s.Acquire != nil && s.Count.Amount > 0 {
		return c, FieldErrorf("slots", "a resource write takes count slots or a lease, not both")
	}
	if n := s.Count; n != nil && n.Amount != 0 {
		// Count slots are taken and given back; a cumulative quota's events
		// are only ever added.
		kind, op := KindCount, OpReserve
		if n.Amount < 0 {
			op = OpRelease
		} else if q, err := e.quota(n.Code); err == nil && q.Kind == KindCumulative {
			kind, op = KindCumulative, OpIncrement
		}
		q, scope, applied, err := take(n.Code, n.Scope, kind, op)
		if err != nil {
			return c, err
		}
		key := UsageKey{Account: account, Code: n.Code, Scope: scope}
		c.code, c.scope = n.Code, scope
		if n.Amount > 0 {
			c.Hold = &CountChange{Key: key, Amount: n.Amount, Limit: whole(applied.Value), Now: now}
			c.quota, c.applied, c.amount = q, applied, n.Amount
		} else {
			c.Free = &CountChange{Key: key, Amount: -n.Amount, Now: now}
		}
	}
	if l := s.Acquire; l != nil {
		if err := checkLease(OpAcquire, l.ID, l.TTL); err != nil {
			return c, err
		}
		if err := checkIdentifier("lease_id", l.ID, MaxIdentifierLength); err != nil {
			return c, err
		}
		q, scope, applied, err := take(l.Code, l.Scope, KindConcurrency, OpAcquire)
		if err != nil {
			return c, err
		}
		c.code, c.scope = l.Code, scope
		// The seed's rule: a callback waiting in a callback queue holds no
		// slot until it is offered to an agent.
		if l.State == "" || !q.IsUncounted(l.State) {
			c.Acquire = &LeaseChange{Key: UsageKey{Account: account, Code: l.Code, Scope: scope}, LeaseID: l.ID,
				Limit: whole(applied.Value), Now: now, Expires: now.Add(l.TTL)}
			c.quota, c.applied = q, applied
		}
	}
	for _, l := range s.Release {
		if l.ID == "" {
			return c, FieldErrorf("lease_id", "is required")
		}
		_, scope, _, err := take(l.Code, l.Scope, KindConcurrency, OpReleaseLease)
		if err != nil {
			return c, err
		}
		c.Release = append(c.Release, LeaseChange{Key: UsageKey{Account: account, Code: l.Code, Scope: scope}, LeaseID: l.ID, Now: now})
	}
	return c, nil
}

// Clock returns the engine's clock, so that emulated APIs stamp resources
// with the time the engine decides by.
func (e *Engine) Clock() Clock { return e.clock }
