package plan

import (
	"math"
	"math/big"
	"testing"
)

// Reference values, and where they come from.
//
// Published: the Erlang B and Erlang C tables printed in the teletraffic
// literature (for instance the tables of ITU-T's "Teletraffic Engineering
// Handbook", Iversen, and every call-centre Erlang C table): for A = 10
// erlangs, C(11..15) = 0.6821, 0.4494, 0.2853, 0.1741, 0.1020, and
// B(10, 10) = 0.2146, B(5, 3) = 0.1101, B(2, 2) = 0.4, B(1, 1) = 0.5, to
// four places; and the worked examples of TestErlangCWorkedExamples, whose
// sources its comment names (eight more published Erlang C figures).
//
// Independent: every other case, and every Erlang A case, is checked
// against the product form of the birth-death chain summed directly in
// 512-bit floating point (bigChain below): no recurrence, no logarithms,
// nothing shared with the code under test. We found no Erlang A table we
// could quote digit for digit with certainty (Garnett, Mandelbaum and
// Reiman 2002 give theirs as plots), so Erlang A rests on that independent
// summation and on two exact identities: with patience equal to the handle
// time (θ = μ) the number in system is Poisson(A), whatever the agents; and
// as θ → 0 Erlang A tends to Erlang C.

func TestErlangCPublished(t *testing.T) {
	for _, c := range []struct {
		n    int
		a    float64
		want float64
	}{
		{11, 10, 0.6821}, {12, 10, 0.4494}, {13, 10, 0.2853}, {14, 10, 0.1741}, {15, 10, 0.1020},
	} {
		got, ok := ErlangC(c.n, c.a)
		if !ok || math.Abs(got-c.want) > 0.00005 {
			t.Errorf("C(%d, %g) = %.5f, %v; published %.4f", c.n, c.a, got, ok, c.want)
		}
	}
	for _, c := range []struct {
		n    int
		a    float64
		want float64
	}{
		{10, 10, 0.2146}, {5, 3, 0.1101}, {2, 2, 0.4}, {1, 1, 0.5},
	} {
		if got := ErlangB(c.n, c.a); math.Abs(got-c.want) > 0.00005 {
			t.Errorf("B(%d, %g) = %.5f; published %.4f", c.n, c.a, got, c.want)
		}
	}
}

// bigChain returns the stationary distribution of the birth-death chain
// (arrivals lam, service mu on n servers, patience theta) by its product
// form, in 512-bit floats, up to states where the rest is below 1e-40; for
// theta = 0 it adds the geometric tail in closed form.
func bigChain(t *testing.T, lam, mu, theta float64, n int) (p []*big.Float) {
	t.Helper()
	const prec = 512
	f := func(v float64) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(v) }
	w := []*big.Float{f(1)}
	sum := f(1)
	eps := f(1e-40)
	for k := 1; ; k++ {
		var death *big.Float
		if k <= n {
			death = f(float64(k) * mu)
		} else {
			death = new(big.Float).SetPrec(prec).Add(f(float64(n)*mu), f(float64(k-n)*theta))
		}
		next := new(big.Float).SetPrec(prec).Mul(w[k-1], f(lam))
		next.Quo(next, death)
		w = append(w, next)
		sum.Add(sum, next)
		if theta == 0 && k == n {
			// Tail: w_n·r/(1−r), r = lam/(n·mu).
			r := lam / (float64(n) * mu)
			tail := new(big.Float).SetPrec(prec).Mul(next, f(r/(1-r)))
			sum.Add(sum, tail)
			break
		}
		if k > n+10 && new(big.Float).Quo(next, sum).Cmp(eps) < 0 {
			break
		}
		if k > 200000 {
			t.Fatal("bigChain did not converge")
		}
	}
	for _, v := range w {
		p = append(p, new(big.Float).SetPrec(prec).Quo(v, sum))
	}
	return p
}

func bigAtLeast(p []*big.Float, k int) float64 {
	s := new(big.Float).SetPrec(512)
	for i := 0; i < k && i < len(p); i++ {
		s.Add(s, p[i])
	}
	v, _ := s.Float64()
	return 1 - v
}

