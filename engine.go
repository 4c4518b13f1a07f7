package headroom

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// Config configures an Engine. Catalog, Store, Limiter and Clock are
// required.
type Config struct {
	Catalog *Catalog
	Store   Store
	Limiter Limiter
	Clock   Clock
	// AutoApproval approves change requests without review; the zero
	// value sends every request to review.
	AutoApproval AutoApproval
	// Region is the AWS region Headroom presents itself as; DefaultRegion
	// if empty.
	Region string
	// Numbers parses the phone numbers that the outbound country
	// allow-list checks (phone.Parser). Without it, such checks fail
	// with EINTERNAL; every other quota works.
	Numbers NumberParser
	// Blobs keeps chat attachments' bytes; nil means the engine keeps
	// none, and its blob methods answer EUNAVAILABLE.
	Blobs BlobStore
	// NoHistory turns usage history off: the engine counts no rate
	// decisions and RecordHistory records nothing; History still reads
	// what was recorded. Benchmarks compare decisions with and without it.
	NoHistory bool
}

// Validate returns an *Error of code EINVALID naming the first missing or
// bad field.
func (c *Config) Validate() error {
	switch {
	case c.Catalog == nil:
		return FieldErrorf("Catalog", "is required")
	case c.Store == nil:
		return FieldErrorf("Store", "is required")
	case c.Limiter == nil:
		return FieldErrorf("Limiter", "is required")
	case c.Clock == nil:
		return FieldErrorf("Clock", "is required")
	}
	return c.AutoApproval.Validate(c.Catalog)
}

// Engine decides, for an account, whether an action stays within its
// quotas, and manages applied values. It holds no state of its own beyond its
// configuration: usage lives in the Store and buckets in the Limiter, so
// several engines may share them. An Engine is safe for concurrent use.
type Engine struct {
	catalog *Catalog
	store   Store
	limiter Limiter
	clock   Clock

	autoApproval AutoApproval
	region       string
	numbers      NumberParser
	blobs        BlobStore
	// extra holds the extra quotas in force (extra.go); nil until the
	// first SetExtraQuotas.
	extra atomic.Pointer[extraSet]

	// noHistory is Config.NoHistory; tally counts rate decisions for the
	// next RecordHistory (history_tally.go).
	noHistory bool
	tally     rateTally
	// counter is the limiter, when it counts its own decisions; then
	// the tally stays empty.
	counter DecisionCounter
	// rolledThrough is the last hour (HistoryHourOf) whose rollup is final.
	rolledThrough atomic.Int64
}

