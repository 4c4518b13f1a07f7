package webhook_test

import (
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/webhook"
)

func TestSignKnownAnswer(t *testing.T) {
	// HMAC-SHA256("secret", "1700000000.{}"), computed independently with
	// printf '1700000000.{}' | openssl dgst -sha256 -hmac secret
	const want = "sha256=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
	if got := webhook.Sign("secret", "1700000000", []byte("{}")); got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"id":"ntf-1"}`)
	sig := webhook.Sign("s3cret", "1700000000", body)
	if err := webhook.Verify("s3cret", sig, "1700000000", body); err != nil {
		t.Fatalf("Verify of a good signature: %v", err)
	}
	for _, c := range []struct {
		name, secret, header, ts string
		body                     []byte
	}{
		{"other secret", "other", sig, "1700000000", body},
		{"other timestamp", "s3cret", sig, "1700000001", body},
		{"other body", "s3cret", sig, "1700000000", []byte(`{"id":"ntf-2"}`)},
		{"no scheme", "s3cret", strings.TrimPrefix(sig, "sha256="), "1700000000", body},
		{"other scheme", "s3cret", "sha1=" + strings.TrimPrefix(sig, "sha256="), "1700000000", body},
		{"not hex", "s3cret", "sha256=zz", "1700000000", body},
		{"short", "s3cret", sig[:len(sig)-2], "1700000000", body},
		{"empty", "s3cret", "", "1700000000", body},
	} {
		if err := webhook.Verify(c.secret, c.header, c.ts, c.body); headroom.ErrorCodeOf(err) != headroom.EUNAUTHENTICATED {
			t.Errorf("%s: Verify = %v, want EUNAUTHENTICATED", c.name, err)
		}
	}
}

// FuzzVerify: Verify never panics on any header, and accepts only the
// signature Sign makes.
func FuzzVerify(f *testing.F) {
	f.Add("secret", webhook.Sign("secret", "1", []byte("{}")), "1", []byte("{}"))
	f.Add("secret", "sha256=", "", []byte(nil))
	f.Add("", "sha256=00", "x", []byte("x"))
	f.Fuzz(func(t *testing.T, secret, header, ts string, body []byte) {
		err := webhook.Verify(secret, header, ts, body)
		want := webhook.Sign(secret, ts, body)
		hex, ok := strings.CutPrefix(header, "sha256=")
		if (err == nil) != (ok && strings.EqualFold(hex, strings.TrimPrefix(want, "sha256="))) {
			t.Fatalf("Verify(%q, %q, %q, %q) = %v", secret, header, ts, body, err)
		}
	})
}
