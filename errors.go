package headroom

import (
	"errors"
	"fmt"
	"time"
)

// ErrorCode classifies every error Headroom returns. Each code maps to one
// HTTP status and one AWS error name through the table in ErrorCodeInfo, so
// every interface reports the same failure the same way.
type ErrorCode string

// Error codes. Their HTTP statuses and AWS names are in ErrorCodeInfo.
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

// CodeInfo is how one ErrorCode appears on the wire.
type CodeInfo struct {
	// HTTPStatus is the status of the native API and of the AWS-compatible APIs.
	HTTPStatus int
	// ServiceQuotasName is the error name on the AWS Service Quotas API.
	ServiceQuotasName string
	// ConnectName is the error name on the Amazon Connect–compatible API.
	ConnectName string
}

// ErrorCodeInfo is the single table from error codes to HTTP statuses and AWS
// error names. Interfaces read it; they never choose statuses on their own.
var ErrorCodeInfo = map[ErrorCode]CodeInfo{
	EINVALID:         {400, "IllegalArgumentException", "InvalidParameterException"},
	EWRONGKIND:       {400, "IllegalArgumentException", "InvalidRequestException"},
	EUNKNOWNQUOTA:    {404, "NoSuchResourceException", "ResourceNotFoundException"},
	EUNKNOWNACCOUNT:  {404, "NoSuchResourceException", "ResourceNotFoundException"},
	ENOTFOUND:        {404, "NoSuchResourceException", "ResourceNotFoundException"},
	ECONFLICT:        {409, "ResourceAlreadyExistsException", "ResourceConflictException"},
	ENOTADJUSTABLE:   {400, "IllegalArgumentException", "InvalidRequestException"},
	EQUOTAEXCEEDED:   {409, "QuotaExceededException", "ServiceQuotaExceededException"},
	ETHROTTLED:       {429, "TooManyRequestsException", "ThrottlingException"},
	ENOTALLOWED:      {403, "AccessDeniedException", "DestinationNotAllowedException"},
	ENOTAVAILABLE:    {403, "AccessDeniedException", "InvalidRequestException"},
	ETOOLARGE:        {413, "IllegalArgumentException", "InvalidRequestException"},
	EUNAUTHENTICATED: {401, "AccessDeniedException", "AccessDeniedException"},
	EFORBIDDEN:       {403, "AccessDeniedException", "AccessDeniedException"},
	EUNAVAILABLE:     {503, "ServiceException", "InternalServiceException"},
	EINTERNAL:        {500, "ServiceException", "InternalServiceException"},
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
