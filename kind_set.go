package headroom

import (
	"fmt"
	"path"
	"strings"
)

// setRule: allowed values, such as attachment file types or the countries
// outbound calls may reach. An override replaces or extends the entries.
var setRule = kindRule{
	kind:       KindSet,
	ops:        opBits(OpCheck),
	units:      []Unit{UnitNone},
	adjustable: true,
}

func checkSet(q *Quota, r *Request, a Applied, d Decision) (Decision, error) {
	v := strings.TrimSpace(r.Value)
	var allowed bool
	switch q.Match {
	case MatchDialPrefix:
		num, err := normalizeE164(v)
		if err != nil {
			return d, err
		}
		v = num
		allowed = longestPrefix(a.Entries, num)
	case MatchExtension:
		ext := strings.ToLower(path.Ext(v))
		if v == "" || ext == "" {
			return d, FieldErrorf("value", "%q has no file extension", r.Value)
		}
		allowed = a.Entries[ext]
	default:
		if v == "" {
			return d, FieldErrorf("value", "must not be empty")
		}
		allowed = a.Entries[strings.ToLower(v)]
	}
	d.Allowed = allowed
	if !allowed {
		return d, &Error{Code: ENOTALLOWED,
			Message: fmt.Sprintf("%s does not allow %q for %s (%s)",
				q.Name, v, DescribeScope(r.Account, r.Scope), describeEntries(a.Entries)),
			Denial: &Denial{QuotaCode: q.Code, QuotaName: q.Name, Scope: r.Scope}}
	}
	return d, nil
}

// normalizeE164 accepts "+44 20 7946 0000" and similar, and returns "+442079460000".
func normalizeE164(s string) (string, error) {
	if !strings.HasPrefix(s, "+") {
		return "", FieldErrorf("value", "%q is not an E.164 number: it must start with + and the country code", s)
	}
	var b strings.Builder
	b.WriteByte('+')
	for _, c := range s[1:] {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == ' ' || c == '-' || c == '(' || c == ')' || c == '.':
		default:
			return "", FieldErrorf("value", "%q is not an E.164 number: unexpected %q", s, c)
		}
	}
	if n := b.Len() - 1; n < 3 || n > 15 {
		return "", FieldErrorf("value", "%q is not an E.164 number: it has %d digits, want 3 to 15", s, n)
	}
	return b.String(), nil
}

// longestPrefix reports the verdict of the longest entry that prefixes num;
// a number no entry matches is not allowed.
func longestPrefix(entries map[string]bool, num string) bool {
	for i := len(num); i >= 2; i-- {
		if v, ok := entries[num[:i]]; ok {
			return v
		}
	}
	return false
}
