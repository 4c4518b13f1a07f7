package httpapi

import (
	"net/http"

	"github.com/headroomhq/headroom"
)

// statusByCode is the HTTP status of every headroom.ErrorCode: the native
// API's one table from Headroom's failures to its wire form. The code
// itself goes on the wire as the error body's code.
var statusByCode = map[headroom.ErrorCode]int{
	headroom.EINVALID:         http.StatusBadRequest,
	headroom.EWRONGKIND:       http.StatusBadRequest,
	headroom.ENOTADJUSTABLE:   http.StatusBadRequest,
	headroom.EPRECONDITION:    http.StatusBadRequest,
	headroom.EUNKNOWNQUOTA:    http.StatusNotFound,
	headroom.EUNKNOWNACCOUNT:  http.StatusNotFound,
	headroom.ENOTFOUND:        http.StatusNotFound,
	headroom.ECONFLICT:        http.StatusConflict,
	headroom.EIDEMPOTENCY:     http.StatusConflict,
	headroom.ESTALE:           http.StatusConflict,
	headroom.EINUSE:           http.StatusConflict,
	headroom.EQUOTAEXCEEDED:   http.StatusConflict,
	headroom.ETHROTTLED:       http.StatusTooManyRequests,
	headroom.ENOTALLOWED:      http.StatusForbidden,
	headroom.ENOTAVAILABLE:    http.StatusForbidden,
	headroom.EFORBIDDEN:       http.StatusForbidden,
	headroom.ETOOLARGE:        http.StatusRequestEntityTooLarge,
	headroom.EUNAUTHENTICATED: http.StatusUnauthorized,
	headroom.EUNAVAILABLE:     http.StatusServiceUnavailable,
	headroom.EINTERNAL:        http.StatusInternalServerError,
}

// HTTPStatus returns the HTTP status of an error by the native API's one
// table: EINTERNAL's for an error without a known code. Other transports
// that answer in HTTP (the console) are given it rather than keeping a
// table of their own.
func HTTPStatus(err error) int {
	if status, ok := statusByCode[headroom.ErrorCodeOf(err)]; ok {
		return status
	}
	return statusByCode[headroom.EINTERNAL]
}

// errorBody converts any error to its wire form. Internal errors keep their
// details in the log, not on the wire.
func errorBody(err error) (int, ErrorBody) {
	code := headroom.ErrorCodeOf(err)
	status, ok := statusByCode[code]
	if !ok {
		code, status = headroom.EINTERNAL, statusByCode[headroom.EINTERNAL]
	}
	body := ErrorBody{Code: string(code), Message: headroom.ErrorMessage(err)}
	var he *headroom.Error
	if asHeadroomError(err, &he) {
		body.Message, body.Field = he.Message, he.Field
		if d := he.Denial; d != nil {
			body.Quota = &DenialBody{Code: d.QuotaCode, Name: d.QuotaName, Scope: d.Scope, Limit: d.Limit, Used: d.Used,
				Requested: d.Requested, RetryAfterMS: d.RetryAfter.Milliseconds()}
		}
	}
	return status, body
}
