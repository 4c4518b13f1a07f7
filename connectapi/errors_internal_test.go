package connectapi

import (
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
)

// Every domain error code has a Connect error name, and every name an
// HTTP status; so does every route's own name for a code.
func TestWireNamesExhaustive(t *testing.T) {
	for _, code := range headroom.ErrorCodes {
		name, ok := wireNames[code]
		if !ok {
			t.Errorf("error code %q has no Connect error name in wireNames", code)
			continue
		}
		if _, ok := statusByName[name]; !ok {
			t.Errorf("error name %s (of %q) has no HTTP status in statusByName", name, code)
		}
		for i := range routes {
			if n := routes[i].wireName(code); statusByName[n] == 0 {
				t.Errorf("%s names %q %s, which has no HTTP status", routes[i].op, code, n)
			}
		}
	}
	if len(wireNames) != len(headroom.ErrorCodes) {
		t.Errorf("wireNames has %d codes, headroom.ErrorCodes %d", len(wireNames), len(headroom.ErrorCodes))
	}
}

// A backend outage is 503 ServiceUnavailableException, which the SDKs
// retry, and its cause stays in the server's log.
func TestUnavailableIs503(t *testing.T) {
	e, _ := toAPIError(headroom.Errorf(headroom.EUNAVAILABLE, "dial tcp 10.0.0.5:5432: connection refused"), &routes[0])
	if e.name != "ServiceUnavailableException" || e.status != 503 || strings.Contains(e.message, "10.0.0.5") {
		t.Fatalf("unavailable = %s %d %q", e.name, e.status, e.message)
	}
}
