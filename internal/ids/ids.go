// Package ids makes the identifiers Headroom hands out: random UUIDs for
// resources and requests, and UUIDs derived from another id. It is the one
// place ids are made, so every API's ids look the same.
package ids

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
)

// New returns a random version 4 UUID, the form AWS resource and request
// ids take. It is safe for concurrent use.
func New() string {
	var b [16]byte
	rand.Read(b[:]) // never fails: crypto/rand panics rather than return an error
	return format(b)
}

// Derived returns a UUID-shaped id derived from id and a purpose, the same
// every time, so that a retry that finds a resource answers the same
// derived ids.
func Derived(id, purpose string) string {
	sum := sha256.Sum256([]byte(purpose + "\x00" + id))
	var b [16]byte
	copy(b[:], sum[:16])
	return format(b)
}

// Random returns n random bytes as lower-case hex.
func Random(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func format(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b[:])
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}
