package headroom

import (
	"context"
	"time"
)

// Clock tells the time. The engine, stores and limiters read time only
// through a Clock, so tests advance time instead of sleeping.
type Clock interface {
	Now() time.Time
}

// UsageKey names one usage counter: an account's usage of a quota in a
// concrete scope. It is comparable and used as a map key.
type UsageKey struct {
	Account string
	Code    string
	// Scope is ScopeAccount or a concrete scope such as "instance/i-1".
	Scope string
}

// CountChange asks a Store to reserve or release Amount units of a count (or
// cumulative) usage counter.
type CountChange struct {
	Key UsageKey
	// Amount is at least 1; the engine checks it before any store call.
	Amount int64
	// Limit is the applied value; a reserve succeeds only if the usage after
	// it stays at or below Limit. Release ignores it.
	Limit int64
	// IdempotencyKey, if set, makes the change happen at most once: a retry
	// with the same key returns the first result and changes nothing. The key
	// is unique per account.
	IdempotencyKey string
	// Now stamps the idempotency record, for retention.
	Now time.Time
}

// CountResult is a Store's answer to a CountChange.
type CountResult struct {
	// Applied is false when a reserve was refused for the limit.
	Applied bool
	// Used is the usage after the change (or at the refusal).
	Used int64
	// Replayed is true when the idempotency key had been used before.
	Replayed bool
}

// LeaseChange asks a Store to acquire, renew or release one lease of a
// concurrency quota.
type LeaseChange struct {
	Key UsageKey
	// LeaseID identifies the session; it is unique per usage key.
	LeaseID string
	// Limit is the applied value; acquire succeeds only if the live leases
	// after it stay at or below Limit.
	Limit int64
	// Now is the time of the change; leases whose Expires is not after Now
	// are expired and hold no slot.
	Now time.Time
	// Expires is the new deadline, for acquire and renew.
	Expires time.Time
}

// LeaseResult is a Store's answer to a LeaseChange.
type LeaseResult struct {
	// Applied is false when an acquire was refused for the limit, or a
	// release found no live lease.
	Applied bool
	// Used is the number of live leases after the change.
	Used int64
	// Replayed is true when acquire found the lease already live.
	Replayed bool
	// Expires is the lease's deadline after the change.
	Expires time.Time
}

// SlotChange is the usage a resource write changes with the resource, in
// the same transaction, so that a resource and the slots it holds are never
// apart. Each field is applied only when set.
type SlotChange struct {
	// Hold reserves count slots; a refused hold fails the write, which then
	// changes nothing and returns Applied false.
	Hold *CountChange
	// Free releases count slots, never below zero.
	Free *CountChange
	// Acquire takes a lease of a concurrency quota; a live lease of the
	// same id is kept (replayed). A refused acquire fails the write, which
	// then changes nothing and returns Applied false.
	Acquire *LeaseChange
	// Release frees leases; a lease that is gone is no error.
	Release []LeaseChange
}

// Usage is one usage counter's value.
type Usage struct {
	Key  UsageKey
	Used int64
}

// Store keeps Headroom's durable state. It is the sum of seven roles, so
// that a new backend can be brought up, and tested with the matching part
// of the contract suite in internal/storetest, one role at a time.
//
// Every rule about shared state (a limit, an idempotency key, a version,
// the number of tags or open requests) is checked and applied inside one
// atomic Store operation, never under a lock in the caller's process:
// several Headroom nodes may share one Store. Implementations must be safe
// for concurrent use.
//
// Errors are *Error values: EUNKNOWNACCOUNT, ENOTFOUND, ECONFLICT, ESTALE,
// EIDEMPOTENCY, EQUOTAEXCEEDED, EINVALID, or EUNAVAILABLE/EINTERNAL for
// backend failures.
type Store interface {
	UsageStore
	AccountStore
	WorkflowStore
	ResourceStore
	AuditStore
	HistoryStore
	AlarmStore
}

