package plan

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/headroomhq/headroom"
)

type openFunc func(code, scope, model string) (QuotaPlan, error)

// bucket is one throttle bucket and the programs that draw on it.
type bucket struct {
	code, scope string
	perInstance bool
	progs       []*Automation
}

// apiPlans models the API automation against the rate quotas, one plan per
// throttle bucket: the Amazon Connect API's buckets are shared by the whole
// account, the Participant Service's by each instance, as the seed says (the
// catalog's scope of each rate quota carries that). The steady rate is
// compared with the applied rate (the share throttled is the bucket's for
// a Poisson stream at that rate, BucketThrottle), the requests sent at one
// instant with the burst, and each batch gets the time it needs at the
// rate left to it.
func apiPlans(lim Limits, in Input, open openFunc) ([]QuotaPlan, []string, error) {
	if len(in.Growth.Automation) == 0 {
		return nil, nil, nil
	}
	buckets := map[string]*bucket{}
	var order []string
	for i := range in.Growth.Automation {
		a := &in.Growth.Automation[i]
		q, err := lim.Catalog().RateQuotaFor(a.api, a.op)
		if err != nil {
			return nil, nil, headroom.FieldErrorf("growth", "automation[%d].operation: %s", i, headroom.ErrorMessage(err))
		}
		scope := headroom.ScopeAccount
		if q.Scope != headroom.ScopeAccount && in.Instance != "" {
			scope = "instance/" + in.Instance
		}
		k := q.Code + " " + scope
		if buckets[k] == nil {
			buckets[k] = &bucket{code: q.Code, scope: scope, perInstance: q.Scope != headroom.ScopeAccount}
			order = append(order, k)
		}
		buckets[k].progs = append(buckets[k].progs, a)
	}
	var plans []QuotaPlan
	var notes []string
	for _, k := range order {
		b := buckets[k]
		qp, err := open(b.code, b.scope, ModelAPI)
		if err != nil {
			return nil, nil, err
		}
		times := eventTimes(in, b.progs)
		for _, t := range times {
			steady, burst := 0.0, 0.0
			for _, a := range b.progs {
				steady += rateAt(a, t, times[0])
				if a.runs(t) && (a.Count == 0 || batchAt(a, times[0]).Equal(t)) {
					burst += a.Burst()
				}
			}
			p := Point{At: t, End: t, Offered: steady, P95: steady, P99: steady}
			// Throttled: requests as a Poisson stream into the bucket.
			p.Refused = BucketThrottle(steady, qp.Applied, qp.Burst)
			if steady > qp.Applied {
				p.PHit = 1
				if qp.BreaksAt == nil {
					at := t
					qp.BreaksAt = &at
				}
			}
			if steady > qp.Peak || qp.PeakAt.IsZero() {
				qp.Peak, qp.PeakAt = steady, t
			}
			qp.BurstPeak = math.Max(qp.BurstPeak, burst)
			qp.MaxRefused = math.Max(qp.MaxRefused, p.Refused)
			qp.Series = append(qp.Series, p)
		}
		qp.Headroom = qp.Applied - qp.Peak
		qp.Over = math.Max(0, qp.Peak-qp.Applied)
		shared := "one bucket for the whole account"
		switch {
		case b.perInstance && b.scope != headroom.ScopeAccount:
			shared = "one bucket per instance, here " + strings.TrimPrefix(b.scope, "instance/")
		case b.perInstance:
			shared = "one bucket per instance; no instance named, so the account's applied value"
		}
		if qp.BurstPeak > float64(qp.Burst) && qp.Burst > 0 {
			notes = append(notes, fmt.Sprintf("%s (%s): up to %g requests at one instant against a burst of %d: spread the callers (jitter their polls) or the excess is throttled",
				qp.Name, shared, qp.BurstPeak, qp.Burst))
		}
		for _, a := range b.progs {
			if a.Count == 0 {
				continue
			}
			notes = append(notes, batchNote(a, qp, b, times[0], shared))
		}
		plans = append(plans, qp)
	}
	return plans, notes, nil
}

// batchAt is when a batch runs: its at, else the start of the horizon.
func batchAt(a *Automation, start time.Time) time.Time {
	if a.At != "" {
		return a.at
	}
	return start
}

// rateAt is a program's request rate at t: its steady rate while it runs,
// and a batch's own send rate at the instant it starts.
func rateAt(a *Automation, t, start time.Time) float64 {
	if !a.runs(t) {
		return 0
	}
	if a.Count > 0 {
		if a.BatchRate > 0 && batchAt(a, start).Equal(t) {
			return a.BatchRate
		}
		return 0
	}
	return a.Steady()
}

// batchNote says how long a batch takes at the rate the bucket leaves it.
func batchNote(a *Automation, qp QuotaPlan, b *bucket, start time.Time, shared string) string {
	at := batchAt(a, start)
	others := 0.0
	for _, o := range b.progs {
		if o != a {
			others += rateAt(o, at, start)
		}
	}
	avail := qp.Applied - others
	if avail <= 0 {
		return fmt.Sprintf("%s: %d %s requests never finish: the other programs already use the whole %g/s of %s (%s)",
			a.Name, a.Count, a.Operation, qp.Applied, qp.Name, shared)
	}
	rate := avail
	if a.BatchRate > 0 && a.BatchRate < avail {
		rate = a.BatchRate
	}
	secs := float64(a.Count) / rate
	msg := fmt.Sprintf("%s: %d %s requests at %g/s take at least %s (%s: %g/s, burst %d, %s)",
		a.Name, a.Count, a.Operation, rate, roundDuration(secs), qp.Name, qp.Applied, qp.Burst, shared)
	if a.BatchRate > avail {
		msg += fmt.Sprintf("; sent at %g/s, %.0f%% of them are throttled", a.BatchRate, 100*(1-avail/a.BatchRate))
	}
	return msg
}

// roundDuration writes whole seconds up, with the longer form beside
// them from a minute on: "250 s (4m10s)".
func roundDuration(secs float64) string {
	s := int64(math.Ceil(secs))
	if s < 60 {
		return fmt.Sprintf("%d s", s)
	}
	return fmt.Sprintf("%d s (%s)", s, time.Duration(s)*time.Second)
}

// eventTimes are the instants a bucket is evaluated at: every interval
// start, and each program's start and batch time, in order.
func eventTimes(in Input, progs []*Automation) []time.Time {
	seen := map[time.Time]bool{}
	var ts []time.Time
	add := func(t time.Time) {
		if !seen[t] {
			seen[t] = true
			ts = append(ts, t)
		}
	}
	for _, iv := range in.Forecast {
		add(iv.Start)
	}
	for _, a := range progs {
		if a.hasFrom {
			add(a.from)
		}
		if a.At != "" {
			add(a.at)
		}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	return ts
}
