package participantapi

import (
	"net/http"
	"testing"

	"github.com/headroomhq/headroom"
)

// Every wire name has a status, and each domain error answers its name
// with its message; an unknown code is an internal error that hides its
// text.
func TestErrorTable(t *testing.T) {
	for code, name := range wireNames {
		if _, ok := statusByName[name]; !ok {
			t.Errorf("%s answers %s, which has no status", code, name)
		}
	}
	for _, tc := range []struct {
		code   headroom.ErrorCode
		name   string
		status int
	}{
		{headroom.ETHROTTLED, errThrottling, http.StatusTooManyRequests},
		{headroom.EQUOTAEXCEEDED, errServiceQuota, http.StatusPaymentRequired},
		{headroom.EINVALID, errValidation, http.StatusBadRequest},
		{headroom.EFORBIDDEN, errAccessDenied, http.StatusForbidden},
		{headroom.EPRECONDITION, errConflict, http.StatusConflict},
		{headroom.ENOTFOUND, errNotFound, http.StatusNotFound},
	} {
		name, status, msg, internal := toAPIError(headroom.Errorf(tc.code, "the quota of 5"))
		if name != tc.name || status != tc.status || msg != "the quota of 5" || internal {
			t.Errorf("%s: got %s %d %q %v", tc.code, name, status, msg, internal)
		}
	}
	if name, status, msg, internal := toAPIError(headroom.Errorf(headroom.EUNKNOWNQUOTA, "secret")); name != errInternal || status != 500 || msg == "secret" || !internal {
		t.Errorf("unknown quota: %s %d %q", name, status, msg)
	}
}
