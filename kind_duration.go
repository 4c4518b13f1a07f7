package headroom

import (
	"fmt"
	"time"
)

// durationRule: a longest lifetime, such as a chat of at most 25 hours
// including wait. Validated at start and again while the lifetime runs.
var durationRule = kindRule{
	kind:       KindDuration,
	ops:        opBits(OpCheck),
	units:      []Unit{UnitSeconds, UnitMinutes, UnitHours, UnitDays, UnitMonths, UnitYears},
	adjustable: true,
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
