package httpbody

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
)

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestRead(t *testing.T) {
	read := func(r *http.Request, limit int64) ([]byte, error) {
		return Read(httptest.NewRecorder(), r, limit)
	}
	b, err := read(httptest.NewRequest("POST", "/", strings.NewReader("12345")), 5)
	if err != nil || string(b) != "12345" {
		t.Fatalf("at the limit: %q %v", b, err)
	}
	_, err = read(httptest.NewRequest("POST", "/", strings.NewReader("123456")), 5)
	if headroom.ErrorCodeOf(err) != headroom.ETOOLARGE || !strings.Contains(headroom.ErrorMessage(err), "5 bytes") {
		t.Fatalf("over the limit: %v", err)
	}
	b, err = read(httptest.NewRequest("GET", "/", nil), 5)
	if err != nil || len(b) != 0 {
		t.Fatalf("no body: %q %v", b, err)
	}
	r := httptest.NewRequest("POST", "/", nil)
	r.Body = nil
	if b, err := read(r, 5); err != nil || len(b) != 0 {
		t.Fatalf("nil body: %q %v", b, err)
	}
	_, err = read(httptest.NewRequest("POST", "/", failingReader{}), 5)
	if headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("unreadable: %v", err)
	}
	// A limit that is not positive is the default.
	big := strings.Repeat("x", DefaultLimit)
	if b, err := read(httptest.NewRequest("POST", "/", strings.NewReader(big)), 0); err != nil || len(b) != DefaultLimit {
		t.Fatalf("default limit: %d %v", len(b), err)
	}
	if _, err := read(httptest.NewRequest("POST", "/", strings.NewReader(big+"x")), -1); headroom.ErrorCodeOf(err) != headroom.ETOOLARGE {
		t.Fatalf("over the default limit: %v", err)
	}
}
