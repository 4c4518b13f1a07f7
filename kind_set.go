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

func (e *Engine) checkSet(q *Quota, r *Request, a Applied, d Decision) (Decision, error) {
	v := strings.TrimSpace(r.Value)
	var allowed bool
	switch q.Match {
	case MatchDialPrefix:
		n, err := e.parseNumber(v)
		if err != nil {
			return d, err
		}
		v = n.E164
		allowed = matchDialPrefix(a.Entries, n)
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
