package connectapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/awserror"
	"github.com/headroomhq/headroom/internal/sigv4"
)

// Error names of the Amazon Connect API and of the authentication layer.
const (
	errThrottling       = "ThrottlingException"
	errLimitExceeded    = "LimitExceededException"
	errServiceQuota     = "ServiceQuotaExceededException"
	errInvalidRequest   = "InvalidRequestException"
	errInvalidParameter = "InvalidParameterException"
	errNotFound         = "ResourceNotFoundException"
	errDuplicate        = "DuplicateResourceException"
	errIdempotency      = "IdempotencyException"
	errConflict         = "ResourceConflictException"
	errInUse            = "ResourceInUseException"
	errInternal         = "InternalServiceException"
	// errUnavailable is what both AWS APIs answer while a backend such
	// as PostgreSQL cannot be reached: 503, which the SDKs retry.
	errUnavailable         = "ServiceUnavailableException"
	errDestination         = "DestinationNotAllowedException"
	errAccessDenied        = "AccessDeniedException"
	errUnknownOperation    = "UnknownOperationException"
	errMissingAuthToken    = "MissingAuthenticationTokenException"
	errUnrecognized        = "UnrecognizedClientException"
	errInvalidSignature    = "InvalidSignatureException"
	errIncompleteSignature = "IncompleteSignatureException"
)

// statusByName is the HTTP status Amazon Connect answers each error with:
// the one table of every AWS API Headroom serves.
var statusByName = awserror.Statuses

// wireNames is the one table from every domain error code to the name
// Amazon Connect answers it with by default; a route's fields change the
// name of the codes its model names otherwise (see route.wireName). The
// HTTP status of a name is in statusByName.
var wireNames = map[headroom.ErrorCode]string{
	headroom.EINVALID:         errInvalidParameter,
	headroom.EWRONGKIND:       errInvalidParameter,
	headroom.EUNKNOWNQUOTA:    errInternal,
	headroom.EUNKNOWNACCOUNT:  errUnrecognized,
	headroom.ENOTFOUND:        errNotFound,
	headroom.ECONFLICT:        errDuplicate,
	headroom.EIDEMPOTENCY:     errIdempotency,
	headroom.ESTALE:           errConflict,
	headroom.EINUSE:           errInUse,
	headroom.EPRECONDITION:    errInvalidRequest,
	headroom.ENOTADJUSTABLE:   errInvalidRequest,
	headroom.EQUOTAEXCEEDED:   errServiceQuota,
	headroom.ETHROTTLED:       errThrottling,
	headroom.ENOTALLOWED:      errDestination,
	headroom.ENOTAVAILABLE:    errInvalidRequest,
	headroom.ETOOLARGE:        errInvalidRequest,
	headroom.EUNAUTHENTICATED: errUnrecognized,
	headroom.EFORBIDDEN:       errAccessDenied,
	headroom.EUNAVAILABLE:     errUnavailable,
	headroom.EINTERNAL:        errInternal,
}

// route is one operation with the error names its model lists where they
// differ from wireNames.
type route struct {
	method, path, op string
	// quotaErr names EQUOTAEXCEEDED: the error the model lists for a
	// breached quota.
	quotaErr string
	// badInput names EINVALID and EWRONGKIND: the error the model lists
	// for bad parameters.
	badInput string
	fn       func(h *Handler, c *call) (any, error)
	// conflictErr names ECONFLICT where the model lists another error than
	// DuplicateResourceException; empty for that one.
	conflictErr string
	// tokenErr names EIDEMPOTENCY, a ClientToken reused with other
	// parameters: IdempotencyException where the model lists it, else
	// (empty) the route's validation error.
	tokenErr string
}

// wireName is the name the route answers an error code with.
func (rt *route) wireName(code headroom.ErrorCode) string {
	switch code {
	case headroom.EQUOTAEXCEEDED:
		if rt.quotaErr != "" {
			return rt.quotaErr
		}
	case headroom.EINVALID, headroom.EWRONGKIND:
		if rt.badInput != "" {
			return rt.badInput
		}
	case headroom.ECONFLICT:
		if rt.conflictErr != "" {
			return rt.conflictErr
		}
	case headroom.EIDEMPOTENCY:
		if rt.tokenErr != "" {
			return rt.tokenErr
		}
		if rt.badInput != "" {
			return rt.badInput
		}
	}
	if name, ok := wireNames[code]; ok {
		return name
	}
	return errInternal
}

// apiError is an error exactly as it goes on the wire: a validation
// failure whose name and message only Connect's model defines.
type apiError struct {
	name    string
	status  int
	message string
}

func (e *apiError) Error() string { return e.name + ": " + e.message }

func newError(name, format string, args ...any) *apiError {
	return &apiError{name: name, status: awserror.Status(name), message: fmt.Sprintf(format, args...)}
}

// toAPIError converts any error to its wire form for an operation: the
// domain errors by their code, through the route's names.
func toAPIError(err error, rt *route) (e *apiError, internal bool) {
	if errors.As(err, &e) {
		return e, e.status >= 500
	}
	var se *sigv4.Error
	if errors.As(err, &se) {
		return newError(se.Kind.ErrorName(), "%s", se.Message), false
	}
	code := headroom.ErrorCodeOf(err)
	name := rt.wireName(code)
	switch {
	case name == errInternal:
		return newError(errInternal, "internal error"), true
	case code == headroom.EUNKNOWNACCOUNT:
		return newError(errUnrecognized, "The security token included in the request is invalid."), false
	case code == headroom.EUNAVAILABLE:
		// The cause (an unreachable database, say) is the operator's
		// business, not the caller's: the server's log has it.
		return newError(errUnavailable, "Headroom could not complete the request; try again later"), false
	}
	e = newError(name, "%s", headroom.ErrorMessage(err))
	if code == headroom.ETOOLARGE {
		e.status = http.StatusRequestEntityTooLarge
	}
	return e, false
}
