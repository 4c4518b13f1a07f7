package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/headroomhq/headroom"
)

// The headers of a delivery.
const (
	HeaderDelivery  = "X-Headroom-Delivery"
	HeaderTimestamp = "X-Headroom-Timestamp"
	HeaderSignature = "X-Headroom-Signature"
)

// signaturePrefix starts the signature header's value, naming the scheme.
const signaturePrefix = "sha256="

// Sign returns the X-Headroom-Signature value of a delivery:
// "sha256=" and the hex HMAC-SHA256, keyed by secret, of timestamp, ".",
// and body. It is a pure function, safe for concurrent use.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return signaturePrefix + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a delivery's X-Headroom-Signature header against the
// webhook's secret, the X-Headroom-Timestamp header and the raw body, in
// constant time. It returns nil if they match, and an *headroom.Error of
// code EUNAUTHENTICATED otherwise (a header of another scheme, not hex, or
// a signature that does not match). It does not judge the timestamp's
// age: a receiver should also refuse one far from its own clock. Safe for
// concurrent use.
func Verify(secret, header, timestamp string, body []byte) error {
	hexSig, ok := strings.CutPrefix(header, signaturePrefix)
	if !ok {
		return headroom.Errorf(headroom.EUNAUTHENTICATED, "the signature header does not start with %q", signaturePrefix)
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return headroom.Errorf(headroom.EUNAUTHENTICATED, "the signature is not %d hex bytes", sha256.Size)
	}
	want, _ := hex.DecodeString(strings.TrimPrefix(Sign(secret, timestamp, body), signaturePrefix))
	if !hmac.Equal(got, want) {
		return headroom.Errorf(headroom.EUNAUTHENTICATED, "the signature does not match the body and timestamp")
	}
	return nil
}
