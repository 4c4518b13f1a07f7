package plan

import (
	"fmt"
	"math"
)

// The queueing models. Every function here works in log space or through
// a stable recurrence, so agent counts in the thousands and loads close to
// them never overflow a float64 the way A^N/N! would.

// ErlangB returns the Erlang B blocking probability: the share of calls lost
// when a erlangs are offered to n servers with no waiting room. It uses the
// recurrence B(0)=1, B(k)=a·B(k−1)/(k+a·B(k−1)), which is stable for any n.
// It returns 1 for n = 0 and a > 0, and 0 for a = 0.
func ErlangB(n int, a float64) float64 {
	if a <= 0 {
		return 0
	}
	b := 1.0
	for k := 1; k <= n; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// ErlangC returns the Erlang C probability that a call waits, for a erlangs
// offered to n agents with an unbounded queue and no abandonment (M/M/n).
// The queue is stable only when a < n; otherwise ok is false and every call
// waits for ever in the model, so the caller must say "unstable" rather than
// use the value.
func ErlangC(n int, a float64) (c float64, ok bool) {
	if a <= 0 {
		return 0, n >= 0
	}
	if a >= float64(n) {
		return 1, false
	}
	b := ErlangB(n, a)
	return float64(n) * b / (float64(n) - a*(1-b)), true
}

// ServiceLevel returns the share of calls answered within t seconds by n
// agents offered a erlangs with mean handle time aht seconds, by Erlang C:
// 1 − C·exp(−(n−a)·t/aht). ok is false when the queue is unstable (a ≥ n).
func ServiceLevel(n int, a, aht, t float64) (sl float64, ok bool) {
	c, ok := ErlangC(n, a)
	if !ok {
		return 0, false
	}
	if a <= 0 || aht <= 0 {
		return 1, true
	}
	return 1 - c*math.Exp(-(float64(n)-a)*t/aht), true
}

// Queue describes a Markovian multi-server queue: Poisson arrivals at
// Lambda per second, exponential service at Mu per second on each of
// Servers servers, and exponential patience at Theta per second for those
// waiting (Theta = 0: nobody abandons; Erlang C. Theta > 0: Palm's M/M/n+M,
// the Erlang A model of Garnett, Mandelbaum and Reiman). Servers < 0 means
// unlimited servers (M/M/∞).
type Queue struct {
	Lambda, Mu, Theta float64
	Servers           int
}

// Offered returns the offered load in erlangs, Lambda/Mu.
func (q Queue) Offered() float64 {
	if q.Lambda <= 0 || q.Mu <= 0 {
		return 0
	}
	return q.Lambda / q.Mu
}

// Stable reports whether the queue has a stationary distribution: always
// with abandonment or unlimited servers, else only when the offered load is
// below the servers.
func (q Queue) Stable() bool {
	return q.Lambda <= 0 || q.Theta > 0 || q.Servers < 0 || q.Offered() < float64(q.Servers)
}

// death is the rate of departures with k in the system.
func (q Queue) death(k int) float64 {
	if q.Servers < 0 || k <= q.Servers {
		return float64(k) * q.Mu
	}
	return float64(q.Servers)*q.Mu + float64(k-q.Servers)*q.Theta
}

func (q Queue) validate() error {
	switch {
	case !(q.Lambda >= 0) || math.IsInf(q.Lambda, 0):
		return fmt.Errorf("arrival rate %v is not a finite number ≥ 0", q.Lambda)
	case q.Lambda > 0 && (!(q.Mu > 0) || math.IsInf(q.Mu, 0)):
		return fmt.Errorf("service rate %v is not a finite number > 0", q.Mu)
	case !(q.Theta >= 0) || math.IsInf(q.Theta, 0):
		return fmt.Errorf("abandonment rate %v is not a finite number ≥ 0", q.Theta)
	}
	return nil
}

// maxStates bounds the explicit part of a distribution: a queue needing
// more is refused rather than allowed to exhaust memory.
const maxStates = 5_000_000

// negligible is the log of the probability below which states are dropped
// at the tail: e^−45 ≈ 3e−20.
const negligible = 45

// Dist is the stationary distribution of the number in system (in service
// plus waiting): P[k] for k < len(P), then, if Ratio > 0, a geometric tail
// P(k) = P[len−1]·Ratio^(k−len+1). It is immutable once built.
type Dist struct {
	P     []float64
	Ratio float64
}

// Stationary returns the stationary distribution of the number in system.
// It returns an error for bad rates or an unstable queue (Erlang C with
// load at or above the servers).
func (q Queue) Stationary() (Dist, error) {
	if err := q.validate(); err != nil {
		return Dist{}, err
	}
	if q.Lambda == 0 {
		return Dist{P: []float64{1}}, nil
	}
	if !q.Stable() {
		return Dist{}, fmt.Errorf("unstable queue: %.4g erlangs offered to %d agents", q.Offered(), q.Servers)
	}
	// Erlang C: the explicit part stops at Servers, and the waiting line is
	// geometric with ratio a/n.
	geometric := q.Theta == 0 && q.Servers >= 0
	lw := []float64{0}
	maxLW := 0.0
	logL := math.Log(q.Lambda)
	tail := false
	for k := 1; ; k++ {
		if geometric && k > q.Servers {
			tail = true
			break
		}
		w := lw[k-1] + logL - math.Log(q.death(k))
		lw = append(lw, w)
		if w > maxLW {
			maxLW = w
		}
		// Past the mode, once the weights are negligible, stop.
		if w < lw[k-1] && w < maxLW-negligible {
			break
		}
		if k >= maxStates {
			return Dist{}, fmt.Errorf("queue needs more than %d states", maxStates)
		}
	}
	d := Dist{P: make([]float64, len(lw))}
	var sum float64
	for k, w := range lw {
		d.P[k] = math.Exp(w - maxLW)
		sum += d.P[k]
	}
	// Stopped before the servers, the waiting line's weights are smaller
	// still: negligible.
	if tail {
		d.Ratio = q.Offered() / float64(q.Servers)
		// The states above Servers: P[n]·(r + r² + …).
		sum += d.P[len(d.P)-1] * d.Ratio / (1 - d.Ratio)
	}
	for k := range d.P {
		d.P[k] /= sum
	}
	return d, nil
}

// Truncated returns the distribution conditioned on X ≤ limit, which for
// a birth-death chain is the chain truncated at limit. A geometric tail is
// kept only when limit is beyond it (no truncation).
func (d Dist) Truncated(limit int) Dist {
	if limit < 0 || limit+1 >= len(d.P) && d.Ratio == 0 || limit >= len(d.P) {
		return d
	}
	p := append([]float64(nil), d.P[:limit+1]...)
	var s float64
	for _, v := range p {
		s += v
	}
	for i := range p {
		p[i] /= s
	}
	return Dist{P: p}
}

// At returns P(X = k).
func (d Dist) At(k int) float64 {
	switch {
	case k < 0:
		return 0
	case k < len(d.P):
		return d.P[k]
	case d.Ratio > 0:
		return d.P[len(d.P)-1] * math.Pow(d.Ratio, float64(k-len(d.P)+1))
	}
	return 0
}

// AtLeast returns P(X ≥ k).
func (d Dist) AtLeast(k int) float64 {
	if k <= 0 {
		return 1
	}
	n := len(d.P)
	if k >= n {
		if d.Ratio <= 0 {
			return 0
		}
		return d.P[n-1] * math.Pow(d.Ratio, float64(k-n+1)) / (1 - d.Ratio)
	}
	var below float64
	for i := 0; i < k; i++ {
		below += d.P[i]
	}
	return math.Max(0, 1-below)
}

// Quantile returns the smallest k with P(X ≤ k) ≥ p.
func (d Dist) Quantile(p float64) int {
	var cdf float64
	for k, v := range d.P {
		cdf += v
		if cdf >= p-1e-12 {
			return k
		}
	}
	if d.Ratio <= 0 {
		return len(d.P) - 1
	}
	// In the geometric tail: P(X > n−1+j) = P[n−1]·r^(j+1)/(1−r).
	last := d.P[len(d.P)-1]
	rest := 1 - p
	if rest <= 0 {
		return math.MaxInt32
	}
	j := math.Ceil(math.Log(rest*(1-d.Ratio)/last)/math.Log(d.Ratio) - 1)
	if j < 1 {
		j = 1
	}
	return len(d.P) - 1 + int(j)
}

// Mean returns E[X].
func (d Dist) Mean() float64 {
	var m float64
	for k, v := range d.P {
		m += float64(k) * v
	}
	if d.Ratio > 0 {
		n, r, last := float64(len(d.P)-1), d.Ratio, d.P[len(d.P)-1]
		// Σ_{j≥1} (n+j)·last·r^j.
		m += last * (n*r/(1-r) + r/((1-r)*(1-r)))
	}
	return m
}

// Limited returns the stationary distribution of the queue when at most
// limit may be in the system at once (arrivals beyond are refused): the
// birth-death chain truncated at limit, which is stationary whether or not
// the unlimited queue is. limit must be at least 0.
func (q Queue) Limited(limit int) (Dist, error) {
	if err := q.validate(); err != nil {
		return Dist{}, err
	}
	if limit < 0 || limit > maxStates {
		return Dist{}, fmt.Errorf("limit %d is not between 0 and %d", limit, maxStates)
	}
	if q.Lambda == 0 {
		return Dist{P: []float64{1}}, nil
	}
	lw := make([]float64, limit+1)
	maxW := 0.0
	logL := math.Log(q.Lambda)
	for k := 1; k <= limit; k++ {
		lw[k] = lw[k-1] + logL - math.Log(q.death(k))
		maxW = math.Max(maxW, lw[k])
	}
	d := Dist{P: make([]float64, limit+1)}
	var sum float64
	for k, w := range lw {
		d.P[k] = math.Exp(w - maxW)
		sum += d.P[k]
	}
	for k := range d.P {
		d.P[k] /= sum
	}
	return d, nil
}

// Blocking returns the share of arrivals refused when the system holds at
// most limit at once (calls beyond the quota hear the reorder tone): for a
// birth-death queue truncated at limit, P(X = limit | X ≤ limit), which an
// arrival sees by PASTA. It works whether or not the untruncated queue is
// stable. limit < 1 blocks every arrival.
func (q Queue) Blocking(limit int) (float64, error) {
	if err := q.validate(); err != nil {
		return 0, err
	}
	switch {
	case q.Lambda == 0:
		return 0, nil
	case limit < 1:
		return 1, nil
	case q.Theta == 0 && q.Servers >= 0 && limit > q.Servers:
		return q.geometricBlocking(limit)
	case limit > maxStates:
		// Abandonment or unlimited servers: the untruncated queue is
		// stable, and a limit this far out is in its negligible tail.
		d, err := q.Stationary()
		if err != nil {
			return 0, err
		}
		if limit >= len(d.P) && d.Ratio == 0 {
			return 0, nil
		}
		return d.At(limit) / math.Max(1e-300, 1-d.AtLeast(limit+1)), nil
	}
	d, err := q.Limited(limit)
	if err != nil {
		return 0, err
	}
	return d.P[limit], nil
}

// geometricBlocking is Blocking for a queue without abandonment and a limit
// above the servers: the weights beyond the servers are geometric with
// ratio ρ = a/n, so the truncated sum has a closed form, for any limit and
// whether or not ρ < 1.
func (q Queue) geometricBlocking(limit int) (float64, error) {
	n := q.Servers
	if n > maxStates {
		return 0, fmt.Errorf("%d agents are more than the planner models", n)
	}
	logL := math.Log(q.Lambda)
	lw := make([]float64, n+1)
	for k := 1; k <= n; k++ {
		lw[k] = lw[k-1] + logL - math.Log(q.death(k))
	}
	// log of the weights' sum: Σ_{k<n} w_k + w_n·Σ_{j=0}^{limit−n} ρ^j, and
	// of w_limit = w_n·ρ^(limit−n).
	rho := q.Offered() / float64(n)
	m := float64(limit - n)
	var logGeo float64
	switch {
	case math.Abs(rho-1) < 1e-12:
		logGeo = math.Log(m + 1)
	case rho < 1:
		logGeo = math.Log1p(-math.Pow(rho, m+1)) - math.Log1p(-rho)
	default:
		// (ρ^(m+1) − 1)/(ρ − 1), in logs for large m.
		logGeo = (m+1)*math.Log(rho) + math.Log1p(-math.Pow(rho, -(m+1))) - math.Log(rho-1)
	}
	terms := append(lw[:n:n], lw[n]+logGeo)
	top := terms[0]
	for _, v := range terms {
		top = math.Max(top, v)
	}
	var sum float64
	for _, v := range terms {
		sum += math.Exp(v - top)
	}
	return math.Exp(lw[n] + m*math.Log(rho) - top - math.Log(sum)), nil
}

// AbandonShare returns, for an Erlang A queue, the share of callers who
// abandon: θ·E[waiting]/λ. It is zero without abandonment.
func (q Queue) AbandonShare(d Dist) float64 {
	if q.Theta <= 0 || q.Lambda <= 0 || q.Servers < 0 {
		return 0
	}
	var wait float64
	for k := q.Servers + 1; k < len(d.P); k++ {
		wait += float64(k-q.Servers) * d.P[k]
	}
	return q.Theta * wait / q.Lambda
}

// AnsweredWithin returns the share of arriving callers answered within t
// seconds when at most limit may be in the system (limit < 0: no limit):
// those who find an agent free, and those who find j callers waiting ahead
// and are answered before t and before their own patience runs out. A
// caller refused at the limit is not answered. For the waiting ones the
// planner solves the small chain "j ahead, j−1 ahead, …, answered" (each
// step at rate n·μ + i·θ, the caller abandoning at θ) by uniformization.
// Without abandonment and without a limit it is Erlang C's
// 1 − C·e^(−(n−A)·μ·t). ok is false when the queue has no stationary
// distribution under the limit the planner can walk.
func (q Queue) AnsweredWithin(t float64, limit int) (sl float64, ok bool) {
	if q.validate() != nil || q.Servers < 0 || !(t >= 0) {
		return 0, false
	}
	if q.Lambda == 0 {
		return 1, true
	}
	var p []float64
	switch {
	case q.Stable():
		d, err := q.Stationary()
		if err != nil {
			return 0, false
		}
		p = d.P
		if d.Ratio > 0 {
			// Walk the geometric tail out to where it is negligible.
			for r, v := d.Ratio, d.P[len(d.P)-1]*d.Ratio; v > 1e-16 && len(p) < maxStates; v *= r {
				p = append(p, v)
			}
		}
		if limit >= 0 && limit < len(p) {
			p = p[:limit+1]
			var s float64
			for _, v := range p {
				s += v
			}
			for i := range p {
				p[i] /= s
			}
		}
	case limit >= 0 && limit <= maxStates:
		d, err := q.Limited(limit)
		if err != nil {
			return 0, false
		}
		p = d.P
	default:
		return 0, false
	}
	last := len(p) // states an arrival can join: below the limit
	if limit >= 0 && limit < len(p) {
		last = limit
	}
	n := q.Servers
	for k := 0; k < min(n, last); k++ {
		sl += p[k]
	}
	if last <= n {
		return sl, true
	}
	u, ok := q.servedWithin(t, last-n-1)
	if !ok {
		return 0, false
	}
	for j := 0; n+j < last; j++ {
		sl += p[n+j] * u[j]
	}
	return math.Min(1, sl), true
}

// servedWithin returns, for j = 0..maxJ callers ahead, the chance that a
// waiting caller is answered within t, by uniformization of the chain of
// stages j, j−1, …, 0, answered, with abandonment at θ from every stage.
// ok is false when that would take more than maxSLWork steps.
func (q Queue) servedWithin(t float64, maxJ int) ([]float64, bool) {
	nmu := float64(q.Servers) * q.Mu
	rate := func(i int) float64 { return nmu + float64(i)*q.Theta } // stage i → i−1 (or answered)
	big := rate(maxJ) + q.Theta
	if big <= 0 {
		return make([]float64, maxJ+1), true
	}
	lt := big * t
	steps := int(lt+10*math.Sqrt(lt)+30) + 1
	if float64(steps)*float64(maxJ+1) > maxSLWork {
		return nil, false
	}
	s := make([]float64, maxJ+1) // P(answered within the jumps so far | stage)
	next := make([]float64, maxJ+1)
	u := make([]float64, maxJ+1)
	for step := 1; step <= steps; step++ {
		for i := 0; i <= maxJ; i++ {
			down := rate(i) / big
			stay := 1 - down - q.Theta/big
			below := 1.0
			if i > 0 {
				below = s[i-1]
			}
			next[i] = down*below + stay*s[i]
		}
		s, next = next, s
		lw, _ := math.Lgamma(float64(step) + 1)
		w := math.Exp(-lt + float64(step)*math.Log(lt) - lw)
		// u(t) = Σ_n P(N(t) = n)·s_n: s is non-decreasing in n, so add
		// the weight of exactly n jumps times s_n.
		for i := range u {
			u[i] += w * s[i]
		}
	}
	return u, true
}

// maxSLWork bounds the steps × stages of one service-level computation.
const maxSLWork = 20_000_000

// CallsCounted returns the distribution of what Amazon Connect counts
// against concurrent calls when a share of the arrivals are callbacks: the
// callers being handled (calls and callbacks offered to agents) plus the
// calls waiting, but not the callbacks waiting in their callback queue,
// which count only once offered. Of the k − servers waiting in state k,
// each is a call with probability share (arrivals are a Poisson mixture,
// served first come first served), so the count is
// min(k, servers) + Binomial(k − servers, share). A geometric waiting line
// (Erlang C) stays geometric: with q = 1 − share, P(n) becomes
// P(n)/(1 − r·q) and the ratio share·r/(1 − r·q). share must be in [0, 1];
// 1 returns d.
func (d Dist) CallsCounted(servers int, share float64) Dist {
	if share >= 1 || servers < 0 || servers >= len(d.P) && d.Ratio == 0 {
		return d
	}
	q := 1 - share
	if d.Ratio > 0 && servers == len(d.P)-1 {
		p := append([]float64(nil), d.P...)
		rq := d.Ratio * q
		p[servers] /= 1 - rq
		return Dist{P: p, Ratio: share * d.Ratio / (1 - rq)}
	}
	// Explicit waiting states (Erlang A): mix each state's binomial,
	// computed in log space so that long lines never underflow.
	out := make([]float64, len(d.P))
	copy(out, d.P[:servers+1])
	logP, logQ := math.Log(share), math.Log(q)
	for k := servers + 1; k < len(d.P); k++ {
		w := k - servers
		if d.P[k] == 0 {
			continue
		}
		if share == 0 {
			out[servers] += d.P[k]
			continue
		}
		lp := float64(w) * logQ // b = 0
		for b := 0; b <= w; b++ {
			if b > 0 {
				lp += math.Log(float64(w-b+1)/float64(b)) + logP - logQ
			}
			out[servers+b] += d.P[k] * math.Exp(lp)
		}
	}
	return Dist{P: out}
}