// Erlang C against the independent summation, including agent counts where
// A^N/N! overflows a float64 many times over (N = 500, 1,000, 2,000).
func TestErlangCIndependent(t *testing.T) {
	for _, c := range []struct {
		n int
		a float64
	}{
		{1, 0.5}, {2, 1.5}, {7, 5}, {20, 15}, {50, 45}, {100, 90}, {100, 99.5}, {500, 480}, {1000, 990}, {2000, 1999}, {300, 200},
	} {
		got, ok := ErlangC(c.n, c.a)
		if !ok {
			t.Fatalf("C(%d, %g) unstable", c.n, c.a)
		}
		// P(wait) = P(X ≥ n) in the chain; the chain's tail beyond n is in
		// its sum, so P(X ≥ n) = 1 − Σ_{k<n} p_k.
		want := bigAtLeast(bigChain(t, c.a, 1, 0, c.n), c.n)
		if math.IsNaN(got) || math.Abs(got-want) > 1e-9*math.Max(1, want) {
			t.Errorf("C(%d, %g) = %.12g, want %.12g", c.n, c.a, got, want)
		}
		// The distribution built in log space agrees: P(X ≥ n) = C, and its
		// mean is A + C·A/(n − A) (Little's law on the queue).
		d, err := Queue{Lambda: c.a, Mu: 1, Servers: c.n}.Stationary()
		if err != nil {
			t.Fatal(err)
		}
		if v := d.AtLeast(c.n); math.Abs(v-want) > 1e-9 {
			t.Errorf("n=%d a=%g: P(X≥n) = %.12g, want %.12g", c.n, c.a, v, want)
		}
		mean := c.a + want*c.a/(float64(c.n)-c.a)
		if m := d.Mean(); math.Abs(m-mean) > 1e-6*mean {
			t.Errorf("n=%d a=%g: mean %.9g, want %.9g", c.n, c.a, m, mean)
		}
	}
}

// Erlang A (M/M/n+M) against the independent summation: the probability of
// waiting, the share abandoning, and the 95th and 99th percentiles.
func TestErlangAIndependent(t *testing.T) {
	for _, c := range []struct {
		lam, mu, theta float64
		n              int
	}{
		{1, 1, 0.5, 1}, {10, 1, 0.5, 9}, {10, 1, 2, 8}, {50, 1, 0.1, 50}, {100, 1, 1.0 / 3, 95},
		{100, 1, 0.05, 110}, {480, 1, 0.25, 470}, {990, 1, 0.5, 1000}, {1000, 1, 0.1, 950}, {20, 0.5, 0.2, 45},
		{5, 1, 0.01, 3},
	} {
		q := Queue{Lambda: c.lam, Mu: c.mu, Theta: c.theta, Servers: c.n}
		d, err := q.Stationary()
		if err != nil {
			t.Fatal(err)
		}
		ref := bigChain(t, c.lam, c.mu, c.theta, c.n)
		if got, want := d.AtLeast(c.n), bigAtLeast(ref, c.n); math.Abs(got-want) > 1e-9 {
			t.Errorf("%+v: P(wait) = %.12g, want %.12g", c, got, want)
		}
		var wait float64
		for k := c.n + 1; k < len(ref); k++ {
			v, _ := ref[k].Float64()
			wait += float64(k-c.n) * v
		}
		if got, want := q.AbandonShare(d), c.theta*wait/c.lam; math.Abs(got-want) > 1e-9 {
			t.Errorf("%+v: abandon %.12g, want %.12g", c, got, want)
		}
		for _, pct := range []float64{0.95, 0.99} {
			var cdf float64
			want := -1
			for k, v := range ref {
				f, _ := v.Float64()
				cdf += f
				if cdf >= pct {
					want = k
					break
				}
			}
			if got := d.Quantile(pct); got != want {
				t.Errorf("%+v: P%.0f = %d, want %d", c, 100*pct, got, want)
			}
		}
	}
}

