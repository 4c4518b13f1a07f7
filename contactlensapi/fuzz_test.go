package contactlensapi

import (
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/awserror"
)

// FuzzDecodeListRequest: no body panics the decoder, every refusal is
// InvalidRequestException (never a 500), and what it accepts is within the
// model's bounds.
func FuzzDecodeListRequest(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"InstanceId":"i","ContactId":"c"}`, `{"InstanceId":"i","ContactId":"c","MaxResults":100,"NextToken":"x"}`,
		`{"MaxResults":-1}`, `{"MaxResults":1e99}`, `[]`, `{"InstanceId":1}`, `{"InstanceId":"i","ContactId":"c"} {}`, "{\"InstanceId\":\"\xff\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := DecodeListRequest(body)
		if err != nil {
			if headroom.ErrorCodeOf(err) != headroom.EINVALID {
				t.Fatalf("%q: %v is not EINVALID", body, err)
			}
			name, msg := wire(err)
			if name != errInvalidRequest || msg == "" {
				t.Fatalf("%q: answered %s %q", body, name, msg)
			}
			return
		}
		if in.InstanceId == "" || in.ContactId == "" || len(in.InstanceId) > maxIDLength || len(in.ContactId) > maxIDLength {
			t.Fatalf("%q: accepted %+v", body, in)
		}
		if in.MaxResults != nil && (*in.MaxResults < 0 || *in.MaxResults > maxResults) {
			t.Fatalf("%q: accepted MaxResults %d", body, *in.MaxResults)
		}
	})
}

// Every name wire answers has a status below 500 but for the internal
// error and an unavailable backend.
func TestWireStatuses(t *testing.T) {
	for _, code := range []headroom.ErrorCode{headroom.EINVALID, headroom.ETHROTTLED, headroom.ENOTFOUND, headroom.EFORBIDDEN,
		headroom.EUNKNOWNACCOUNT, headroom.EUNAVAILABLE, headroom.EINTERNAL} {
		name, _ := wire(headroom.Errorf(code, "x"))
		if _, ok := awserrorStatus(name); !ok {
			t.Errorf("%s answers %s, which has no status", code, name)
		}
	}
	if name, _ := wire(headroom.Errorf(headroom.ETHROTTLED, "x")); name != errThrottling {
		t.Fatal(name)
	}
}

func awserrorStatus(name string) (int, bool) {
	s, ok := awserror.Statuses[name]
	return s, ok
}