// UsageStore keeps count usage with its idempotency keys, leases and plain
// counters. Every check-and-change is atomic, so no two callers can both
// take the last slot.
type UsageStore interface {
	// Reserve adds Amount to a counter if the result stays within Limit.
	// ECONFLICT if the idempotency key was used for a different change.
	Reserve(ctx context.Context, c CountChange) (CountResult, error)
	// Release subtracts Amount from a counter, never going below zero.
	// ECONFLICT if the idempotency key was used for a different change.
	Release(ctx context.Context, c CountChange) (CountResult, error)
	// SetUsage sets a counter to used (reconcile from a source of truth) and
	// appends audit in the same transaction.
	SetUsage(ctx context.Context, key UsageKey, used int64, audit AuditEntry) error
	// CountUsage returns a counter's value; zero if it was never used.
	CountUsage(ctx context.Context, key UsageKey) (int64, error)

	// AcquireLease takes a slot for LeaseID if the live leases stay within
	// Limit. Acquiring a live lease again changes nothing (Replayed).
	AcquireLease(ctx context.Context, c LeaseChange) (LeaseResult, error)
	// RenewLease moves a live lease's deadline to Expires; ENOTFOUND if the
	// lease does not exist or has expired.
	RenewLease(ctx context.Context, c LeaseChange) (LeaseResult, error)
	// ReleaseLease frees a lease's slot. Releasing a lease that is gone is
	// not an error: Applied is false.
	ReleaseLease(ctx context.Context, c LeaseChange) (LeaseResult, error)
	// LeaseUsage returns the number of leases live at now. It only reads;
	// expired leases are removed by acquires and Purge.
	LeaseUsage(ctx context.Context, key UsageKey, now time.Time) (int64, error)

	// ListUsage returns every non-zero count counter and live lease count of
	// an account at now.
	ListUsage(ctx context.Context, account string, now time.Time) ([]Usage, error)

	// AddCounter adds n (at least 1) to a plain counter, such as a breach
	// metric, and returns its new value. Counters have no limit, are not
	// usage and are not listed by ListUsage.
	AddCounter(ctx context.Context, key UsageKey, n int64) (int64, error)
	// Counter returns a plain counter's value; zero if it was never added
	// to.
	Counter(ctx context.Context, key UsageKey) (int64, error)

	// Purge removes leases expired at now and idempotency keys and resource
	// tokens recorded before keysBefore. It must not block decisions for
	// long.
	Purge(ctx context.Context, now, keysBefore time.Time) (PurgeResult, error)
}

// AccountStore keeps accounts with their overrides, access keys and API
// tokens.
type AccountStore interface {
	// CreateAccount stores a new account; ECONFLICT if the id exists.
	CreateAccount(ctx context.Context, a Account, audit AuditEntry) error
	// FindAccount returns an account; EUNKNOWNACCOUNT if it does not exist.
	FindAccount(ctx context.Context, id string) (Account, error)
	// ListAccounts returns every account ordered by id.
	ListAccounts(ctx context.Context) ([]Account, error)

	// PutOverride creates or replaces the override for (account, code,
	// scope) and appends audit in the same transaction.
	PutOverride(ctx context.Context, o Override, audit AuditEntry) error
	// DeleteOverride removes an override and appends audit; ENOTFOUND if
	// there is none.
	DeleteOverride(ctx context.Context, account, code, scope string, audit AuditEntry) error
	// FindOverrides returns the overrides of one quota in one account, in
	// any scope. The caller must not modify the slice, so that a store may
	// return a shared one.
	FindOverrides(ctx context.Context, account, code string) ([]Override, error)
	// ListOverrides returns every override of an account, ordered by code
	// then scope.
	ListOverrides(ctx context.Context, account string) ([]Override, error)

	// CreateAccessKey stores a key of an existing account and appends
	// audit; EUNKNOWNACCOUNT, or ECONFLICT if the key id exists.
	CreateAccessKey(ctx context.Context, k AccessKey, audit AuditEntry) error
	// FindAccessKey returns a key; ENOTFOUND if it does not exist.
	FindAccessKey(ctx context.Context, id string) (AccessKey, error)
	// ListAccessKeys returns an account's keys ordered by creation.
	ListAccessKeys(ctx context.Context, account string) ([]AccessKey, error)

	// CreateToken stores an API token and appends audit; ECONFLICT if the
	// id or hash exists.
	CreateToken(ctx context.Context, t Token, audit AuditEntry) error
	// FindToken returns the token with the given secret hash; ENOTFOUND if
	// none.
	FindToken(ctx context.Context, hash []byte) (Token, error)
	// ListTokens returns every token ordered by id.
	ListTokens(ctx context.Context) ([]Token, error)
	// DeleteToken removes a token and appends audit; ENOTFOUND if none.
	DeleteToken(ctx context.Context, id string, audit AuditEntry) error
}

