package headroom

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// sizeRule: bytes or characters, such as a chat message of at most 1,024
// characters. Validated, never counted.
var sizeRule = kindRule{
	kind:       KindSize,
	ops:        opBits(OpCheck),
	units:      []Unit{UnitBytes, UnitKilobytes, UnitMegabytes, UnitCharacters},
	adjustable: true,
}

func checkSize(q *Quota, r *Request, a Applied, d Decision) (Decision, error) {
	size := r.Size
	what := "bytes"
	if q.Unit == UnitCharacters {
		what = "characters"
		if r.Text != "" {
			// Characters, not bytes: "é" is one character of two bytes.
			size = int64(utf8.RuneCountInString(r.Text))
		}
	}
	if size < 0 {
		return d, FieldErrorf("size", "must not be negative, got %d", size)
	}
	limit := q.Unit.Bytes(a.Value)
	d.Used, d.Remaining, d.Allowed = size, max(limit-size, 0), size <= limit
	if !d.Allowed {
		return d, &Error{Code: EQUOTAEXCEEDED,
			Message: fmt.Sprintf("%s quota of %g %s exceeded for %s (%d %s requested, at most %d allowed)",
				q.Name, a.Value, unitWord(q.Unit), DescribeScope(r.Account, r.Scope), size, what, limit),
			Denial: &Denial{QuotaCode: q.Code, QuotaName: q.Name, Scope: r.Scope, Limit: a.Value, Requested: size}}
	}
	return d, nil
}

func unitWord(u Unit) string {
	switch u {
	case UnitKilobytes:
		return "KB"
	case UnitMegabytes:
		return "MB"
	default:
		return strings.ToLower(string(u))
	}
}
