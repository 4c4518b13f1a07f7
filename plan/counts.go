package plan

import (
	"math"
	"sort"
	"time"
)

// countPlans finds, for each resource the growth plan names, the quota it
// counts against, its peak planned total and the day the total first goes
// beyond the applied value. Between two dated totals the planner assumes
// steady growth (linear interpolation), so a plan of 450 users on 1 March
// and 700 on 1 May breaks a quota of 500 on the day the 501st user is due.
func countPlans(in Input, instScope string, open openFunc) ([]QuotaPlan, error) {
	names := map[string]bool{}
	for _, p := range in.Growth.Resources {
		for k := range p.Counts {
			names[k] = true
		}
	}
	sorted := make([]string, 0, len(names))
	for k := range names {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var out []QuotaPlan
	for _, name := range sorted {
		qp, err := open(ResourceCodes[name], instScope, ModelCount)
		if err != nil {
			return nil, err
		}
		limit := math.Floor(qp.Applied)
		var prev *ResourcePoint
		for i := range in.Growth.Resources {
			p := &in.Growth.Resources[i]
			v, ok := p.Counts[name]
			if !ok {
				continue
			}
			total := float64(v)
			qp.Series = append(qp.Series, Point{At: p.at, End: p.at, Offered: total, P95: total, P99: total})
			if total > qp.Peak || qp.PeakAt.IsZero() {
				qp.Peak, qp.PeakAt = total, p.at
			}
			if total > limit && qp.BreaksAt == nil {
				at := p.at
				if prev != nil {
					// The moment the interpolated total reaches limit+1, on
					// the day it falls.
					from := float64(prev.Counts[name])
					f := (limit + 1 - from) / (total - from)
					at = prev.at.Add(time.Duration(f * float64(p.at.Sub(prev.at))))
					at = at.Truncate(24 * time.Hour)
					if at.Before(prev.at) {
						at = prev.at
					}
				}
				qp.BreaksAt = &at
			}
			prev = p
		}
		qp.Headroom = qp.Applied - qp.Peak
		qp.Over = math.Max(0, qp.Peak-qp.Applied)
		out = append(out, qp)
	}
	return out, nil
}
