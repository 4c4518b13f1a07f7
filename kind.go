package headroom

import (
	"context"
)

// A quota kind is one file: kind_count.go, kind_concurrency.go,
// kind_rate.go, kind_cumulative.go, kind_size.go, kind_duration.go and
// kind_set.go. Each declares its kindRule (operations, units,
// adjustability, usage, request checks) and its decision; Engine.Do looks
// the rule up through the quota. Adding a kind is one file, its entry in
// ruleFor and in Engine.Do, and catalog tests.

// kindRule is what a quota kind is: the operations it takes, the units it
// is measured in, whether its quotas may be raised, how its usage is read
// and what a request of it must carry.
type kindRule struct {
	kind Kind
	// ops is the set of operations the kind takes, as opBit bits.
	ops uint8
	// units are the units a quota of the kind may be measured in.
	units []Unit
	// adjustable is false for kinds whose quotas can never take an
	// override; every kind here can be raised where the catalog says so.
	adjustable bool
	// stored is true for kinds whose usage lives in the store as a count
	// (count and cumulative), which Reconcile may set.
	stored bool
	// usage reads the usage of key now; nil for kinds that count nothing.
	usage func(e *Engine, ctx context.Context, key UsageKey) (int64, error)
	// needs names the request fields the kind requires, checked by Do
	// before any store or limiter call.
	needs needs
}

// ruleFor returns the rule of a kind, or nil for an unknown kind. A switch,
// not a map: Quota.rule caches it, but quotas built outside a catalog ask
// here.
func ruleFor(k Kind) *kindRule {
	switch k {
	case KindCount:
		return &countRule
	case KindConcurrency:
		return &concurrencyRule
	case KindRate:
		return &rateRule
	case KindCumulative:
		return &cumulativeRule
	case KindSize:
		return &sizeRule
	case KindDuration:
		return &durationRule
	case KindSet:
		return &setRule
	}
	return nil
}

// allOps lists every operation, in the order messages name them.
var allOps = []Op{OpReserve, OpRelease, OpIncrement, OpAcquire, OpRenew, OpReleaseLease, OpTake, OpCheck}

// opBit returns an operation's bit in kindRule.ops, or 0 for an unknown
// operation. A switch, not a map: it is on every decision.
func opBit(op Op) uint8 {
	switch op {
	case OpReserve:
		return 1 << 0
	case OpRelease:
		return 1 << 1
	case OpIncrement:
		return 1 << 2
	case OpAcquire:
		return 1 << 3
	case OpRenew:
		return 1 << 4
	case OpReleaseLease:
		return 1 << 5
	case OpTake:
		return 1 << 6
	case OpCheck:
		return 1 << 7
	}
	return 0
}

func opBits(ops ...Op) uint8 {
	var b uint8
	for _, op := range ops {
		b |= opBit(op)
	}
	return b
}

// rule returns the quota's kind rule.
func (q *Quota) rule() *kindRule {
	if q.kindRule != nil {
		return q.kindRule
	}
	return ruleFor(q.Kind)
}

// needs is a set of request fields a kind requires.
type needs uint8

const (
	// needAmount: an Amount of at least 1.
	needAmount needs = 1 << iota
	// needLease: a LeaseID and, but to release, a TTL.
	needLease
)

// checkNeeds validates the fields of r that n requires.
func checkNeeds(n needs, r *Request) error {
	if n&needAmount != 0 && r.Amount < 1 {
		return FieldErrorf("amount", "must be at least 1, got %d", r.Amount)
	}
	if n&needLease != 0 {
		return checkLease(r.Op, r.LeaseID, r.TTL)
	}
	return nil
}

// storedCount reads a count kept in the store.
func storedCount(e *Engine, ctx context.Context, key UsageKey) (int64, error) {
	return e.store.CountUsage(ctx, key)
}

// baseDecision fills the fields every decision shares.
func baseDecision(q *Quota, scope string, a Applied) Decision {
	return Decision{Code: q.Code, Scope: scope, Limit: a.Value, Level: a.Level, Burst: a.Burst}
}
