package httpapi

import (
	"time"

	"github.com/headroomhq/headroom"
)

// ErrorBody is the JSON body of every error, and of a failed batch item.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// Quota describes the quota that said no, for denials.
	Quota *DenialBody `json:"quota,omitempty"`
}

// DenialBody is the wire form of a headroom.Denial.
type DenialBody struct {
	Code         string  `json:"code"`
	Name         string  `json:"name"`
	Scope        string  `json:"scope,omitempty"`
	Limit        float64 `json:"limit"`
	Used         int64   `json:"used"`
	Requested    int64   `json:"requested"`
	RetryAfterMS int64   `json:"retry_after_ms,omitempty"`
}

// EnforceRequest is the body of POST /v1/enforce.
type EnforceRequest struct {
	Items []EnforceItem `json:"items"`
}

// EnforceItem is one enforcement request; see headroom.Request.
type EnforceItem struct {
	Op             string  `json:"op"`
	Account        string  `json:"account"`
	Code           string  `json:"code"`
	Scope          string  `json:"scope,omitempty"`
	Amount         int64   `json:"amount,omitempty"`
	IdempotencyKey string  `json:"idempotency_key,omitempty"`
	LeaseID        string  `json:"lease_id,omitempty"`
	TTLSeconds     float64 `json:"ttl_seconds,omitempty"`
	State          string  `json:"state,omitempty"`
	Size           int64   `json:"size,omitempty"`
	Text           string  `json:"text,omitempty"`
	Value          string  `json:"value,omitempty"`
	// Start is RFC 3339.
	Start           *time.Time `json:"start,omitempty"`
	DurationSeconds float64    `json:"duration_seconds,omitempty"`
}

// EnforceResponse is the body of a POST /v1/enforce answer: one result per
// item, in order.
type EnforceResponse struct {
	Results []EnforceResult `json:"results"`
}

// EnforceResult is one item's decision, or its error.
type EnforceResult struct {
	Allowed      bool       `json:"allowed"`
	Code         string     `json:"code,omitempty"`
	Scope        string     `json:"scope,omitempty"`
	Limit        float64    `json:"limit"`
	Level        string     `json:"level,omitempty"`
	Used         int64      `json:"used"`
	Remaining    int64      `json:"remaining"`
	RetryAfterMS int64      `json:"retry_after_ms,omitempty"`
	Expires      *time.Time `json:"expires,omitempty"`
	Replayed     bool       `json:"replayed,omitempty"`
	Uncounted    bool       `json:"uncounted,omitempty"`
	Error        *ErrorBody `json:"error,omitempty"`
}

// AccountCreate is the body of POST /v1/accounts.
type AccountCreate struct {
	AccountID string `json:"account_id"`
	// Created is a date, YYYY-MM-DD; today if empty.
	Created string `json:"created,omitempty"`
	AISPL   bool   `json:"aispl,omitempty"`
}

// Account is the wire form of an account.
type Account struct {
	AccountID string `json:"account_id"`
	Created   string `json:"created"`
	AISPL     bool   `json:"aispl"`
}

// AccessKey is a new key pair; the secret is shown only when created.
type AccessKey struct {
	AccountID       string `json:"account_id"`
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key,omitempty"`
}

// AccountCreated answers POST /v1/accounts: the account and its first keys.
type AccountCreated struct {
	Account
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
}

// Quota is a quota's status for an account in a scope.
type Quota struct {
	Code        string  `json:"code"`
	Service     string  `json:"service"`
	Name        string  `json:"name"`
	Kind        string  `json:"kind"`
	Unit        string  `json:"unit"`
	Scope       string  `json:"scope"`
	Value       float64 `json:"value"`
	Burst       int64   `json:"burst,omitempty"`
	Level       string  `json:"level"`
	Adjustable  bool    `json:"adjustable"`
	Default     float64 `json:"default"`
	Usage       *int64  `json:"usage,omitempty"`
	PercentUsed float64 `json:"percent_used"`
	// Allow and Deny are a set quota's effective entries.
	Allow []string `json:"allow,omitempty"`
	Deny  []string `json:"deny,omitempty"`
	// Invented lists the parts of the catalog default that Headroom chose
	// because the seed gives none, each with source "headroom".
	Invented []InventedDefault `json:"invented,omitempty"`
}

