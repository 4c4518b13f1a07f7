package connectapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/sigv4"
)

// Error names of the Amazon Connect API and of the authentication layer.
const (
	errThrottling          = "ThrottlingException"
	errLimitExceeded       = "LimitExceededException"
	errServiceQuota        = "ServiceQuotaExceededException"
	errInvalidRequest      = "InvalidRequestException"
	errInvalidParameter    = "InvalidParameterException"
	errNotFound            = "ResourceNotFoundException"
	errDuplicate           = "DuplicateResourceException"
	errIdempotency         = "IdempotencyException"
	errConflict            = "ResourceConflictException"
	errInUse               = "ResourceInUseException"
	errInternal            = "InternalServiceException"
	errDestination         = "DestinationNotAllowedException"
	errAccessDenied        = "AccessDeniedException"
	errUnknownOperation    = "UnknownOperationException"
	errMissingAuthToken    = "MissingAuthenticationTokenException"
	errUnrecognized        = "UnrecognizedClientException"
	errInvalidSignature    = "InvalidSignatureException"
	errIncompleteSignature = "IncompleteSignatureException"
)

// statusByName is the HTTP status Amazon Connect answers each error with.
var statusByName = map[string]int{
	errThrottling:              http.StatusTooManyRequests,
	"TooManyRequestsException": http.StatusTooManyRequests,
	errLimitExceeded:           http.StatusTooManyRequests,
	errServiceQuota:            http.StatusPaymentRequired,
	errInvalidRequest:          http.StatusBadRequest,
	errInvalidParameter:        http.StatusBadRequest,
	errNotFound:                http.StatusNotFound,
	errDuplicate:               http.StatusConflict,
	errIdempotency:             http.StatusConflict,
	errConflict:                http.StatusConflict,
	errInUse:                   http.StatusConflict,
	errInternal:                http.StatusInternalServerError,
	errDestination:             http.StatusForbidden,
	errAccessDenied:            http.StatusForbidden,
	errUnknownOperation:        http.StatusNotFound,
	errMissingAuthToken:        http.StatusForbidden,
	errUnrecognized:            http.StatusForbidden,
	errInvalidSignature:        http.StatusForbidden,
	errIncompleteSignature:     http.StatusBadRequest,
}

// apiError is an error exactly as it goes on the wire.
type apiError struct {
	name    string
	status  int
	message string
}

func (e *apiError) Error() string { return e.name + ": " + e.message }

func newError(name, format string, args ...any) *apiError {
	status, ok := statusByName[name]
	if !ok {
		status = http.StatusBadRequest
	}
	return &apiError{name: name, status: status, message: fmt.Sprintf(format, args...)}
}

// toAPIError converts any error to its wire form for an operation: quota
// denials take the name the operation's model lists (quotaErr), bad input
// the operation's validation error (badInput).
func toAPIError(err error, rt *route) (e *apiError, internal bool) {
	if errors.As(err, &e) {
		return e, e.status >= 500
	}
	var se *sigv4.Error
	if errors.As(err, &se) {
		return newError(se.Kind.ErrorName(), "%s", se.Message), false
	}
	msg := headroom.ErrorMessage(err)
	var he *headroom.Error
	if errors.As(err, &he) {
		msg = he.Message
		if he.Field != "" {
			msg = he.Field + ": " + msg
		}
	}
	switch headroom.ErrorCodeOf(err) {
	case headroom.ETHROTTLED:
		return newError(errThrottling, "%s", msg), false
	case headroom.EQUOTAEXCEEDED:
		return newError(rt.quotaErr, "%s", msg), false
	case headroom.ENOTALLOWED:
		return newError(errDestination, "%s", msg), false
	case headroom.ENOTFOUND:
		return newError(errNotFound, "%s", msg), false
	case headroom.ECONFLICT:
		return newError(errDuplicate, "%s", msg), false
	case headroom.EINVALID, headroom.EWRONGKIND:
		return newError(rt.badInput, "%s", msg), false
	case headroom.ENOTAVAILABLE:
		return newError(errInvalidRequest, "%s", msg), false
	case headroom.EUNKNOWNACCOUNT:
		return newError(errUnrecognized, "The security token included in the request is invalid."), false
	}
	return newError(errInternal, "internal error"), true
}
