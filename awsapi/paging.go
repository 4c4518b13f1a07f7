package awsapi

import (
	"strconv"

	"github.com/headroomhq/headroom/internal/cursor"
)

// Paging tokens are opaque to callers: internal/cursor binds a cursor (an
// offset, or the id of the last request returned) to the operation, the
// caller's account and the query's parameters with an HMAC keyed with
// Config.TokenKey. A token altered in any byte, or presented with another
// query or by another account, is refused with
// InvalidPaginationTokenException.

// cursor returns the cursor of a NextToken for q: "" for no token (the first
// page), or InvalidPaginationTokenException.
func (h *Handler) cursor(q *cursor.Query, token *string) (string, error) {
	if token == nil {
		return "", nil
	}
	cur, ok := h.cursors.Decode(q, *token)
	if !ok {
		return "", newError(errInvalidPaginationTok, "NextToken is not a token this endpoint issued for this query and account; start again without NextToken")
	}
	return cur, nil
}

// offsetPage returns the bounds of the page of n items that starts at the
// token's offset, and the NextToken of the page after it ("" for the last).
func (h *Handler) offsetPage(q *cursor.Query, token *string, n, max int) (start, end int, next string, err error) {
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
		next = h.cursors.Encode(q, strconv.Itoa(end))
	}
	return start, end, next, nil
}
