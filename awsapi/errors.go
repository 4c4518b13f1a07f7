package awsapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/headroomhq/headroom"
)

// Error names of the Service Quotas API, and of the authentication layer in
// front of every AWS JSON service.
const (
	errNoSuchResource        = "NoSuchResourceException"
	errIllegalArgument       = "IllegalArgumentException"
	errInvalidPaginationTok  = "InvalidPaginationTokenException"
	errResourceAlreadyExists = "ResourceAlreadyExistsException"
	errAccessDenied          = "AccessDeniedException"
	errQuotaExceeded         = "QuotaExceededException"
	errTooManyTags           = "TooManyTagsException"
	errTooManyRequests       = "TooManyRequestsException"
	errInvalidResourceState  = "InvalidResourceStateException"
	errTemplateNotInUse      = "ServiceQuotaTemplateNotInUseException"
	errService               = "ServiceException"
	// errUnavailable is what both AWS APIs answer while a backend such
	// as PostgreSQL cannot be reached: 503, which the SDKs retry.
	errUnavailable         = "ServiceUnavailableException"
	errUnknownOperation    = "UnknownOperationException"
	errMissingAuthToken    = "MissingAuthenticationTokenException"
	errUnrecognizedClient  = "UnrecognizedClientException"
	errInvalidSignature    = "InvalidSignatureException"
	errIncompleteSignature = "IncompleteSignatureException"
)

// statusByName is the HTTP status AWS answers each error name with.
var statusByName = map[string]int{
	errUnavailable:                        http.StatusServiceUnavailable,
	errNoSuchResource:                     http.StatusNotFound,
	errIllegalArgument:                    http.StatusBadRequest,
	errInvalidPaginationTok:               http.StatusBadRequest,
	errResourceAlreadyExists:              http.StatusBadRequest,
	errAccessDenied:                       http.StatusForbidden,
	"DependencyAccessDeniedException":     http.StatusForbidden,
	errInvalidResourceState:               http.StatusMethodNotAllowed,
	errQuotaExceeded:                      http.StatusConflict,
	errTooManyRequests:                    http.StatusTooManyRequests,
	errTooManyTags:                        http.StatusBadRequest,
	errTemplateNotInUse:                   http.StatusBadRequest,
	errService:                            http.StatusInternalServerError,
	errUnknownOperation:                   http.StatusBadRequest,
	errMissingAuthToken:                   http.StatusForbidden,
	errUnrecognizedClient:                 http.StatusForbidden,
	errInvalidSignature:                   http.StatusForbidden,
	errIncompleteSignature:                http.StatusBadRequest,
	"AWSServiceAccessNotEnabledException": http.StatusForbidden,
}

// errorNames is the Service Quotas error name of every headroom.ErrorCode:
// the one table from Headroom's failures to this API's. An operation may
// name some codes otherwise (see operation.errorNames).
var errorNames = map[headroom.ErrorCode]string{
	headroom.EINVALID:         errIllegalArgument,
	headroom.EWRONGKIND:       errIllegalArgument,
	headroom.ENOTADJUSTABLE:   errIllegalArgument,
	headroom.ETOOLARGE:        errIllegalArgument,
	headroom.EIDEMPOTENCY:     errIllegalArgument,
	headroom.EUNKNOWNQUOTA:    errNoSuchResource,
	headroom.EUNKNOWNACCOUNT:  errNoSuchResource,
	headroom.ENOTFOUND:        errNoSuchResource,
	headroom.ECONFLICT:        errResourceAlreadyExists,
	headroom.EINUSE:           errInvalidResourceState,
	headroom.EPRECONDITION:    errInvalidResourceState,
	headroom.EQUOTAEXCEEDED:   errQuotaExceeded,
	headroom.ETHROTTLED:       errTooManyRequests,
	headroom.ENOTALLOWED:      errAccessDenied,
	headroom.ENOTAVAILABLE:    errAccessDenied,
	headroom.EUNAUTHENTICATED: errAccessDenied,
	headroom.EFORBIDDEN:       errAccessDenied,
	headroom.ESTALE:           errService,
	headroom.EUNAVAILABLE:     errUnavailable,
	headroom.EINTERNAL:        errService,
}

// statusByCode is the HTTP status of the codes whose status is not that of
// their error name: a body over the limit is an IllegalArgumentException
// answered 413.
var statusByCode = map[headroom.ErrorCode]int{
	headroom.ETOOLARGE: http.StatusRequestEntityTooLarge,
}

// apiError is an error exactly as it goes on the wire.
type apiError struct {
	name    string
	status  int
	message string
}

func (e *apiError) Error() string { return e.name + ": " + e.message }

// newError returns an apiError with the status AWS uses for name.
func newError(name, format string, args ...any) *apiError {
	status, ok := statusByName[name]
	if !ok {
		status = http.StatusBadRequest
	}
	return &apiError{name: name, status: status, message: fmt.Sprintf(format, args...)}
}

// illegal returns an IllegalArgumentException whose message starts with the
// offending member's name.
func illegal(field, format string, args ...any) *apiError {
	return newError(errIllegalArgument, "%s: %s", field, fmt.Sprintf(format, args...))
}

// awsFields maps the engine's field names to the request members they come
// from, so that messages name what the caller sent.
var awsFields = map[string]string{
	"desired_value": "DesiredValue",
	"code":          "QuotaCode",
	"scope":         "ContextId",
	"service":       "ServiceCode",
	"region":        "AwsRegion",
	"type":          "QuotaCode",
}

// toAPIError converts any error into its wire form. A headroom error takes
// its name from names (an operation's own) or else errorNames, and its
// status from the name, as AWS answers it; internal failures keep their
// details out of the message. internal reports whether the error is the
// server's fault.
func toAPIError(err error, names map[headroom.ErrorCode]string) (e *apiError, internal bool) {
	if errors.As(err, &e) {
		return e, e.status >= 500
	}
	code := headroom.ErrorCodeOf(err)
	name, ok := names[code]
	if !ok {
		name, ok = errorNames[code]
	}
	if !ok {
		code, name = headroom.EINTERNAL, errorNames[headroom.EINTERNAL]
	}
	status, ok := statusByCode[code]
	if !ok {
		status = newError(name, "").status
	}
	msg := headroom.ErrorMessage(err)
	var he *headroom.Error
	if errors.As(err, &he) {
		msg = he.Message
		if he.Field != "" {
			field := he.Field
			if f, ok := awsFields[field]; ok {
				field = f
			}
			msg = field + ": " + msg
		}
	}
	if code == headroom.EINTERNAL || code == headroom.EUNAVAILABLE {
		msg = "Headroom could not complete the request; try again later"
		if code == headroom.EINTERNAL {
			msg = "internal error"
		}
	}
	return &apiError{name: name, status: status, message: msg}, status >= 500
}
