package console

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

func fuzzHandler(t testing.TB) *Handler {
	return &Handler{cfg: Config{Key: []byte("0123456789abcdef0123456789abcdef")}}
}

// A session cookie is untrusted bytes: decoding never panics, accepts only
// what encodeSession made with the same key, and returns it unchanged.
func FuzzDecodeSession(f *testing.F) {
	h := fuzzHandler(f)
	now := time.Unix(1_800_000_000, 0).UTC()
	good := h.encodeSession(session{Role: headroom.RoleService, Hash: headroom.HashToken("hr_x"), Expires: now.Add(time.Hour), Nonce: "ab12"})
	for _, s := range []string{good, "", ".", "a.b", good + "x", "x" + good, string(bytes.Repeat([]byte("A"), 600))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		s, err := h.decodeSession(v, now)
		if err != nil {
			if headroom.ErrorCodeOf(err) != headroom.EUNAUTHENTICATED {
				t.Fatalf("decode %q: %v, want EUNAUTHENTICATED", v, err)
			}
			return
		}
		if h.encodeSession(s) != v {
			t.Fatalf("accepted %q, which encodeSession does not make from %+v", v, s)
		}
	})
}

// Form values are untrusted too: parseValue accepts only finite numbers
// above zero and at most MaxValue, else an EINVALID naming the field.
func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"", "1", "150", "0", "-1", "NaN", "Inf", "1e400", "0x10", " 5 ", "1.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseValue("value", s, false)
		if err != nil {
			var he *headroom.Error
			if !asError(err, &he) || he.Code != headroom.EINVALID || he.Field != "value" {
				t.Fatalf("parseValue(%q): %v", s, err)
			}
			return
		}
		if v != 0 && (math.IsNaN(v) || v <= 0 || v > headroom.MaxValue) {
			t.Fatalf("parseValue(%q) = %v", s, v)
		}
	})
}

func asError(err error, target **headroom.Error) bool {
	he, ok := err.(*headroom.Error)
	*target = he
	return ok
}

// Bad session cookies, each refused.
func TestDecodeSessionRefuses(t *testing.T) {
	h := fuzzHandler(t)
	now := time.Unix(1_800_000_000, 0).UTC()
	other := &Handler{cfg: Config{Key: []byte("another key of sixteen bytes or more")}}
	s := session{Role: headroom.RoleOperator, Hash: headroom.HashToken("hr_x"), Expires: now.Add(time.Hour), Nonce: "n"}
	for name, v := range map[string]string{
		"empty":      "",
		"no mac":     h.encodeSession(s)[:10],
		"other key":  other.encodeSession(s),
		"expired":    h.encodeSession(session{Role: s.Role, Hash: s.Hash, Expires: now, Nonce: "n"}),
		"bad role":   h.encodeSession(session{Role: "root", Hash: s.Hash, Expires: s.Expires, Nonce: "n"}),
		"short hash": h.encodeSession(session{Role: s.Role, Hash: s.Hash[:8], Expires: s.Expires, Nonce: "n"}),
		"not base64": "!!!." + "???",
		"long":       string(bytes.Repeat([]byte("a"), 1000)),
	} {
		if _, err := h.decodeSession(v, now); headroom.ErrorCodeOf(err) != headroom.EUNAUTHENTICATED {
			t.Errorf("%s: %v", name, err)
		}
	}
	if got, err := h.decodeSession(h.encodeSession(s), now); err != nil || !bytes.Equal(got.Hash, s.Hash) || got.Role != s.Role {
		t.Fatalf("a good cookie: %+v %v", got, err)
	}
}

// Bad form values, each an EINVALID naming the field.
func TestParseValueRefuses(t *testing.T) {
	for _, s := range []string{"0", "-3", "abc", "NaN", "+Inf", "1e300"} {
		if _, err := parseValue("desired_value", s, true); headroom.ErrorCodeOf(err) != headroom.EINVALID {
			t.Errorf("%q: %v", s, err)
		}
	}
	if _, err := parseValue("desired_value", "", true); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Errorf("a required empty value: %v", err)
	}
	if v, err := parseValue("value", " 150 ", false); err != nil || v != 150 {
		t.Errorf("150: %v %v", v, err)
	}
}
