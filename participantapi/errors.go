package participantapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/awserror"
)

// Error names of the Amazon Connect Participant Service API.
const (
	errAccessDenied = "AccessDeniedException"
	errConflict     = "ConflictException"
	errInternal     = "InternalServerException"
	errThrottling   = "ThrottlingException"
	errValidation   = "ValidationException"
	errServiceQuota = "ServiceQuotaExceededException"
	errNotFound     = "ResourceNotFoundException"
	errUnavailable  = "ServiceUnavailableException"
)

// statusByName is the HTTP status the Participant Service answers each
// error with.
var statusByName = map[string]int{
	errAccessDenied: http.StatusForbidden,
	errConflict:     http.StatusConflict,
	errInternal:     http.StatusInternalServerError,
	errThrottling:   http.StatusTooManyRequests,
	errValidation:   http.StatusBadRequest,
	errServiceQuota: http.StatusPaymentRequired,
	errNotFound:     http.StatusNotFound,
	errUnavailable:  http.StatusServiceUnavailable,
}

// wireNames is the one table from every domain error code to the name the
// Participant Service answers it with.
var wireNames = map[headroom.ErrorCode]string{
	headroom.EINVALID:         errValidation,
	headroom.EWRONGKIND:       errValidation,
	headroom.ETOOLARGE:        errValidation,
	headroom.ENOTALLOWED:      errValidation,
	headroom.ENOTADJUSTABLE:   errValidation,
	headroom.ENOTAVAILABLE:    errValidation,
	headroom.EQUOTAEXCEEDED:   errServiceQuota,
	headroom.ETHROTTLED:       errThrottling,
	headroom.EUNAUTHENTICATED: errAccessDenied,
	headroom.EUNKNOWNACCOUNT:  errAccessDenied,
	headroom.EFORBIDDEN:       errAccessDenied,
	headroom.ENOTFOUND:        errNotFound,
	headroom.ECONFLICT:        errConflict,
	headroom.ESTALE:           errConflict,
	headroom.EPRECONDITION:    errConflict,
	headroom.EIDEMPOTENCY:     errConflict,
	headroom.EUNAVAILABLE:     errUnavailable,
	headroom.EINTERNAL:        errInternal,
}

// apiError is an error exactly as it goes on the wire.
type apiError struct {
	name    string
	message string
}

func (e *apiError) Error() string { return e.name + ": " + e.message }

func newError(name, format string, args ...any) *apiError {
	return &apiError{name: name, message: fmt.Sprintf(format, args...)}
}

// denied is the answer to a wrong, expired or other chat's token.
func denied(format string, args ...any) *apiError { return newError(errAccessDenied, format, args...) }

// toAPIError converts any error to its wire name, status and message;
// internal reports an error the operator should see in the log.
func toAPIError(err error) (name string, status int, message string, internal bool) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.name, statusByName[ae.name], ae.message, false
	}
	code := headroom.ErrorCodeOf(err)
	name, ok := wireNames[code]
	switch {
	case !ok || name == errInternal:
		return errInternal, http.StatusInternalServerError, "internal error", true
	case name == errUnavailable:
		return name, statusByName[name], "Headroom could not complete the request; try again later", false
	}
	return name, statusByName[name], headroom.ErrorMessage(err), false
}

// writeError writes err as rest-json services do, with the one writer
// every AWS-compatible API shares: the name in X-Amzn-ErrorType and
// __type, the text in message.
func (h *Handler) writeError(w http.ResponseWriter, op string, err error) {
	name, status, msg, internal := toAPIError(err)
	if internal {
		h.log.Error("participant api request failed", "operation", op, "err", err)
	}
	awserror.Write(w, name, status, msg)
}