// WorkflowStore keeps change requests with their transitions, and the
// organization's quota request template.
type WorkflowStore interface {
	// CreateChangeRequest stores a new request with its first transition
	// (from "" to r.Status) and audit, atomically checking that the account
	// has no other open request for the same code and scope (ECONFLICT) and
	// fewer than maxOpen open requests in all (EQUOTAEXCEEDED).
	CreateChangeRequest(ctx context.Context, r ChangeRequest, maxOpen int, audit AuditEntry) error
	// TransitionChangeRequest moves a request from t.From to t.To, only if
	// its status is still t.From (ECONFLICT otherwise, ENOTFOUND if there
	// is no such request), records the transition, sets CaseID and
	// GrantedValue when given, applies the override apply if not nil, and
	// appends audit, all in one transaction. It returns the updated request.
	TransitionChangeRequest(ctx context.Context, t Transition, apply *Override, audit AuditEntry) (ChangeRequest, error)
	// FindChangeRequest returns a request; ENOTFOUND if none.
	FindChangeRequest(ctx context.Context, id string) (ChangeRequest, error)
	// ListChangeRequests returns requests matching f, ordered by creation
	// time then id.
	ListChangeRequests(ctx context.Context, f ChangeRequestFilter) ([]ChangeRequest, error)
	// ListTransitions returns a request's transitions, oldest first.
	ListTransitions(ctx context.Context, id string) ([]Transition, error)

	// PutTemplateEntry creates or replaces the template entry for
	// (service, code, region) and appends audit.
	PutTemplateEntry(ctx context.Context, e TemplateEntry, audit AuditEntry) error
	// DeleteTemplateEntry removes an entry and appends audit; ENOTFOUND if
	// there is none.
	DeleteTemplateEntry(ctx context.Context, service, code, region string, audit AuditEntry) error
	// ListTemplateEntries returns the entries ordered by service, code,
	// region.
	ListTemplateEntries(ctx context.Context) ([]TemplateEntry, error)
	// SetTemplateAssociated turns the template's association on or off and
	// appends audit.
	SetTemplateAssociated(ctx context.Context, on bool, audit AuditEntry) error
	// TemplateAssociated reports whether the template is associated.
	TemplateAssociated(ctx context.Context) (bool, error)
}

// ResourceStore keeps the resources of emulated APIs, each held together
// with the quota slots it takes and the resources it uses, and tags.
type ResourceStore interface {
	// CreateResource stores a new resource and, in the same transaction,
	// applies slots and records token, when not nil. A refused hold or
	// acquire stores nothing and returns Applied false. A live token with
	// the same Hash stores nothing and returns Replayed with the ID of the
	// resource it created; one with another Hash is EIDEMPOTENCY. ECONFLICT
	// if the id exists, or the name within its account, kind and parent;
	// ENOTFOUND if r.ParentKind is set and the parent does not exist, or a
	// resource r.Uses does not exist. A resource and its slots are never
	// apart. The stored resource has Version 1.
	CreateResource(ctx context.Context, r Resource, slots SlotChange, token *ResourceToken, audit AuditEntry) (ResourceResult, error)
	// UpdateResource replaces a resource's Name, Data, Uses and Updated,
	// only if its stored Version is still r.Version (ESTALE otherwise), and,
	// in the same transaction, applies slots. A refused hold or acquire
	// changes nothing and returns Applied false. ENOTFOUND if the resource,
	// or a resource it uses, does not exist; ECONFLICT for a name taken.
	// The result carries the new Version.
	UpdateResource(ctx context.Context, r Resource, slots SlotChange) (ResourceResult, error)
	// DeleteResource removes a resource and the tokens that name it and, in
	// the same transaction, applies slots (a Hold or Acquire is ignored).
	// ENOTFOUND if it does not exist; EINUSE, and nothing changes, while
	// another resource uses it.
	DeleteResource(ctx context.Context, account, kind, id string, slots SlotChange, audit AuditEntry) error
	// DeleteResourceTree removes a resource, every resource below it (by
	// Parent, at any depth, of any kind), the tokens that name any of them,
	// the uses of and by any of them, and every count, lease and counter of
	// the account in scope or below it (scope "instance/i-1" covers
	// "instance/i-1/agent/a"), and applies free, all in one transaction.
	// ENOTFOUND if the resource does not exist. It returns the number of
	// resources removed.
	DeleteResourceTree(ctx context.Context, account, kind, id, scope string, free *CountChange, audit AuditEntry) (int, error)
	// FindResource returns a resource; ENOTFOUND if it does not exist.
	FindResource(ctx context.Context, account, kind, id string) (Resource, error)
	// ListResources returns resources matching f, ordered by Created then ID.
	ListResources(ctx context.Context, f ResourceFilter) ([]Resource, error)

	// TagResource adds or replaces tags on a resource of an account, only
	// if the resource then carries at most max tags (EQUOTAEXCEEDED
	// otherwise, and nothing changes); max zero means no limit.
	TagResource(ctx context.Context, account, resource string, tags map[string]string, max int) error
	// UntagResource removes tag keys from a resource; absent keys are
	// ignored.
	UntagResource(ctx context.Context, account, resource string, keys []string) error
	// ListTags returns a resource's tags; empty if it has none.
	ListTags(ctx context.Context, account, resource string) (map[string]string, error)
}

