package headroom

import (
	"fmt"
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

func (e *Engine) doCheck(q *Quota, r *Request, a Applied) (Decision, error) {
	d := baseDecision(q, r.Scope, a)
	switch q.Kind {
	case KindSize:
		return checkSize(q, r, a, d)
	case KindDuration:
		return checkDuration(q, r, a, d, e.clock.Now())
	default:
		return checkSet(q, r, a, d)
	}
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

func checkDuration(q *Quota, r *Request, a Applied, d Decision, now time.Time) (Decision, error) {
	if r.Duration < 0 {
		return d, FieldErrorf("duration", "must not be negative, got %v", r.Duration)
	}
	if r.Start.IsZero() && r.Duration == 0 {
		return d, FieldErrorf("start", "a duration check needs a start time or a duration")
	}
	start := r.Start
	if start.IsZero() {
		start = now
	}
	deadline := q.Unit.AddTo(start, a.Value)
	d.Expires = deadline
	d.Allowed = true
	if r.Duration > 0 && start.Add(r.Duration).After(deadline) {
		d.Allowed = false
		return d, &Error{Code: EQUOTAEXCEEDED,
			Message: fmt.Sprintf("%s quota of %g %s exceeded for %s (%v requested)",
				q.Name, a.Value, unitWord(q.Unit), DescribeScope(r.Account, r.Scope), r.Duration),
			Denial: &Denial{QuotaCode: q.Code, QuotaName: q.Name, Scope: r.Scope, Limit: a.Value, Requested: int64(r.Duration / time.Second)}}
	}
	if !r.Start.IsZero() && !now.Before(deadline) {
		d.Allowed = false
		return d, &Error{Code: EQUOTAEXCEEDED,
			Message: fmt.Sprintf("%s quota of %g %s reached for %s: started %s, ended %s",
				q.Name, a.Value, unitWord(q.Unit), DescribeScope(r.Account, r.Scope),
				r.Start.UTC().Format(time.RFC3339), deadline.UTC().Format(time.RFC3339)),
			Denial: &Denial{QuotaCode: q.Code, QuotaName: q.Name, Scope: r.Scope, Limit: a.Value, Requested: int64(now.Sub(r.Start) / time.Second)}}
	}
	return d, nil
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
