package connectapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"time"

	"github.com/headroomhq/headroom"
)

// ClientTokenTTL is how long a ClientToken is remembered. A request with a
// token first seen longer ago than this is a new request.
const ClientTokenTTL = 8 * time.Hour

// maxClientToken is the longest ClientToken Connect's model accepts.
const maxClientToken = 500

// clientToken is the record of a request's ClientToken, for the store to
// write in the same transaction as the resource the request creates: a
// retry with the same token and parameters then creates nothing and
// answers that resource, however it races the first attempt, on any node;
// the same token with other parameters is EIDEMPOTENCY. Its key is the
// operation and a hash of the token, so a token is unique per account and
// operation. A request that creates nothing records nothing, so a failed
// request's token is free for a request with other parameters. Without a
// token it returns the zero record, which the store ignores.
func (h *Handler) clientToken(c *call, op, token string) (headroom.ResourceToken, error) {
	if token == "" {
		return headroom.ResourceToken{}, nil
	}
	if len(token) > maxClientToken {
		return headroom.ResourceToken{}, headroom.Errorf(headroom.EINVALID, "ClientToken must be at most %d characters", maxClientToken)
	}
	sum := sha256.Sum256([]byte(token))
	return headroom.ResourceToken{Key: op + "/" + hex.EncodeToString(sum[:])[:40], Hash: requestHash(c),
		Expires: h.now().Add(ClientTokenTTL)}, nil
}

// tokenReused states, for the route to name, a ClientToken reused with
// other parameters; other errors pass unchanged.
func tokenReused(err error, op, token string) error {
	if headroom.ErrorCodeOf(err) != headroom.EIDEMPOTENCY {
		return err
	}
	return headroom.Errorf(headroom.EIDEMPOTENCY, "ClientToken %q was already used for a %s request with other parameters; use a new token for a new request", clip(token), op)
}

// requestHash hashes what a request asks for: its method, path, query and
// body, without the ClientToken, with the body's members in a fixed order.
func requestHash(c *call) string {
	s := sha256.New()
	s.Write([]byte(c.r.Method + " " + c.r.URL.Path + "\n"))
	q := c.r.URL.Query()
	q.Del("clientToken")
	s.Write([]byte(q.Encode() + "\n"))
	var m map[string]json.RawMessage
	if json.Unmarshal(c.body, &m) == nil {
		delete(m, "ClientToken")
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s.Write([]byte(k + "\x00"))
			s.Write(m[k])
			s.Write([]byte{0})
		}
	} else {
		s.Write(c.body)
	}
	return hex.EncodeToString(s.Sum(nil))
}
