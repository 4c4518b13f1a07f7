package headroom

import (
	"context"
	"time"
)

// Snapshot is the whole state of a Store in domain terms, for copying an
// installation from one backend to another (headroom migrate). Each list is
// in the order the source keeps it, so that a copy lists the same way.
type Snapshot struct {
	Accounts  []Account
	Overrides []Override
	// AccessKeys carry their secrets in clear; the importing store seals
	// them with its own key.
	AccessKeys []AccessKey
	Tokens     []Token
	// Counts is count and cumulative usage; Counters the plain counters.
	Counts          []Usage
	Counters        []Usage
	Leases          []LeaseRecord
	IdempotencyKeys []IdempotencyRecord
	Requests        []ChangeRequest
	// Transitions are every request's transitions, oldest first.
	Transitions        []Transition
	Template           []TemplateEntry
	TemplateAssociated bool
	// Audit is oldest first, with the source's IDs.
	Audit []AuditEntry
	// Resources are ordered by Created then ID, so a parent comes before
	// its children and a used resource before its users.
	Resources      []Resource
	ResourceTokens []ResourceTokenRecord
	Tags           []ResourceTags
}

// LeaseRecord is one live lease of a concurrency quota.
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
	// of it is stored or nothing is. ECONFLICT if the store is not empty.
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
