package plan

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/headroomhq/headroom"
)

// Limits is what the planner reads from the engine: the catalog and each
// quota's applied value (overrides and approved increases included).
// headroom.QuotaService satisfies it.
type Limits interface {
	Catalog() *headroom.Catalog
	Applied(ctx context.Context, account, code, scope string) (headroom.Applied, error)
}

// Input is one planning question.
type Input struct {
	Account string
	// Instance is the Connect instance id; empty plans against the
	// account-level applied values of the per-instance quotas.
	Instance string
	// Forecast is the intervals, in time order (ReadForecast's).
	Forecast []Interval
	// Growth is the growth plan; nil is an empty one.
	Growth *Growth
	// LeadTime is how long an increase takes: requests are to be filed
	// this long before the break.
	LeadTime time.Duration
	// Now marks requests whose file-by date has passed as late.
	Now time.Time
	// Margin is the share added to a peak to suggest a value;
	// DefaultMargin if zero.
	Margin float64
}

// Point is one interval of one quota's forecast.
type Point struct {
	At  time.Time `json:"at"`
	End time.Time `json:"end"`
	// Servers is the agents (voice) or chat slots (chat) in the model.
	Servers int `json:"servers,omitempty"`
	// Offered is the load in erlangs (concurrency) or the use (others).
	Offered float64 `json:"offered"`
	// P95 and P99 of the concurrency, handled plus waiting.
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	// PHit is the probability that the quota is full at a random moment.
	PHit float64 `json:"p_hit"`
	// Refused is the expected share of contacts refused at the quota (for
	// calls, those who hear the reorder tone).
	Refused float64 `json:"refused"`
	// Abandoned is Erlang A's share of callers who abandon while waiting,
	// with the quota refusing callers beyond it.
	Abandoned float64 `json:"abandoned,omitempty"`
	// ServiceLevel is the share of callers answered within the target's
	// time, patience and quota included (Queue.AnsweredWithin).
	ServiceLevel float64 `json:"service_level,omitempty"`
	// Unstable is true when the offered load is at or above the agents and
	// nobody abandons: the queue grows without bound.
	Unstable bool `json:"unstable,omitempty"`
}

// Quota kinds the planner models.
const (
	ModelVoice = "voice"
	ModelChat  = "chat"
	ModelTasks = "tasks"
	ModelAPI   = "api"
	ModelCount = "count"
)

// QuotaPlan is one quota the forecast touches.
type QuotaPlan struct {
	Code    string  `json:"code"`
	Name    string  `json:"name"`
	Model   string  `json:"model"`
	Scope   string  `json:"scope"`
	Unit    string  `json:"unit"`
	Applied float64 `json:"applied"`
	// Burst is a rate quota's applied burst.
	Burst      int64 `json:"burst,omitempty"`
	Adjustable bool  `json:"adjustable"`
	// Peak is the highest P99 concurrency (handled plus waiting, for
	// calls) over the intervals, or the highest forecast use.
	Peak   float64   `json:"peak"`
	PeakAt time.Time `json:"peak_at"`
	// Headroom is Applied − Peak; negative when the forecast breaks it.
	Headroom float64 `json:"headroom"`
	// BreaksAt is the start of the first interval (or the date) whose peak
	// exceeds Applied.
	BreaksAt *time.Time `json:"breaks_at"`
	// Over is how far the peak goes beyond Applied.
	Over float64 `json:"over"`
	// BurstPeak is the most requests an API bucket's programs may send at
	// one instant.
	BurstPeak float64 `json:"burst_peak,omitempty"`
	// UnstableAt is the first interval whose queue is unstable.
	UnstableAt *time.Time `json:"unstable_at,omitempty"`
	// MaxRefused is the highest expected share refused in one interval.
	MaxRefused float64  `json:"max_refused"`
	Series     []Point  `json:"series,omitempty"`
	Notes      []string `json:"notes,omitempty"`
}

// Result is a plan.
type Result struct {
	Account  string            `json:"account"`
	Instance string            `json:"instance,omitempty"`
	Quotas   []QuotaPlan       `json:"quotas"`
	Requests []IncreaseRequest `json:"requests"`
	Notes    []string          `json:"notes"`
	// Simulation is the check by simulation, when one was asked for.
	Simulation *SimSummary `json:"simulation,omitempty"`
}

