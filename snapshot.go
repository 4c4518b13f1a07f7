package headroom

import (
	"context"
	"time"
)

// Snapshot is the whole state of a Store in domain terms, for copying an
// installation from one backend to another (headroom migrate). Each list is
// in the order given below, the same for every backend, so that the Export
// of a copy equals the Export of its source, field for field.
//
// Leases, idempotency keys and resource tokens are copied as stored, expired
// or not: an expired one holds nothing, and the copy's next Purge removes it
// as the source's would have.
type Snapshot struct {
	// Accounts are ordered by ID.
	Accounts []Account
	// Overrides are ordered by account, code, scope.
	Overrides []Override
	// AccessKeys carry their secrets in clear; the importing store seals
	// them with its own key. They are in the order they were created.
	AccessKeys []AccessKey
	// Tokens are ordered by ID.
	Tokens []Token
	// Counts is count and cumulative usage; Counters the plain counters.
	// Both are ordered by account, code, scope.
	Counts   []Usage
	Counters []Usage
	// Leases are ordered by account, code, scope, lease id.
	Leases []LeaseRecord
	// IdempotencyKeys are ordered by account, key.
	IdempotencyKeys []IdempotencyRecord
	// Requests are ordered by Created then ID.
	Requests []ChangeRequest
	// Transitions are every request's transitions, request by request in
	// the order of Requests, each request's oldest first.
	Transitions []Transition
	// Template is ordered by service, code, region.
	Template           []TemplateEntry
	TemplateAssociated bool
	// Audit is oldest first, with the source's IDs.
	Audit []AuditEntry
	// LastAuditID is the last audit ID the source gave, which is at least
	// the ID of every entry in Audit, and more when the newest entries were
	// purged. The copy gives IDs after it, so that no ID is ever given
	// twice, as the audit log promises.
	LastAuditID int64
	// Resources are ordered by Created, ID, Account, Kind. A resource's
	// parent and the resources it uses usually come before it, but an
	// importer must not rely on it: an update can make a resource use a
	// newer one. ParentKind is empty, as stores do not keep it; an
	// importer given one checks that the parent is in the snapshot.
	Resources []Resource
	// ResourceTokens are ordered by account, key.
	ResourceTokens []ResourceTokenRecord
	// Tags are ordered by account, resource; a resource without tags has
	// no entry.
	Tags []ResourceTags
	// AlarmRules are ordered by account, code.
	AlarmRules []AlarmRule
	// AlarmStates are ordered by account, code, scope, kind.
	AlarmStates []AlarmState
	// Webhooks carry their signing secrets in clear, as AccessKeys do; the
	// importing store seals them with its own key. They are ordered by
	// Created then ID.
	Webhooks []Webhook
	// Notifications are the whole outbox, pending, delivered and failed,
	// each with its ID (the idempotency id receivers drop repeats by), its
	// attempts and next attempt, ordered by Created then ID, oldest first.
	// A pending one names a webhook of Webhooks; a delivered or failed one
	// may name a webhook deleted since.
	Notifications []Notification
}

// LeaseRecord is one lease of a concurrency quota, live until Expires.
type LeaseRecord struct {
	Key     UsageKey
	LeaseID string
	Expires time.Time
}

// IdempotencyRecord is one remembered idempotency key of a count change.
type IdempotencyRecord struct {
	Account string
	Key     string
	// Op is "reserve" or "release".
	Op       Op
	Code     string
	Scope    string
	Amount   int64
	Recorded time.Time
}

// ResourceTokenRecord is one remembered client token of a resource
// create, with the resource it made.
type ResourceTokenRecord struct {
	Account string
	Token   ResourceToken
	Kind    string
	ID      string
	Created time.Time
}

// ResourceTags is the tags of one resource.
type ResourceTags struct {
	Account  string
	Resource string
	Tags     map[string]string
}

// Exporter is a Store that can give its whole state.
type Exporter interface {
	// Export reads the whole state in one consistent view.
	Export(ctx context.Context) (Snapshot, error)
}

// Importer is a Store that can take a whole state.
type Importer interface {
	// Import writes s into an empty store in one transaction: either all
	// of it is stored or nothing is. ECONFLICT if the store is not empty;
	// EINVALID if s is not consistent: an item twice (by its key), or an
	// override, access key or change request of an account s does not
	// hold, a transition of a request it does not hold, a resource use,
	// parent (by ParentKind) or resource token naming a resource it does
	// not hold, audit IDs not increasing, or alarm state that CheckAlarms
	// refuses.
	Import(ctx context.Context, s Snapshot) error
}

// Membership counts the Headroom nodes that share a store, each of which
// records that it is alive.
type Membership interface {
	// LiveNodes returns how many nodes have recorded that they are alive
	// recently, this one included; at least 1.
	LiveNodes(ctx context.Context) (int, error)
}

// Pinger is a backend that can say whether it is reachable now, for
// readiness checks.
type Pinger interface {
	// Ping returns EUNAVAILABLE if the backend cannot be reached.
	Ping(ctx context.Context) error
}
