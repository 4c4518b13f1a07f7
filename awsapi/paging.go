package awsapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strconv"
)

// Paging tokens are opaque to callers: base64 of a version byte, a cursor
// (an offset, or the id of the last request returned) and an HMAC-SHA256
// over the cursor, the operation, the caller's account and the query's
// parameters, keyed with Config.TokenKey. A token altered in any byte, or
// presented with another query or by another account, fails the HMAC and is
// refused with InvalidPaginationTokenException.

const (
	tokenVersion = 1
	tokenMACSize = 16
	// maxTokenLen is the model's bound on NextToken.
	maxTokenLen = 2048
)

// query names what a token is bound to: the operation, the account and the
// parameters that select the results (not MaxResults, which may change from
// page to page).
type query struct {
	op      string
	account string
	params  []string
}

// tokenMAC authenticates cursor for q.
func (h *Handler) tokenMAC(q *query, cursor string) []byte {
	m := hmac.New(sha256.New, h.tokenKey)
	var n [binary.MaxVarintLen64]byte
	write := func(s string) {
		m.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		m.Write([]byte(s))
	}
	write(q.op)
	write(q.account)
	for _, p := range q.params {
		write(p)
	}
	write(cursor)
	return m.Sum(nil)[:tokenMACSize]
}

// token returns the NextToken that resumes q at cursor.
func (h *Handler) token(q *query, cursor string) string {
	b := make([]byte, 0, 1+len(cursor)+tokenMACSize)
	b = append(b, tokenVersion)
	b = append(b, cursor...)
	b = append(b, h.tokenMAC(q, cursor)...)
	return base64.StdEncoding.EncodeToString(b)
}

// cursor returns the cursor of a NextToken for q: "" for no token (the first
// page), or InvalidPaginationTokenException.
func (h *Handler) cursor(q *query, token *string) (string, error) {
	if token == nil || *token == "" {
		return "", nil
	}
	bad := newError(errInvalidPaginationTok, "NextToken is not a token this endpoint issued for this query and account; start again without NextToken")
	if len(*token) > maxTokenLen {
		return "", bad
	}
	b, err := base64.StdEncoding.DecodeString(*token)
	if err != nil || len(b) < 1+tokenMACSize || b[0] != tokenVersion {
		return "", bad
	}
	cur := string(b[1 : len(b)-tokenMACSize])
	if !hmac.Equal(b[len(b)-tokenMACSize:], h.tokenMAC(q, cur)) {
		return "", bad
	}
	return cur, nil
}

// offsetPage returns the bounds of the page of n items that starts at the
// token's offset, and the NextToken of the page after it ("" for the last).
func (h *Handler) offsetPage(q *query, token *string, n, max int) (start, end int, next string, err error) {
	cur, err := h.cursor(q, token)
	if err != nil {
		return 0, 0, "", err
	}
	if cur != "" {
		start, err = strconv.Atoi(cur)
		if err != nil || start < 0 {
			return 0, 0, "", newError(errInvalidPaginationTok, "NextToken is malformed")
		}
	}
	if start > n {
		start = n
	}
	end = min(start+max, n)
	if end < n {
		next = h.token(q, strconv.Itoa(end))
	}
	return start, end, next, nil
}
