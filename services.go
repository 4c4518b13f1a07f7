package headroom

import (
	"context"
	"time"
)

// The domain services. Transports (the native API, the AWS-compatible
// APIs) depend on these interfaces only, never on a Store, so that every
// rule about shared state is applied in one place: the Engine, which
// implements them all, and the atomic Store operations it calls. Each
// method's errors are those documented on the Engine method of the same
// name.

// QuotaService decides and reads quotas: enforcement, applied values,
// usage and overrides.
type QuotaService interface {
	Catalog() *Catalog
	Region() string
	Clock() Clock
	Do(ctx context.Context, r Request) (Decision, error)
	Batch(ctx context.Context, reqs []Request) []Result
	Applied(ctx context.Context, account, code, scope string) (Applied, error)
	Status(ctx context.Context, account, code, scope string) (QuotaStatus, error)
	ListStatus(ctx context.Context, account string, f StatusFilter) ([]QuotaStatus, error)
	BusiestUsage(ctx context.Context, account string) ([]QuotaStatus, error)
	Usage(ctx context.Context, account, code, scope string) (int64, error)
	Reconcile(ctx context.Context, account, code, scope string, used int64, actor string) error
	SetOverride(ctx context.Context, o Override, actor string) error
	DeleteOverride(ctx context.Context, account, code, scope, actor string) error
	ListOverrides(ctx context.Context, account string) ([]Override, error)
	CheckDestination(ctx context.Context, account, instanceID, number string) (Decision, error)
	AddAttachment(ctx context.Context, account, contactID, fileName string, size int64, idempotencyKey string) (Decision, error)
	CheckAvailable(ctx context.Context, account, code string) error
}

// AccountService manages accounts, access keys and API tokens.
type AccountService interface {
	CreateAccount(ctx context.Context, a Account, actor string) (Account, AccessKey, error)
	FindAccount(ctx context.Context, id string) (Account, error)
	ListAccounts(ctx context.Context) ([]Account, error)
	CreateAccessKey(ctx context.Context, account, actor string) (AccessKey, error)
	FindAccessKey(ctx context.Context, id string) (AccessKey, error)
	CreateToken(ctx context.Context, name string, role Role, accounts []string, actor string) (Token, string, error)
	FindToken(ctx context.Context, hash []byte) (Token, error)
	ListTokens(ctx context.Context) ([]Token, error)
	DeleteToken(ctx context.Context, id, actor string) error
}

// RequestService runs the quota-increase workflow and the organization's
// quota request template.
type RequestService interface {
	RequestChange(ctx context.Context, in ChangeInput) (ChangeRequest, error)
	DecideRequest(ctx context.Context, id string, d RequestDecision, actor string) (ChangeRequest, error)
	FindChangeRequest(ctx context.Context, id string) (ChangeRequest, error)
	ListChangeRequests(ctx context.Context, f ChangeRequestFilter) ([]ChangeRequest, error)
	ListTransitions(ctx context.Context, id string) ([]Transition, error)
	PutTemplateEntry(ctx context.Context, t TemplateEntry, actor string) error
	DeleteTemplateEntry(ctx context.Context, service, code, region, actor string) error
	SetTemplateAssociated(ctx context.Context, on bool, actor string) error
	ListTemplateEntries(ctx context.Context) ([]TemplateEntry, error)
	TemplateAssociated(ctx context.Context) (bool, error)
}

// ResourceService keeps the resources of emulated APIs with the quota
// slots they hold, their plain counters and their tags.
type ResourceService interface {
	CreateResource(ctx context.Context, c ResourceCreate) (ResourceResult, error)
	UpdateResource(ctx context.Context, account, kind, id string, change ResourceChange) (Resource, error)
	DeleteResource(ctx context.Context, d ResourceDelete) error
	DeleteResourceTree(ctx context.Context, d ResourceDelete, scope string) (int, error)
	FindResource(ctx context.Context, account, kind, id string) (Resource, error)
	ListResources(ctx context.Context, f ResourceFilter) ([]Resource, error)
	AddCounter(ctx context.Context, key UsageKey, n int64) (int64, error)
	Counter(ctx context.Context, key UsageKey) (int64, error)
	TagResource(ctx context.Context, account, resource string, tags map[string]string) error
	UntagResource(ctx context.Context, account, resource string, keys []string) error
	ListTags(ctx context.Context, account, resource string) (map[string]string, error)
}

// AuditService reads the audit log.
type AuditService interface {
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}

// Services is every domain service; the Engine implements it, and a
// transport takes it (or the part it needs) rather than an Engine.
type Services interface {
	QuotaService
	AccountService
	RequestService
	ResourceService
	AuditService
	BlobService
	HistoryService
	AlarmService
}

var _ Services = (*Engine)(nil)

// FindAccount returns an account; EUNKNOWNACCOUNT if it does not exist.
func (e *Engine) FindAccount(ctx context.Context, id string) (Account, error) {
	return e.store.FindAccount(ctx, id)
}

// ListAccounts returns every account ordered by id.
func (e *Engine) ListAccounts(ctx context.Context) ([]Account, error) {
	return e.store.ListAccounts(ctx)
}