// InventedDefault is a default Headroom chose where the seed gives none.
type InventedDefault struct {
	Field  string `json:"field"`
	Value  string `json:"value"`
	Source string `json:"source"`
	Note   string `json:"note"`
}

// QuotaList answers GET /v1/accounts/{account}/quotas and .../usage.
type QuotaList struct {
	Quotas []Quota `json:"quotas"`
}

// OverrideSet is the body of PUT /v1/accounts/{account}/overrides/{code}.
type OverrideSet struct {
	Scope string   `json:"scope,omitempty"`
	Value *float64 `json:"value,omitempty"`
	Allow []string `json:"allow,omitempty"`
	Deny  []string `json:"deny,omitempty"`
}

// Override is the wire form of an override.
type Override struct {
	AccountID string    `json:"account_id"`
	Code      string    `json:"code"`
	Scope     string    `json:"scope"`
	Value     float64   `json:"value"`
	Allow     []string  `json:"allow,omitempty"`
	Deny      []string  `json:"deny,omitempty"`
	UpdatedBy string    `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

// UsageSet is the body of PUT /v1/accounts/{account}/usage/{code}:
// reconcile a counter from a source of truth.
type UsageSet struct {
	Scope string `json:"scope,omitempty"`
	Used  *int64 `json:"used"`
}

// TokenCreate is the body of POST /v1/tokens.
type TokenCreate struct {
	Name     string   `json:"name"`
	Role     string   `json:"role"`
	Accounts []string `json:"accounts,omitempty"`
}

// Token is the wire form of a token; Secret is set only when created.
type Token struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Role     string    `json:"role"`
	Accounts []string  `json:"accounts,omitempty"`
	Created  time.Time `json:"created"`
	Secret   string    `json:"token,omitempty"`
}

// AuditEntry is the wire form of a headroom.AuditEntry.
type AuditEntry struct {
	ID        int64     `json:"id"`
	Time      time.Time `json:"time"`
	Actor     string    `json:"actor"`
	AccountID string    `json:"account_id,omitempty"`
	Action    string    `json:"action"`
	Code      string    `json:"code,omitempty"`
	Scope     string    `json:"scope,omitempty"`
	Detail    string    `json:"detail"`
}

func toQuota(st headroom.QuotaStatus) Quota {
	q := st.Quota
	out := Quota{Code: q.Code, Service: q.Service, Name: q.Name, Kind: string(q.Kind), Unit: string(q.Unit), Scope: st.Scope,
		Value: st.Applied.Value, Burst: st.Applied.Burst, Level: string(st.Applied.Level), Adjustable: q.Adjustable, Default: q.Value}
	if st.Counted {
		u := st.Used
		out.Usage = &u
		out.PercentUsed = st.Percent()
	}
	for e, ok := range st.Applied.Entries {
		if ok {
			out.Allow = append(out.Allow, e)
		} else {
			out.Deny = append(out.Deny, e)
		}
	}
	sortStrings(out.Allow)
	sortStrings(out.Deny)
	for _, x := range q.Invented {
		out.Invented = append(out.Invented, InventedDefault{Field: x.Field, Value: x.Value, Source: headroom.SourceHeadroom, Note: x.Note})
	}
	return out
}

func toAccount(a headroom.Account) Account {
	return Account{AccountID: a.ID, Created: a.Created.UTC().Format(time.DateOnly), AISPL: a.Partner == headroom.PartnerAISPL}
}

func toOverride(o headroom.Override) Override {
	return Override{AccountID: o.Account, Code: o.Code, Scope: o.Scope, Value: o.Value, Allow: o.Allow, Deny: o.Deny, UpdatedBy: o.UpdatedBy, UpdatedAt: o.UpdatedAt}
}

func toToken(t headroom.Token) Token {
	return Token{ID: t.ID, Name: t.Name, Role: string(t.Role), Accounts: t.Accounts, Created: t.Created}
}
