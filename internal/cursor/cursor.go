// Package cursor makes the paging tokens of every Headroom API: opaque to
// callers, bound to the query and account they were issued for, and
// authenticated with an HMAC whose key comes from the configuration, so
// that tokens survive a restart and a token altered in any byte, or used
// for another query, is refused.
package cursor

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"

	"github.com/headroomhq/headroom"
)

const (
	version = 1
	macSize = 16
	// MaxLen is the longest token accepted: the AWS models' bound on
	// NextToken.
	MaxLen = 2048
	// MinKeyLen is the shortest key accepted.
	MinKeyLen = 16
)

// Codec issues and reads tokens. The zero value is not usable; make one
// with New. A Codec is safe for concurrent use.
type Codec struct {
	key []byte
}

// New returns a codec keyed with key, which must be at least MinKeyLen
// bytes; an empty key is a random one (tokens then do not survive a
// restart). EINVALID for a short key.
func New(key []byte) (*Codec, error) {
	if len(key) == 0 {
		key = make([]byte, 32)
		rand.Read(key)
	} else if len(key) < MinKeyLen {
		return nil, headroom.FieldErrorf("TokenKey", "must be at least %d bytes, got %d", MinKeyLen, len(key))
	}
	return &Codec{key: append([]byte(nil), key...)}, nil
}

// Query names what a token is bound to: the operation, the account and the
// parameters that select the results (not the page size, which may change
// from page to page).
type Query struct {
	Op      string
	Account string
	Params  []string
}

func (c *Codec) mac(q *Query, cur string) []byte {
	m := hmac.New(sha256.New, c.key)
	var n [binary.MaxVarintLen64]byte
	write := func(s string) {
		m.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		m.Write([]byte(s))
	}
	write(q.Op)
	write(q.Account)
	for _, p := range q.Params {
		write(p)
	}
	write(cur)
	return m.Sum(nil)[:macSize]
}

// Encode returns the token that resumes q at cur.
func (c *Codec) Encode(q *Query, cur string) string {
	b := make([]byte, 0, 1+len(cur)+macSize)
	b = append(b, version)
	b = append(b, cur...)
	b = append(b, c.mac(q, cur)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode returns the cursor of a token issued for q: "" for an empty token
// (the first page), and ok false for a token this codec did not issue for
// q. The caller reports a bad token in its API's own words.
func (c *Codec) Decode(q *Query, token string) (cur string, ok bool) {
	if token == "" {
		return "", true
	}
	if len(token) > MaxLen {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) < 1+macSize || b[0] != version {
		return "", false
	}
	cur = string(b[1 : len(b)-macSize])
	if !hmac.Equal(b[len(b)-macSize:], c.mac(q, cur)) {
		return "", false
	}
	return cur, true
}
