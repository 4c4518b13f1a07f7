package awsapi

import (
	"errors"
	"net/http"
	"testing"

	"github.com/headroomhq/headroom"
)

// Every error code has a Service Quotas name, and every name a status.
func TestErrorNamesCoverEveryCode(t *testing.T) {
	for _, code := range headroom.ErrorCodes {
		name, ok := errorNames[code]
		if !ok {
			t.Errorf("errorNames has no name for %s", code)
			continue
		}
		if _, ok := statusByName[name]; !ok {
			t.Errorf("%s: name %s has no status in statusByName", code, name)
		}
	}
	if len(errorNames) != len(headroom.ErrorCodes) {
		t.Errorf("errorNames has %d codes, headroom.ErrorCodes %d", len(errorNames), len(headroom.ErrorCodes))
	}
}

func TestToAPIError(t *testing.T) {
	for _, tc := range []struct {
		err    error
		names  map[headroom.ErrorCode]string
		name   string
		status int
		msg    string
	}{
		{headroom.Errorf(headroom.ETOOLARGE, "request body is over the limit of 9 bytes"), nil, errIllegalArgument, http.StatusRequestEntityTooLarge, "request body is over the limit of 9 bytes"},
		{headroom.Errorf(headroom.EQUOTAEXCEEDED, "too many"), nil, errQuotaExceeded, http.StatusConflict, "too many"},
		{headroom.Errorf(headroom.EQUOTAEXCEEDED, "too many"), map[headroom.ErrorCode]string{headroom.EQUOTAEXCEEDED: errTooManyTags}, errTooManyTags, http.StatusBadRequest, "too many"},
		{headroom.FieldErrorf("desired_value", "must be positive"), nil, errIllegalArgument, http.StatusBadRequest, "DesiredValue: must be positive"},
		{headroom.Errorf(headroom.EUNAVAILABLE, "db down"), nil, errUnavailable, http.StatusServiceUnavailable, "Headroom could not complete the request; try again later"},
		{errors.New("boom"), nil, errService, http.StatusInternalServerError, "internal error"},
		{headroom.Errorf("no_such_code", "x"), nil, errService, http.StatusInternalServerError, "internal error"},
		{newError(errUnknownOperation, "nope"), map[headroom.ErrorCode]string{headroom.EINTERNAL: errTooManyTags}, errUnknownOperation, http.StatusBadRequest, "nope"},
	} {
		e, internal := toAPIError(tc.err, tc.names)
		if e.name != tc.name || e.status != tc.status || e.message != tc.msg || internal != (tc.status >= 500) {
			t.Errorf("%v: got %s %d %q (internal %v), want %s %d %q", tc.err, e.name, e.status, e.message, internal, tc.name, tc.status, tc.msg)
		}
	}
}