// Exact identities of Erlang A: with θ = μ the number in system is Poisson
// with mean A whatever the agents; as θ → 0 it tends to Erlang C.
func TestErlangAIdentities(t *testing.T) {
	for _, c := range []struct {
		a float64
		n int
	}{{3, 1}, {10, 5}, {10, 15}, {200, 150}, {800, 1000}} {
		d, err := Queue{Lambda: c.a, Mu: 1, Theta: 1, Servers: c.n}.Stationary()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []int{0, int(c.a) / 2, int(c.a), int(c.a) + 3} {
			lp, _ := math.Lgamma(float64(k) + 1)
			want := math.Exp(-c.a + float64(k)*math.Log(c.a) - lp)
			if got := d.At(k); math.Abs(got-want) > 1e-12+1e-9*want {
				t.Errorf("a=%g n=%d: P(%d) = %.12g, Poisson %.12g", c.a, c.n, k, got, want)
			}
		}
	}
	for _, n := range []int{11, 15, 100} {
		a := float64(n) - 1
		cWant, _ := ErlangC(n, a)
		d, err := Queue{Lambda: a, Mu: 1, Theta: 1e-7, Servers: n}.Stationary()
		if err != nil {
			t.Fatal(err)
		}
		if got := d.AtLeast(n); math.Abs(got-cWant) > 1e-3 {
			t.Errorf("n=%d: Erlang A with θ→0 waits %.6f, Erlang C %.6f", n, got, cWant)
		}
	}
}

// Blocking at a limit equal to the agents is Erlang B (M/M/n/n), and it
// stays finite and exact for an unstable queue, which a limit truncates.
func TestBlocking(t *testing.T) {
	for _, c := range []struct {
		n int
		a float64
	}{{1, 1}, {10, 10}, {50, 40}, {1000, 990}, {1000, 1500}} {
		got, err := Queue{Lambda: c.a, Mu: 1, Servers: c.n}.Blocking(c.n)
		if err != nil {
			t.Fatal(err)
		}
		if want := ErlangB(c.n, c.a); math.Abs(got-want) > 1e-12 {
			t.Errorf("blocking(%d, %g) = %.12g, Erlang B %.12g", c.n, c.a, got, want)
		}
	}
	// Unstable without a limit (12 erlangs on 10 agents), but a limit of 15
	// makes the chain finite: the share refused is P(X = 15 | X ≤ 15).
	q := Queue{Lambda: 12, Mu: 1, Servers: 10}
	if q.Stable() {
		t.Fatal("12 erlangs on 10 agents is stable?")
	}
	if _, err := q.Stationary(); err == nil {
		t.Fatal("an unstable queue has a stationary distribution?")
	}
	got, _ := q.Blocking(15)
	// Weights: w_k = 12^k/k! for k ≤ 10, then w_10·1.2^(k−10).
	var w [16]float64
	w[0] = 1
	for k := 1; k <= 15; k++ {
		w[k] = w[k-1] * 12 / math.Min(float64(k), 10)
	}
	var sum float64
	for _, v := range w {
		sum += v
	}
	if want := w[15] / sum; math.Abs(got-want) > 1e-12 {
		t.Errorf("unstable queue limited at 15 refuses %.12g, want %.12g", got, want)
	}
}

// Published worked examples of Erlang C, each quoted to the places its
// source prints:
//
//   - Call Centre Helper, "Erlang C Formula – Made Simple with an Easy
//     Worked Example": 100 calls in 30 minutes, 180 s handle time (10
//     erlangs), 14 agents: the chance of waiting 17.4 %, 88.8 % answered in
//     20 s, an average speed of answer of 7.8 s, 82.6 % answered at once;
//     13 agents answer 79.6 % in 20 s.
//   - The worked example of the Erlang C web page that the Maxima "erlang"
//     package's documentation reproduces: 0.2 calls a second, 240 s calls,
//     55 agents (48 erlangs): the chance of waiting 0.2387, a mean wait of
//     8.184 s, 84.59 % waiting 15 s or less.
func TestErlangCWorkedExamples(t *testing.T) {
	near := func(what string, got, want, places float64) {
		t.Helper()
		if math.Abs(got-want) > 0.5*math.Pow(10, -places)+1e-12 {
			t.Errorf("%s = %.6f; published %.*f", what, got, int(places), want)
		}
	}
	c14, _ := ErlangC(14, 10)
	near("C(14, 10) in %", 100*c14, 17.4, 1)
	sl14, _ := ServiceLevel(14, 10, 180, 20)
	near("service level of 14 agents in %", 100*sl14, 88.8, 1)
	near("average speed of answer of 14 agents in s", c14*180/(14-10), 7.8, 1)
	near("answered at once by 14 agents in %", 100*(1-c14), 82.6, 1)
	sl13, _ := ServiceLevel(13, 10, 180, 20)
	near("service level of 13 agents in %", 100*sl13, 79.6, 1)
	c55, _ := ErlangC(55, 48)
	near("C(55, 48)", c55, 0.2387, 4)
	near("mean wait of 55 agents in s", c55*240/(55-48), 8.184, 3)
	w15, _ := ServiceLevel(55, 48, 240, 15)
	near("P(wait ≤ 15 s) of 55 agents", w15, 0.8459, 4)
}

