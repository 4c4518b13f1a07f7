package httpapi

import (
	"errors"
	"net/http"
	"testing"

	"github.com/headroomhq/headroom"
)

// Every error code has an HTTP status.
func TestStatusByCodeCoversEveryCode(t *testing.T) {
	for _, code := range headroom.ErrorCodes {
		if s, ok := statusByCode[code]; !ok || s < 400 || s > 599 {
			t.Errorf("statusByCode[%s] = %d, %v", code, s, ok)
		}
	}
	if len(statusByCode) != len(headroom.ErrorCodes) {
		t.Errorf("statusByCode has %d codes, headroom.ErrorCodes %d", len(statusByCode), len(headroom.ErrorCodes))
	}
}

func TestErrorBody(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		code   headroom.ErrorCode
		msg    string
	}{
		{headroom.Errorf(headroom.ETOOLARGE, "big"), http.StatusRequestEntityTooLarge, headroom.ETOOLARGE, "big"},
		{headroom.Errorf(headroom.ESTALE, "changed"), http.StatusConflict, headroom.ESTALE, "changed"},
		{headroom.Errorf(headroom.EPRECONDITION, "ended"), http.StatusBadRequest, headroom.EPRECONDITION, "ended"},
		{errors.New("secret detail"), http.StatusInternalServerError, headroom.EINTERNAL, "internal error"},
		{headroom.Errorf("no_such_code", "x"), http.StatusInternalServerError, headroom.EINTERNAL, "x"},
	} {
		status, body := errorBody(tc.err)
		if status != tc.status || body.Code != string(tc.code) || body.Message != tc.msg {
			t.Errorf("%v: %d %+v", tc.err, status, body)
		}
	}
}