// Build computes a plan: every quota the forecast and growth plan touch,
// with its applied value read through lim, its peak and the first interval
// or date it breaks, and the increase requests to file. Errors: those of
// lim (EUNKNOWNACCOUNT, ...), and EINVALID for a forecast the models cannot
// take. Build is safe for concurrent use if lim is.
func Build(ctx context.Context, lim Limits, in Input) (*Result, error) {
	if in.Growth == nil {
		in.Growth = &Growth{}
	}
	if len(in.Forecast) == 0 {
		return nil, headroom.FieldErrorf("forecast", "has no intervals")
	}
	if in.Margin == 0 {
		in.Margin = DefaultMargin
	}
	if !(in.Margin > 0 && in.Margin <= 10) {
		return nil, headroom.FieldErrorf("margin", "%v is not a share above 0 and at most 10", in.Margin)
	}
	if in.LeadTime < 0 {
		return nil, headroom.FieldErrorf("lead_time", "must not be negative")
	}
	res := &Result{Account: in.Account, Instance: in.Instance, Quotas: []QuotaPlan{}, Requests: []IncreaseRequest{}, Notes: []string{}}
	instScope := headroom.ScopeAccount
	if in.Instance != "" {
		instScope = "instance/" + in.Instance
	}
	open := func(code, scope string, model string) (QuotaPlan, error) {
		q, err := lim.Catalog().Quota(code)
		if err != nil {
			return QuotaPlan{}, err
		}
		if q.Scope == headroom.ScopeAccount {
			scope = headroom.ScopeAccount
		}
		a, err := lim.Applied(ctx, in.Account, code, scope)
		if err != nil {
			return QuotaPlan{}, fmt.Errorf("plan: applied value of %s: %w", code, err)
		}
		return QuotaPlan{Code: code, Name: q.Name, Model: model, Scope: scope, Unit: string(q.Unit), Applied: a.Value, Burst: a.Burst, Adjustable: q.Adjustable}, nil
	}
	if err := checkWork(in.Forecast); err != nil {
		return nil, err
	}
	voice, chat, err := contactSeries(in)
	if err != nil {
		return nil, err
	}
	for _, s := range []struct {
		code, model string
		pts         []Point
	}{{headroom.CodeConcurrentCalls, ModelVoice, voice}, {headroom.CodeConcurrentChats, ModelChat, chat}} {
		// Calls are a required column, so every forecast touches the
		// concurrent calls quota, even with no traffic at all.
		if s.model != ModelVoice && !anyLoad(s.pts) {
			continue
		}
		qp, err := open(s.code, instScope, s.model)
		if err != nil {
			return nil, err
		}
		if qp.Series, err = refuse(s.pts, qp.Model, in, qp.Applied); err != nil {
			return nil, err
		}
		res.Quotas = append(res.Quotas, qp)
	}
	if tasks := taskSeries(in.Forecast); anyLoad(tasks) {
		qp, err := open(headroom.CodeActiveTasks, instScope, ModelTasks)
		if err != nil {
			return nil, err
		}
		qp.Series = tasks
		if err := poissonTail(&qp); err != nil {
			return nil, err
		}
		res.Quotas = append(res.Quotas, qp)
	}
	apis, notes, err := apiPlans(lim, in, open)
	if err != nil {
		return nil, err
	}
	res.Quotas = append(res.Quotas, apis...)
	res.Notes = append(res.Notes, notes...)
	counts, err := countPlans(in, instScope, open)
	if err != nil {
		return nil, err
	}
	res.Quotas = append(res.Quotas, counts...)
	for i := range res.Quotas {
		finish(&res.Quotas[i])
	}
	sortQuotas(res.Quotas)
	res.Requests = suggest(res.Quotas, in)
	for _, q := range res.Quotas {
		if q.UnstableAt != nil {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: the queue is unstable from %s: more load is offered than the agents can handle, so the waiting line grows without bound; add agents (no quota increase fixes this)",
				q.Name, q.UnstableAt.Format(time.RFC3339)))
		}
	}
	return res, nil
}

// MaxWork bounds a plan's work: the sum over intervals of the erlangs of
// calls and chats and the mean of active tasks, which is about the states
// the models walk. It keeps one request to a second or so of CPU.
const MaxWork = 50_000_000

// checkWork refuses a forecast whose models would cost more than MaxWork.
func checkWork(f []Interval) error {
	var w float64
	for _, iv := range f {
		secs := iv.Seconds()
		w += (iv.Calls+iv.Callbacks)*iv.AHTSeconds/secs + iv.Chats*iv.ChatSeconds/secs + iv.Tasks*iv.TaskSeconds/secs + 1
	}
	if w > MaxWork {
		return headroom.FieldErrorf("forecast", "is too large to plan in one request: its intervals add up to %.3g erlangs, above %d; split it", w, MaxWork)
	}
	return nil
}