func TestStaff(t *testing.T) {
	target := ServiceTarget{Answered: 0.8, Within: 20}
	// 100 calls in 30 minutes at 180 s: 10 erlangs. 13 agents answer
	// 79.6 % in 20 s, 14 agents 88.8 %: 14.
	n, err := Staff(10, 180, target)
	if err != nil || n != 14 {
		t.Fatalf("Staff(10 erlangs) = %d, %v; want 14", n, err)
	}
	for _, a := range []float64{0.3, 2, 7.5, 40, 333.3, 2500} {
		n, err := Staff(a, 240, target)
		if err != nil {
			t.Fatal(err)
		}
		sl, ok := ServiceLevel(n, a, 240, 20)
		prev, prevOK := ServiceLevel(n-1, a, 240, 20)
		if !ok || sl < 0.8 || (prevOK && prev >= 0.8) {
			t.Errorf("a=%g: %d agents give %.4f (%v); %d give %.4f (%v)", a, n, sl, ok, n-1, prev, prevOK)
		}
	}
	if n, err := Staff(0, 240, target); n != 0 || err != nil {
		t.Errorf("zero load: %d agents, %v", n, err)
	}
	if _, err := Staff(5, 240, ServiceTarget{Answered: 1.2, Within: 20}); err == nil {
		t.Error("a target above 100 % was taken")
	}
}

func TestDistZeroAndBadRates(t *testing.T) {
	d, err := Queue{Lambda: 0, Mu: 1, Servers: 3}.Stationary()
	if err != nil || d.Quantile(0.99) != 0 || d.AtLeast(1) != 0 || d.Mean() != 0 {
		t.Fatalf("zero traffic: %+v %v", d, err)
	}
	for _, q := range []Queue{{Lambda: -1, Mu: 1, Servers: 1}, {Lambda: math.NaN(), Mu: 1, Servers: 1}, {Lambda: 1, Mu: 0, Servers: 1},
		{Lambda: 1, Mu: 1, Theta: math.Inf(1), Servers: 1}} {
		if _, err := q.Stationary(); err == nil {
			t.Errorf("%+v: no error", q)
		}
	}
}

// The closed form past the agents agrees with the truncated chain summed
// state by state, and takes any limit: far beyond a stable queue's states
// nobody is refused; far beyond an unstable one's, 1 − n/a are (the
// surplus load).
func TestBlockingClosedForm(t *testing.T) {
	for _, c := range []struct {
		a        float64
		n, limit int
	}{{8, 9, 12}, {12, 10, 15}, {10, 10, 40}, {99.9, 100, 150}, {1500, 1000, 1200}, {3, 1, 2}} {
		q := Queue{Lambda: c.a, Mu: 1, Servers: c.n}
		got, err := q.Blocking(c.limit)
		if err != nil {
			t.Fatal(err)
		}
		d, err := q.Limited(c.limit)
		if err != nil {
			t.Fatal(err)
		}
		if want := d.P[c.limit]; math.Abs(got-want) > 1e-10 {
			t.Errorf("%+v: closed form %.12g, chain %.12g", c, got, want)
		}
	}
	if got, err := (Queue{Lambda: 8, Mu: 1, Servers: 9}).Blocking(1_000_000_000); err != nil || got > 1e-300 {
		t.Errorf("stable, limit 1e9: %v %v", got, err)
	}
	if got, err := (Queue{Lambda: 12, Mu: 1, Servers: 10}).Blocking(1_000_000_000); err != nil || math.Abs(got-(1-10.0/12)) > 1e-7 {
		t.Errorf("unstable, limit 1e9: %v %v; want %v", got, err, 1-10.0/12)
	}
	if got, err := (Queue{Lambda: 12, Mu: 1, Theta: 0.1, Servers: 10}).Blocking(1_000_000_000); err != nil || got != 0 {
		t.Errorf("abandonment, limit 1e9: %v %v", got, err)
	}
}