// AuditStore keeps the audit log. Writes of the other roles append their
// entries in their own transactions.
type AuditStore interface {
	// AppendAudit appends an entry; the store assigns its ID.
	AppendAudit(ctx context.Context, e AuditEntry) error
	// ListAudit returns entries matching f, oldest first.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
	// PurgeAudit removes entries older than before and returns how many.
	PurgeAudit(ctx context.Context, before time.Time) (int64, error)
}

// RateLimit is the shape of one token bucket.
type RateLimit struct {
	// Rate is the refill rate in tokens per second; above zero.
	Rate float64
	// Burst is the bucket capacity; at least one.
	Burst int64
}

// RateResult is a Limiter's decision.
type RateResult struct {
	Allowed bool
	// Remaining is the whole tokens left after the decision.
	Remaining int64
	// RetryAfter is, for a denial, how long until the request would succeed.
	RetryAfter time.Duration
	// At is the limiter clock's reading the decision was made at.
	At time.Time
}

// Limiter keeps token buckets. The token arithmetic lives inside it, so a
// distributed implementation can do it in one atomic step. Over any interval
// of length t of the limiter's clock, one bucket grants at most
// Burst + Rate × t tokens, however many callers race. Implementations must be
// safe for concurrent use and pass the contract suite in internal/storetest.
type Limiter interface {
	// Take takes n tokens from the bucket key if it holds them. A bucket
	// not seen before starts full. EINVALID for n < 1, n > Burst, or a bad
	// limit.
	Take(ctx context.Context, key UsageKey, limit RateLimit, n int64) (RateResult, error)
}

// DecisionCounter is a Limiter that counts its own decisions per bucket,
// for the usage history: it has found the bucket to decide, so counting
// there is nearly free, where the engine would have to find it again. The
// engine calls CountDecisions once when history is on, and drains the
// counts at every recording pass instead of counting itself.
type DecisionCounter interface {
	// CountDecisions starts counting every take decided, allowed or
	// throttled.
	CountDecisions()
	// DrainDecisions appends a sample stamped at of every bucket with
	// takes counted since the last drain (Allowed and Throttled set),
	// skipping keys without an account, and resets the counts.
	DrainDecisions(out []HistorySample, at time.Time) []HistorySample
}

// Take is one take of a batch: N tokens from the bucket Key of shape Limit.
type Take struct {
	Key   UsageKey
	Limit RateLimit
	N     int64
}

// BatchLimiter is a Limiter that decides several takes in one step, so
// that a distributed limiter answers a whole batch in one round trip.
// Engine.Batch uses it when the engine's Limiter has it.
type BatchLimiter interface {
	Limiter
	// TakeBatch decides each take as Take would, in order, into results
	// and errs, which have len(takes) elements. A bad take (EINVALID)
	// fails alone; a failure of the whole call, such as an unreachable
	// backend, is every take's error.
	TakeBatch(ctx context.Context, takes []Take, results []RateResult, errs []error)
}