// DefaultMargin is the share added to a forecast peak to suggest a quota
// value: interval-level contact-centre forecasts commonly miss by 10–20 %,
// so a quota 20 % above the 99th percentile of the busiest interval still
// holds when the forecast is a fifth low.
const DefaultMargin = 0.2

func anyLoad(pts []Point) bool {
	for _, p := range pts {
		if p.Offered > 0 || p.Unstable {
			return true
		}
	}
	return false
}

// contactSeries models voice and chat per interval, stationary within each
// interval (the usual period-by-period approach, right when handle times
// are short against the interval).
func contactSeries(in Input) (voice, chat []Point, err error) {
	target := in.Growth.Target()
	for _, iv := range in.Forecast {
		secs := iv.Seconds()
		av := (iv.Calls + iv.Callbacks) * iv.AHTSeconds / secs
		perAgent := math.Max(1, float64(iv.ChatsPerAgent))
		ac := iv.Chats * iv.ChatSeconds / secs
		var nv, nc int
		if iv.Sized {
			if nv, err = Staff(av, iv.AHTSeconds, target); err != nil {
				return nil, nil, intervalErr(iv, err)
			}
			// Chat staff: the fewest agents whose slots meet the target.
			slots, err := Staff(ac, iv.ChatSeconds, target)
			if err != nil {
				return nil, nil, intervalErr(iv, err)
			}
			nc = int(math.Ceil(float64(slots)/perAgent)) * int(perAgent)
		} else {
			// Staffed agents split between the channels by workload.
			wv, wc := av, ac/perAgent
			agents := iv.Agents
			if wv+wc > 0 {
				nv = int(math.Round(float64(agents) * wv / (wv + wc)))
				if wc > 0 && nv == agents && agents > 0 {
					nv--
				}
				if wv > 0 && nv == 0 && agents > 1 {
					nv = 1
				}
			}
			nc = (agents - nv) * int(perAgent)
		}
		vp := Point{At: iv.Start, End: iv.End(), Servers: nv, Offered: av}
		if av > 0 {
			if sl, ok := ServiceLevel(nv, av, iv.AHTSeconds, target.Within); ok {
				vp.ServiceLevel = sl
			}
		}
		voice = append(voice, vp)
		cp := Point{At: iv.Start, End: iv.End(), Servers: nc, Offered: ac}
		if ac > 0 {
			if sl, ok := ServiceLevel(nc, ac, iv.ChatSeconds, target.Within); ok {
				cp.ServiceLevel = sl
			}
		}
		chat = append(chat, cp)
	}
	return voice, chat, nil
}

func intervalErr(iv Interval, err error) error {
	return headroom.FieldErrorf("forecast", "interval %s: %v", iv.Start.Format(time.RFC3339), err)
}

// queueOf rebuilds the queue of a voice or chat point.
func queueOf(p Point, model string, in Input, iv Interval) Queue {
	secs := iv.Seconds()
	if model == ModelVoice {
		if p.Offered <= 0 {
			return Queue{}
		}
		var theta float64
		if in.Growth.PatienceSeconds > 0 {
			theta = 1 / in.Growth.PatienceSeconds
		}
		return Queue{Lambda: (iv.Calls + iv.Callbacks) / secs, Mu: 1 / iv.AHTSeconds, Theta: theta, Servers: p.Servers}
	}
	if p.Offered <= 0 {
		return Queue{}
	}
	// Chat customers wait in the queue without a patience in the forecast.
	return Queue{Lambda: iv.Chats / secs, Mu: 1 / iv.ChatSeconds, Servers: p.Servers}
}

// refuse fills each point's distribution figures against the quota.
func refuse(src []Point, model string, in Input, applied float64) ([]Point, error) {
	pts := make([]Point, 0, len(src))
	limit := int(math.Floor(applied))
	for i, p := range src {
		q := queueOf(p, model, in, in.Forecast[i])
		if q.Lambda > 0 {
			var err error
			if p.Refused, err = q.Blocking(limit); err != nil {
				return nil, intervalErr(in.Forecast[i], err)
			}
			if !q.Stable() {
				p.Unstable = true
				p.PHit = 1
			} else {
				d, err := q.Stationary()
				if err != nil {
					return nil, intervalErr(in.Forecast[i], err)
				}
				// Connect counts callbacks only once offered to an agent:
				// the waiting ones are left out of the count.
				counted := d
				if iv := in.Forecast[i]; model == ModelVoice && iv.Callbacks > 0 {
					counted = d.CallsCounted(q.Servers, iv.Calls/(iv.Calls+iv.Callbacks))
				}
				p.P95, p.P99 = float64(counted.Quantile(0.95)), float64(counted.Quantile(0.99))
				p.PHit = counted.AtLeast(limit)
				// Abandonment among callers the quota lets in: the chain
				// truncated at the quota.
				p.Abandoned = q.AbandonShare(d.Truncated(limit))
			}
			// The service level with the patience and the quota: callers
			// refused at the quota, or abandoning, are not answered.
			if sl, ok := q.AnsweredWithin(in.Growth.Target().Within, limit); ok {
				p.ServiceLevel = sl
			}
		}
		pts = append(pts, p)
	}
	return pts, nil
}

