package headroom

import (
	"math"
	"time"
)

// PartnerAISPL marks an account that contracts through Amazon Internet
// Services Pvt. Ltd (India). Amazon Connect is not available to such accounts.
const PartnerAISPL = "AISPL"

// Account is a tenant. Its id is 12 digits, as in AWS.
type Account struct {
	ID string
	// Created decides which default cohort applies.
	Created time.Time
	// Partner is "" or PartnerAISPL.
	Partner string
}

// Validate returns an *Error of code EINVALID naming the bad field.
func (a *Account) Validate() error {
	if !ValidAccountID(a.ID) {
		return FieldErrorf("account_id", "%q must be 12 digits", a.ID)
	}
	if a.Created.IsZero() {
		return FieldErrorf("created", "must be set")
	}
	if a.Partner != "" && a.Partner != PartnerAISPL {
		return FieldErrorf("partner", "unknown partner %q (want empty or %s)", a.Partner, PartnerAISPL)
	}
	return nil
}

// ValidAccountID reports whether id is 12 ASCII digits.
func ValidAccountID(id string) bool {
	if len(id) != 12 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}

// Override is an applied value that replaces a quota's default for one
// account, either account-wide (Scope "account") or for one resource such as
// "instance/i-1". Only adjustable quotas take overrides.
type Override struct {
	Account string
	Code    string
	// Scope is ScopeAccount or a resource prefix of the quota's scope.
	Scope string
	// Value is the applied value; for rate quotas, the refill rate.
	Value float64
	// Allow and Deny change a set quota's entries: an entry here replaces the
	// catalog's verdict for the same entry, in either direction.
	Allow []string
	Deny  []string
	// UpdatedBy and UpdatedAt record who set it and when.
	UpdatedBy string
	UpdatedAt time.Time
}

// AuditEntry records one change to an applied value or to usage, with who
// made it and when. The audit log is append-only.
type AuditEntry struct {
	// ID is assigned by the store, increasing.
	ID      int64
	Time    time.Time
	Actor   string
	Account string
	// Action is a dotted verb such as "override.set" or "usage.reconcile".
	Action string
	Code   string
	Scope  string
	// Detail is a human-readable account of the change, with old and new values.
	Detail string
}

// AuditFilter selects audit entries. Zero fields match everything.
type AuditFilter struct {
	Account string
	Code    string
	// AfterID returns entries with a larger ID, for paging.
	AfterID int64
	// Limit caps the number of entries; zero means 1000.
	Limit int
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