// ListOverrides returns every override of an account, ordered by code then
// scope; EUNKNOWNACCOUNT if the account does not exist.
func (e *Engine) ListOverrides(ctx context.Context, account string) ([]Override, error) {
	if _, err := e.store.FindAccount(ctx, account); err != nil {
		return nil, err
	}
	return e.store.ListOverrides(ctx, account)
}

// FindAccessKey returns an access key; ENOTFOUND if it does not exist.
func (e *Engine) FindAccessKey(ctx context.Context, id string) (AccessKey, error) {
	return e.store.FindAccessKey(ctx, id)
}

// FindToken returns the API token with the given secret hash; ENOTFOUND if
// none.
func (e *Engine) FindToken(ctx context.Context, hash []byte) (Token, error) {
	return e.store.FindToken(ctx, hash)
}

// ListTokens returns every API token ordered by id.
func (e *Engine) ListTokens(ctx context.Context) ([]Token, error) { return e.store.ListTokens(ctx) }

// FindChangeRequest returns a change request; ENOTFOUND if none.
func (e *Engine) FindChangeRequest(ctx context.Context, id string) (ChangeRequest, error) {
	return e.store.FindChangeRequest(ctx, id)
}

// ListChangeRequests returns the change requests matching f, ordered by
// creation time then id.
func (e *Engine) ListChangeRequests(ctx context.Context, f ChangeRequestFilter) ([]ChangeRequest, error) {
	return e.store.ListChangeRequests(ctx, f)
}

// ListTransitions returns a change request's transitions, oldest first.
func (e *Engine) ListTransitions(ctx context.Context, id string) ([]Transition, error) {
	return e.store.ListTransitions(ctx, id)
}

// ListTemplateEntries returns the quota request template's entries.
func (e *Engine) ListTemplateEntries(ctx context.Context) ([]TemplateEntry, error) {
	return e.store.ListTemplateEntries(ctx)
}

// TemplateAssociated reports whether the quota request template is
// associated.
func (e *Engine) TemplateAssociated(ctx context.Context) (bool, error) {
	return e.store.TemplateAssociated(ctx)
}

// TagResource adds or replaces tags on a resource of an account. The
// resource may then carry at most MaxTags tags: the store checks that in the
// same atomic operation as the change (EQUOTAEXCEEDED otherwise, and
// nothing changes).
func (e *Engine) TagResource(ctx context.Context, account, resource string, tags map[string]string) error {
	return e.store.TagResource(ctx, account, resource, tags, MaxTags)
}

// UntagResource removes tag keys from a resource; absent keys are ignored.
func (e *Engine) UntagResource(ctx context.Context, account, resource string, keys []string) error {
	return e.store.UntagResource(ctx, account, resource, keys)
}

// ListTags returns a resource's tags; empty if it has none.
func (e *Engine) ListTags(ctx context.Context, account, resource string) (map[string]string, error) {
	return e.store.ListTags(ctx, account, resource)
}

// ListAudit returns the audit entries matching f, oldest first.
func (e *Engine) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	return e.store.ListAudit(ctx, f)
}

// Retention says how long the maintenance pass keeps what it purges.
type Retention struct {
	// Keys is how long idempotency keys and resource tokens are kept;
	// DefaultKeyRetention if zero.
	Keys time.Duration
	// Audit is how long audit entries are kept; zero keeps them forever.
	Audit time.Duration
	// Notifications is how long delivered and failed notifications stay
	// in the outbox; DefaultNotificationRetention if zero.
	Notifications time.Duration
}

// DefaultNotificationRetention is how long delivered and failed
// notifications are kept for operators to read.
const DefaultNotificationRetention = 7 * 24 * time.Hour

// DefaultKeyRetention is how long idempotency keys are remembered.
const DefaultKeyRetention = 24 * time.Hour

// Maintain runs one maintenance pass over the store: it removes leases
// expired now, idempotency keys and resource tokens older than the
// retention, delivered and failed notifications older than theirs, and,
// with an audit retention, old audit entries; it rolls up the usage
// history's recent hours and purges it by MinuteHistoryRetention and
// HourHistoryRetention. Every store is maintained the same way; the server
// runs it on a timer.
func (e *Engine) Maintain(ctx context.Context, r Retention) (PurgeResult, int64, error) {
	if r.Keys <= 0 {
		r.Keys = DefaultKeyRetention
	}
	now := e.clock.Now()
	res, err := e.store.Purge(ctx, now, now.Add(-r.Keys))
	if err != nil {
		return res, 0, err
	}
	if res.History, err = e.maintainHistory(ctx, now); err != nil {
		return res, 0, err
	}
	if r.Notifications <= 0 {
		r.Notifications = DefaultNotificationRetention
	}
	if res.Notifications, err = e.store.PurgeNotifications(ctx, now.Add(-r.Notifications)); err != nil {
		return res, 0, err
	}
	var audit int64
	if r.Audit > 0 {
		audit, err = e.store.PurgeAudit(ctx, now.Add(-r.Audit))
	}
	return res, audit, err
}