// taskSeries models active tasks as an infinite-server queue with
// time-varying arrivals (tasks are not staffed against; they stay active
// for their duration, which may be days): the number active is Poisson,
// with a mean m(t) = Σ over earlier arrivals of the chance each is still
// active (Eick, Massey and Whitt's M_t/G/∞), carried across intervals by
// duration class.
func taskSeries(f []Interval) []Point {
	// The mean active tasks of each mean duration, in the order the
	// durations first appear, so that sums are the same on every run.
	type cohort struct{ dur, mean float64 }
	var cohorts []cohort
	decay := func(d time.Duration) {
		for i := range cohorts {
			cohorts[i].mean *= math.Exp(-d.Seconds() / cohorts[i].dur)
		}
	}
	total := func() float64 {
		var t float64
		for _, c := range cohorts {
			t += c.mean
		}
		return t
	}
	var out []Point
	for i, iv := range f {
		if i > 0 {
			decay(iv.Start.Sub(f[i-1].End()))
		}
		start := total()
		decay(iv.End().Sub(iv.Start))
		if iv.Tasks > 0 {
			D, L := iv.TaskSeconds, iv.Seconds()
			add := iv.Tasks / L * D * (1 - math.Exp(-L/D))
			j := slices.IndexFunc(cohorts, func(c cohort) bool { return c.dur == D })
			if j < 0 {
				cohorts = append(cohorts, cohort{dur: D})
				j = len(cohorts) - 1
			}
			cohorts[j].mean += add
		}
		// With steady arrivals in the interval the mean moves monotonically
		// towards λ·D, so its largest value is at one end.
		out = append(out, Point{At: iv.Start, End: iv.End(), Offered: math.Max(start, total())})
	}
	return out
}

// poissonTail fills the tasks' percentiles and refusals from the Poisson
// distribution of the number active.
func poissonTail(qp *QuotaPlan) error {
	limit := int(math.Floor(qp.Applied))
	for i := range qp.Series {
		p := &qp.Series[i]
		if p.Offered <= 0 {
			continue
		}
		q := Queue{Lambda: p.Offered, Mu: 1, Servers: -1}
		d, err := q.Stationary()
		if err != nil {
			return err
		}
		p.P95, p.P99 = float64(d.Quantile(0.95)), float64(d.Quantile(0.99))
		p.PHit = d.AtLeast(limit)
		if p.Refused, err = q.Blocking(limit); err != nil {
			return err
		}
	}
	return nil
}

// finish sets a quota's peak, headroom and break from its series (or
// leaves those set by an API or count plan).
func finish(qp *QuotaPlan) {
	if qp.Model == ModelAPI || qp.Model == ModelCount {
		return
	}
	for _, p := range qp.Series {
		if p.Unstable {
			if qp.UnstableAt == nil {
				at := p.At
				qp.UnstableAt = &at
			}
			if qp.BreaksAt == nil {
				at := p.At
				qp.BreaksAt = &at
			}
			qp.MaxRefused = math.Max(qp.MaxRefused, p.Refused)
			continue
		}
		if p.P99 > qp.Peak || qp.PeakAt.IsZero() {
			qp.Peak, qp.PeakAt = p.P99, p.At
		}
		if p.P99 > qp.Applied && qp.BreaksAt == nil {
			at := p.At
			qp.BreaksAt = &at
		}
		qp.MaxRefused = math.Max(qp.MaxRefused, p.Refused)
	}
	qp.Headroom = qp.Applied - qp.Peak
	qp.Over = math.Max(0, qp.Peak-qp.Applied)
}

// sortQuotas orders the plan: breaking quotas first, soonest first.
func sortQuotas(qs []QuotaPlan) {
	sort.SliceStable(qs, func(i, j int) bool {
		a, b := qs[i].BreaksAt, qs[j].BreaksAt
		switch {
		case a != nil && b != nil:
			return a.Before(*b)
		case a != nil:
			return true
		}
		return false
	})
}
