package headroom

import (
	"slices"
	"time"
)

// RequestStatus is a quota change request's status, as AWS Service Quotas
// names them.
type RequestStatus string

// The statuses. PENDING and CASE_OPENED are open; the others are final.
const (
	StatusPending        RequestStatus = "PENDING"
	StatusCaseOpened     RequestStatus = "CASE_OPENED"
	StatusApproved       RequestStatus = "APPROVED"
	StatusDenied         RequestStatus = "DENIED"
	StatusCaseClosed     RequestStatus = "CASE_CLOSED"
	StatusNotApproved    RequestStatus = "NOT_APPROVED"
	StatusInvalidRequest RequestStatus = "INVALID_REQUEST"
)

// Open reports whether a request in status s still awaits a decision.
func (s RequestStatus) Open() bool { return s == StatusPending || s == StatusCaseOpened }

// Valid reports whether s is one of the statuses.
func (s RequestStatus) Valid() bool {
	switch s {
	case StatusPending, StatusCaseOpened, StatusApproved, StatusDenied, StatusCaseClosed, StatusNotApproved, StatusInvalidRequest:
		return true
	}
	return false
}

// RequestType says what a change request asks for. The seed routes all of
// these through the same quota increase form.
type RequestType string

// The request types.
const (
	// RequestIncrease raises a quota's applied value.
	RequestIncrease RequestType = "increase"
	// RequestAllowList changes a set quota's entries, in either direction
	// (the outbound country allow-list).
	RequestAllowList RequestType = "allow-list"
	// RequestPorting asks to port phone numbers from another carrier.
	RequestPorting RequestType = "porting"
)

// MaxOpenRequests is how many open change requests one account may have, as
// AWS Service Quotas limits.
const MaxOpenRequests = 20

// ChangeRequest is a request to change a quota for an account.
type ChangeRequest struct {
	// ID is unique, assigned by the caller of the store.
	ID      string
	Type    RequestType
	Account string
	Code    string
	// Scope is ScopeAccount or a resource prefix such as "instance/i-1".
	Scope string
	// DesiredValue is what was asked for (increase requests).
	DesiredValue float64
	// GrantedValue is what an approval applied; it may be less than asked.
	GrantedValue float64
	// Allow and Deny are the entries an allow-list request changes.
	Allow []string
	Deny  []string
	// Details is free text: the porting request's numbers and carrier, or a
	// requester's justification.
	Details string
	Status  RequestStatus
	// CaseID is set when the request went to review.
	CaseID string
	// SupportCaseAllowed false means a request that needs review ends
	// NOT_APPROVED instead of opening a case.
	SupportCaseAllowed bool
	Requester          string
	Created            time.Time
	LastUpdated        time.Time
}

// Transition is one status change of a change request.
type Transition struct {
	RequestID string
	From      RequestStatus
	To        RequestStatus
	Actor     string
	At        time.Time
	Note      string
	// CaseID and GrantedValue, when set, are recorded on the request.
	CaseID       string
	GrantedValue float64
}

// ChangeRequestFilter selects change requests. Zero fields match everything.
type ChangeRequestFilter struct {
	Account string
	Code    string
	Scope   string
	Status  RequestStatus
	// AfterID pages: requests ordered by (Created, ID) after this ID.
	AfterID string
	// Limit caps the result; zero means 1000.
	Limit int
}

// AccessKey is an AWS-style credential of an account. The secret is kept as
// given, because SigV4 verification recomputes signatures with it.
type AccessKey struct {
	ID      string
	Account string
	Secret  string
	Created time.Time
}

// Role is what an API token may do.
type Role string

// The roles.
const (
	// RoleOperator may do everything.
	RoleOperator Role = "operator"
	// RoleService may enforce and read for the accounts it is bound to.
	RoleService Role = "service"
)

// Token is a bearer token of the native API. Only a hash of the secret is
// stored.
type Token struct {
	ID   string
	Name string
	Role Role
	// Hash is the SHA-256 of the secret.
	Hash []byte
	// Accounts binds a service token to accounts; empty for operators.
	Accounts []string
	Created  time.Time
}

// MayAct reports whether the token may act for an account: an operator
// token for every account, a service token for the accounts it is bound
// to. It is the one rule every transport applies; safe for concurrent use.
func (t Token) MayAct(account string) bool {
	return t.Role == RoleOperator || slices.Contains(t.Accounts, account)
}

// PurgeResult counts what a Purge removed.
type PurgeResult struct {
	Leases          int
	IdempotencyKeys int
	// Tokens counts resource tokens forgotten.
	Tokens int
	// Notifications counts delivered and failed notifications removed
	// from the outbox (Engine.Maintain; a Store's Purge leaves it zero).
	Notifications int64
	// History counts usage history rows removed by Engine.Maintain;
	// Store.Purge leaves it zero.
	History int64
}

// TemplateEntry is one quota increase in the organization's quota request
// template: once the template is associated, every account created
// afterwards gets DesiredValue as an account-level override.
type TemplateEntry struct {
	Service      string
	Code         string
	Region       string
	DesiredValue float64
}

// MaxTags bounds the tags on one resource, as AWS does.
const MaxTags = 50