// The service level: without abandonment or a limit it is Erlang C's
// formula; with them it is checked against the simulation
// (simulate_test.go).
func TestAnsweredWithin(t *testing.T) {
	for _, c := range []struct {
		a    float64
		n    int
		aht  float64
		secs float64
	}{{10, 11, 180, 20}, {10, 14, 180, 20}, {40, 46, 300, 20}, {95, 100, 240, 30}, {8, 9, 300, 0}, {990, 1000, 300, 20}} {
		q := Queue{Lambda: c.a / c.aht, Mu: 1 / c.aht, Servers: c.n}
		got, ok := q.AnsweredWithin(c.secs, -1)
		want, _ := ServiceLevel(c.n, c.a, c.aht, c.secs)
		if !ok || math.Abs(got-want) > 1e-6 {
			t.Errorf("%+v: %.8f (%v), Erlang C %.8f", c, got, ok, want)
		}
	}
	// A limit of 12 on 11 agents: at most one caller waits. By hand: the
	// truncated chain's states below 11 are answered at once, a caller
	// finding 11 is first in line and answered within 20 s with chance
	// 1 − e^(−11μ·20) (no abandonment), and one finding 12 is refused.
	base := Queue{Lambda: 10.0 / 180, Mu: 1.0 / 180, Servers: 11}
	d, _ := base.Limited(12)
	want := 1 - d.P[11] - d.P[12] + d.P[11]*(1-math.Exp(-11.0/180*20))
	if got, ok := base.AnsweredWithin(20, 12); !ok || math.Abs(got-want) > 1e-9 {
		t.Errorf("limit 12: %v, want %v", got, want)
	}
	// With patience θ and one ahead: answered within t if two stages of
	// rate nμ+θ then nμ finish before t and before the caller's own
	// patience: checked by the same chain written out for j = 1.
	q := Queue{Lambda: 10.0 / 180, Mu: 1.0 / 180, Theta: 1.0 / 60, Servers: 11}
	u, ok := q.servedWithin(20, 1)
	if !ok {
		t.Fatal("servedWithin")
	}
	nmu, th := 11.0/180, 1.0/60
	// u0(t) = nμ/(nμ+θ)·(1 − e^(−(nμ+θ)t)).
	a0 := nmu + th
	if want := nmu / a0 * (1 - math.Exp(-a0*20)); math.Abs(u[0]-want) > 1e-9 {
		t.Errorf("u0 %v, want %v", u[0], want)
	}
	// u1(t) = ∫ (nμ+θ)e^(−(nμ+2θ)s)·u0(t−s) ds, in closed form.
	a1 := nmu + 2*th
	r1 := nmu + th
	want1 := r1 * nmu / a0 * ((1-math.Exp(-a1*20))/a1 - (math.Exp(-a0*20)-math.Exp(-a1*20))/(a1-a0))
	if math.Abs(u[1]-want1) > 1e-9 {
		t.Errorf("u1 %v, want %v", u[1], want1)
	}
	if _, ok := (Queue{Lambda: 12, Mu: 1, Servers: 10}).AnsweredWithin(20, -1); ok {
		t.Error("an unstable queue without a limit has a service level")
	}
}

// Conditioning the stationary distribution on X ≤ limit is the chain
// truncated at limit.
func TestTruncated(t *testing.T) {
	q := Queue{Lambda: 12, Mu: 1, Theta: 0.5, Servers: 10}
	d, err := q.Stationary()
	if err != nil {
		t.Fatal(err)
	}
	l, _ := q.Limited(14)
	tr := d.Truncated(14)
	if len(tr.P) != 15 {
		t.Fatalf("%d states", len(tr.P))
	}
	for k := range tr.P {
		if math.Abs(tr.P[k]-l.P[k]) > 1e-12 {
			t.Errorf("P(%d) = %v, truncated chain %v", k, tr.P[k], l.P[k])
		}
	}
	if got := d.Truncated(1 << 30); len(got.P) != len(d.P) {
		t.Error("a limit beyond the states truncated")
	}
}
