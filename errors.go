package headroom

import (
	"errors"
	"fmt"
	"time"
)

// ErrorCode classifies every error Headroom returns. The root package names
// the failures only; each transport (the native API, the AWS APIs) has one
// exhaustive table from code to its own wire form.
type ErrorCode string

// Error codes.
const (
	// EINVALID is malformed or out-of-range input.
	EINVALID ErrorCode = "invalid_argument"
	// EWRONGKIND is a quota used with an operation its kind does not support,
	// such as releasing a rate quota.
	EWRONGKIND ErrorCode = "wrong_kind"
	// EUNKNOWNQUOTA names a quota code the catalog does not hold.
	EUNKNOWNQUOTA ErrorCode = "unknown_quota"
	// EUNKNOWNACCOUNT names an account that does not exist.
	EUNKNOWNACCOUNT ErrorCode = "unknown_account"
	// ENOTFOUND is any other missing entity: a lease, an override.
	ENOTFOUND ErrorCode = "not_found"
	// ECONFLICT is a clash with existing state: a duplicate account, or an
	// idempotency key reused for a different operation.
	ECONFLICT ErrorCode = "conflict"
	// EIDEMPOTENCY is a resource token (such as Amazon Connect's
	// ClientToken) reused for a request with other parameters.
	EIDEMPOTENCY ErrorCode = "idempotency_mismatch"
	// ESTALE is an update of an entity that another writer changed since it
	// was read; the caller reads it again and retries.
	ESTALE ErrorCode = "stale"
	// EINUSE is the removal of an entity that another one still uses, such
	// as a user hierarchy group that has child groups.
	EINUSE ErrorCode = "in_use"
	// EPRECONDITION is an operation the entity's state does not allow, such
	// as stopping a contact that has already ended.
	EPRECONDITION ErrorCode = "failed_precondition"
	// ENOTADJUSTABLE is an attempt to change a quota that cannot be increased.
	ENOTADJUSTABLE ErrorCode = "not_adjustable"
	// EQUOTAEXCEEDED is a denial: the action would exceed an applied value.
	EQUOTAEXCEEDED ErrorCode = "quota_exceeded"
	// ETHROTTLED is a rate denial; the error carries the retry-after.
	ETHROTTLED ErrorCode = "throttled"
	// ENOTALLOWED is a value outside an allow-list, such as a destination
	// number or an attachment file type.
	ENOTALLOWED ErrorCode = "not_allowed"
	// ENOTAVAILABLE is a capability the account may not use at all, such as
	// creating an Amazon Connect instance through AISPL.
	ENOTAVAILABLE ErrorCode = "not_available"
	// ETOOLARGE is a request body over the size limit.
	ETOOLARGE ErrorCode = "too_large"
	// EUNAUTHENTICATED is a missing or wrong credential.
	EUNAUTHENTICATED ErrorCode = "unauthenticated"
	// EFORBIDDEN is a valid credential acting outside its scope.
	EFORBIDDEN ErrorCode = "forbidden"
	// EUNAVAILABLE is a backend that cannot answer now; the caller may retry.
	EUNAVAILABLE ErrorCode = "unavailable"
	// EINTERNAL is a bug or an unexpected backend failure.
	EINTERNAL ErrorCode = "internal"
)

// ErrorCodes lists every ErrorCode, so that each transport's table can be
// tested for completeness.
var ErrorCodes = []ErrorCode{
	EINVALID, EWRONGKIND, EUNKNOWNQUOTA, EUNKNOWNACCOUNT, ENOTFOUND, ECONFLICT, EIDEMPOTENCY, ESTALE, EINUSE,
	EPRECONDITION, ENOTADJUSTABLE, EQUOTAEXCEEDED, ETHROTTLED, ENOTALLOWED, ENOTAVAILABLE, ETOOLARGE,
	EUNAUTHENTICATED, EFORBIDDEN, EUNAVAILABLE, EINTERNAL,
}

// Retryable reports whether a request that failed with c may succeed if
// sent again unchanged: a throttle, a backend that could not answer, or a
// lost race on a version.
func (c ErrorCode) Retryable() bool {
	return c == ETHROTTLED || c == EUNAVAILABLE || c == ESTALE
}

// Error is Headroom's one application error type. Wrap it freely with
// fmt.Errorf("...: %w", err); ErrorCodeOf and ErrorDenial see through wrapping.
type Error struct {
	// Code classifies the error.
	Code ErrorCode
	// Message is written for the end user. For denials it states the limit.
	Message string
	// Field names the offending input field, where one is to blame.
	Field string
	// Denial describes the quota that said no; set for EQUOTAEXCEEDED,
	// ETHROTTLED and ENOTALLOWED.
	Denial *Denial
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("headroom: %s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("headroom: %s: %s", e.Code, e.Message)
}

// Denial is what a quota denial reveals: the quota, its applied value, the
// current usage and what was asked for. The seed relies on error messages that
// reveal the quota, so every denial states its limit.
type Denial struct {
	QuotaCode string
	QuotaName string
	// Scope is the concrete scope the usage was counted in.
	Scope string
	// Limit is the applied value.
	Limit float64
	// Used is the usage at the time of the decision.
	Used int64
	// Requested is the amount asked for (tokens, slots, bytes, characters).
	Requested int64
	// RetryAfter is set for rate denials: when the request would succeed.
	RetryAfter time.Duration
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error of code EINVALID that names the bad field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCodeOf returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCodeOf(err error) ErrorCode {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the Message of its
// *Error, or a generic text for internal errors so that no internals leak.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		if e.Field != "" {
			return e.Field + ": " + e.Message
		}
		return e.Message
	}
	return "internal error"
}

// ErrorDenial returns the Denial carried by err's *Error, or nil.
func ErrorDenial(err error) *Denial {
	var e *Error
	if errors.As(err, &e) {
		return e.Denial
	}
	return nil
}
