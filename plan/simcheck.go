package plan

import (
	"math"
	"sort"
	"time"
)

// SimQuota compares, for one quota, the share the simulation measured
// refused (reorder tone, quota error, throttle) with the model's.
type SimQuota struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// Offered is the contacts or requests the runs offered, in all.
	Offered int64 `json:"offered"`
	// Measured is the mean over runs of the share refused, StdErr its
	// standard error.
	Measured float64 `json:"measured"`
	StdErr   float64 `json:"std_err"`
	// Model is the plan's expected share refused over the same horizon,
	// each interval weighted by what it offers.
	Model float64 `json:"model"`
}

// SimSummary is a simulation check of a plan.
type SimSummary struct {
	Runs   int        `json:"runs"`
	Quotas []SimQuota `json:"quotas"`
	// HoursPerCPUSecond is the simulation's speed.
	HoursPerCPUSecond float64 `json:"simulated_hours_per_cpu_second"`
}

// Summarize compares simulation runs with the plan: for every concurrency
// and API quota of the plan the runs measured, the mean share refused and
// its standard error beside the model's share over the horizon. cpu is the
// CPU time the runs took.
func Summarize(res *Result, f []Interval, runs []*SimResult, cpu time.Duration) *SimSummary {
	s := &SimSummary{Runs: len(runs), Quotas: []SimQuota{}}
	var hours float64
	for _, r := range runs {
		hours += r.SimulatedHours
	}
	if cpu > 0 {
		s.HoursPerCPUSecond = hours / cpu.Seconds()
	}
	for _, q := range res.Quotas {
		var counts func(*SimResult) *SimCounts
		var weight func(Interval) float64
		switch q.Model {
		case ModelVoice:
			counts = func(r *SimResult) *SimCounts { return &r.Calls }
			weight = func(iv Interval) float64 { return iv.Calls + iv.Callbacks }
		case ModelChat:
			counts = func(r *SimResult) *SimCounts { return &r.Chats }
			weight = func(iv Interval) float64 { return iv.Chats }
		case ModelTasks:
			counts = func(r *SimResult) *SimCounts { return &r.Tasks }
			weight = func(iv Interval) float64 { return iv.Tasks }
		case ModelAPI:
			code := q.Code
			counts = func(r *SimResult) *SimCounts { return r.API[code] }
		default:
			continue
		}
		sq := SimQuota{Code: q.Code, Name: q.Name}
		var shares []float64
		for _, r := range runs {
			c := counts(r)
			if c == nil {
				continue
			}
			sq.Offered += c.Offered
			shares = append(shares, c.Share())
		}
		sq.Measured, sq.StdErr = meanSE(shares)
		sq.Model = modelShare(q, f, weight)
		s.Quotas = append(s.Quotas, sq)
	}
	return s
}

// modelShare is the plan's share refused over the horizon: each interval's
// refused share weighted by what it offers (for an API bucket, its rate at
// the interval's start times the interval's length).
func modelShare(q QuotaPlan, f []Interval, weight func(Interval) float64) float64 {
	var num, den float64
	for i, iv := range f {
		var p Point
		var w float64
		if weight != nil {
			if i >= len(q.Series) {
				break
			}
			p, w = q.Series[i], weight(iv)
		} else {
			j := sort.Search(len(q.Series), func(k int) bool { return q.Series[k].At.After(iv.Start) }) - 1
			if j < 0 {
				continue
			}
			p = q.Series[j]
			w = p.Offered * iv.Seconds()
		}
		num += w * p.Refused
		den += w
	}
	if den == 0 {
		return 0
	}
	return num / den
}

func meanSE(xs []float64) (float64, float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	var m float64
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	if len(xs) < 2 {
		return m, 0
	}
	var v float64
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	v /= float64(len(xs) - 1)
	return m, math.Sqrt(v / float64(len(xs)))
}