// NewEngine returns an engine, or the error of cfg.Validate.
func NewEngine(cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("new engine: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	e := &Engine{catalog: cfg.Catalog, store: cfg.Store, limiter: cfg.Limiter, clock: cfg.Clock, autoApproval: cfg.AutoApproval, region: cfg.Region, numbers: cfg.Numbers, blobs: cfg.Blobs, noHistory: cfg.NoHistory}
	if c, ok := cfg.Limiter.(DecisionCounter); ok && !cfg.NoHistory {
		c.CountDecisions()
		e.counter = c
	}
	return e, nil
}

// Catalog returns the engine's catalog.
func (e *Engine) Catalog() *Catalog { return e.catalog }

// Op is an enforcement operation.
type Op string

// The operations, and the kinds they apply to.
const (
	// OpReserve takes Amount units of a count quota.
	OpReserve Op = "reserve"
	// OpRelease frees Amount units of a count quota.
	OpRelease Op = "release"
	// OpIncrement records Amount events against a cumulative quota.
	OpIncrement Op = "increment"
	// OpAcquire takes a lease of a concurrency quota for TTL.
	OpAcquire Op = "acquire"
	// OpRenew extends a live lease to TTL from now.
	OpRenew Op = "renew"
	// OpReleaseLease frees a lease.
	OpReleaseLease Op = "release_lease"
	// OpTake takes Amount tokens from a rate quota's bucket.
	OpTake Op = "take"
	// OpCheck validates a value against a size, duration or set quota.
	OpCheck Op = "check"
)

// Request is one enforcement call. Which fields matter depends on Op.
type Request struct {
	Op      Op
	Account string
	// Code is the quota code.
	Code string
	// Scope is the concrete scope, such as "instance/i-1"; empty or
	// "account" for account-wide quotas.
	Scope string
	// Amount is the units, events or tokens asked for (reserve, release,
	// increment, take); at least 1.
	Amount int64
	// IdempotencyKey makes a reserve, release or increment count once.
	IdempotencyKey string
	// LeaseID names the session (acquire, renew, release_lease).
	LeaseID string
	// TTL is how long a lease lives without renewal (acquire, renew).
	TTL time.Duration
	// State is the session's state on acquire; a state the quota lists as
	// uncounted takes no slot (a callback waiting in a callback queue).
	State string
	// Size is the size to check, in bytes (or characters, for a character
	// quota checked without Text).
	Size int64
	// Text is checked by its length in characters (Unicode code points).
	Text string
	// Value is checked against a set quota: a file name or a phone number.
	Value string
	// Start is when the lifetime checked by a duration quota began; with it,
	// the check fails once the lifetime has run out.
	Start time.Time
	// Duration is a requested lifetime, checked against a duration quota.
	Duration time.Duration
}

// Decision is the engine's answer to one request.
type Decision struct {
	Allowed bool
	Code    string
	Scope   string
	// Limit is the applied value (for rates, the refill rate per second).
	Limit float64
	// Burst is, for rates, the applied bucket capacity.
	Burst int64
	// Level says where Limit came from.
	Level Level
	// Used is the usage after the request (or at a denial).
	Used int64
	// Remaining is Limit − Used for counts and leases, and the whole tokens
	// left for rates.
	Remaining int64
	// RetryAfter is, for a rate denial, when the request would succeed.
	RetryAfter time.Duration
	// Expires is a lease's deadline, or a duration quota's deadline.
	Expires time.Time
	// Replayed is true when an idempotency key or lease id had been seen.
	Replayed bool
	// Counted is false when an acquire's state takes no slot.
	Counted bool
	// At is the limiter's clock reading a rate decision was made at.
	At time.Time
}

// Result pairs a decision with its error, for batches.
type Result struct {
	Decision Decision
	Err      error
}

// Batch runs each request on its own and returns one result per request, in
// order. One bad request never fails the others. When the engine's Limiter
// is a BatchLimiter, the batch's rate takes are decided together, after the
// other requests, in one call: one round trip to a distributed limiter.
func (e *Engine) Batch(ctx context.Context, reqs []Request) []Result {
	out := make([]Result, len(reqs))
	bl, ok := e.limiter.(BatchLimiter)
	if !ok {
		for i := range reqs {
			out[i].Decision, out[i].Err = e.Do(ctx, reqs[i])
		}
		return out
	}
	// Sized for every request a take: one allocation each, where growing
	// them by append cost a batch of ten several.
	takes := make([]Take, 0, len(reqs))
	rates := make([]pendingTake, 0, len(reqs))
	for i := range reqs {
		r := &reqs[i]
		q, rule, applied, err := e.prepare(ctx, r)
		switch {
		case err != nil:
			out[i].Err = err
		case rule == &rateRule:
			takes = append(takes, Take{Key: UsageKey{Account: r.Account, Code: q.Code, Scope: r.Scope},
				Limit: RateLimit{Rate: applied.Value, Burst: applied.Burst}, N: r.Amount})
			rates = append(rates, pendingTake{index: i, quota: q, applied: applied})
		default:
			out[i].Decision, out[i].Err = e.decideKind(ctx, q, rule, r, applied)
		}
	}
	if len(takes) == 0 {
		return out
	}
	results := make([]RateResult, len(takes))
	errs := make([]error, len(takes))
	bl.TakeBatch(ctx, takes, results, errs)
	for j, p := range rates {
		e.countRate(p.quota, takes[j].Key.Account, takes[j].Key.Scope, results[j], errs[j])
		out[p.index].Decision, out[p.index].Err = rateDecision(p.quota, &reqs[p.index], p.applied, results[j], errs[j])
	}
	return out
}

// pendingTake is a batch's rate take waiting for the limiter's answer.
type pendingTake struct {
	index   int
	quota   *Quota
	applied Applied
}

// Do runs one request. A denial returns the Decision (Allowed false) and an
// *Error of code EQUOTAEXCEEDED, ETHROTTLED or ENOTALLOWED whose Denial states
// the quota and its limit. Bad input returns EINVALID, EWRONGKIND,
// EUNKNOWNQUOTA or EUNKNOWNACCOUNT; ENOTAVAILABLE where the account may not
// use the quota's resource at all.
func (e *Engine) Do(ctx context.Context, r Request) (Decision, error) {
	q, rule, applied, err := e.prepare(ctx, &r)
	if err != nil {
		return Decision{}, err
	}
	return e.decideKind(ctx, q, rule, &r, applied)
}

// prepare checks a request, fills in its default scope, and resolves the
// quota's applied value for its account.
func (e *Engine) prepare(ctx context.Context, r *Request) (*Quota, *kindRule, Applied, error) {
	bit := opBit(r.Op)
	if bit == 0 {
		return nil, nil, Applied{}, FieldErrorf("op", "unknown operation %q", r.Op)
	}
	q, err := e.quota(r.Code)
	if err != nil {
		return nil, nil, Applied{}, err
	}
	rule := q.rule()
	if rule.ops&bit == 0 {
		return nil, nil, Applied{}, wrongKind(q, r.Op)
	}
	if r.Scope == "" {
		r.Scope = ScopeAccount
	}
	// A set quota counted per instance may also be checked for the
	// account: the list a new instance would get.
	if err := q.Scope.Match(r.Scope, q.Kind == KindSet); err != nil {
		return nil, nil, Applied{}, err
	}
	if err := checkNeeds(rule.needs, r); err != nil {
		return nil, nil, Applied{}, err
	}
	if err := checkRequestIdentifiers(r); err != nil {
		return nil, nil, Applied{}, err
	}
	var acct Account
	if r.Account != "" || !q.extra {
		if acct, err = e.store.FindAccount(ctx, r.Account); err != nil {
			return nil, nil, Applied{}, err
		}
	} // else an extra quota's anonymous take: decided at the default (extra.go)
	if err := checkAvailable(&acct, q, r.Op); err != nil {
		return nil, nil, Applied{}, err
	}
	applied, err := e.resolve(ctx, &acct, q, r.Scope)
	if err != nil {
		return nil, nil, Applied{}, err
	}
	return q, rule, applied, nil
}

// decideKind makes a prepared request's decision. Each kind's decision is in
// its kind file. The cases compare rule pointers, not kind names, and the
// calls are direct: through a function value the request would escape to
// the heap.
func (e *Engine) decideKind(ctx context.Context, q *Quota, rule *kindRule, r *Request, applied Applied) (Decision, error) {
	switch rule {
	case &rateRule:
		return e.doRate(ctx, q, r, applied)
	case &countRule, &cumulativeRule:
		return e.doCount(ctx, q, r, applied)
	case &concurrencyRule:
		return e.doLease(ctx, q, r, applied)
	case &sizeRule:
		return checkSize(q, r, applied, baseDecision(q, r.Scope, applied))
	case &durationRule:
		return checkDuration(q, r, applied, baseDecision(q, r.Scope, applied), e.clock.Now())
	case &setRule:
		return e.checkSet(q, r, applied, baseDecision(q, r.Scope, applied))
	}
	return Decision{}, Errorf(EINTERNAL, "quota %s has kind %q, which has no decision", q.Code, q.Kind)
}

func wrongKind(q *Quota, op Op) error {
	var want []Op
	for _, o := range allOps {
		if q.rule().ops&opBit(o) != 0 {
			want = append(want, o)
		}
	}
	return &Error{Code: EWRONGKIND, Field: "op", Message: fmt.Sprintf(
		"%s (%s) is a %s quota and does not support %s; use %v", q.Name, q.Code, q.Kind, op, want)}
}
