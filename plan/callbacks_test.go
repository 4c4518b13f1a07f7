package plan

import (
	"math"
	"testing"
)

// explicit returns d with its geometric tail written out as states, up to
// where they are negligible, so that CallsCounted takes its general path.
func explicit(d Dist) Dist {
	p := append([]float64(nil), d.P...)
	for v := p[len(p)-1] * d.Ratio; d.Ratio > 0 && v > 1e-18; v *= d.Ratio {
		p = append(p, v)
	}
	return Dist{P: p}
}

// TestCallsCounted: callbacks waiting are not counted. The geometric
// closed form (Erlang C) agrees with the general binomial mixing of the
// same distribution written out; the mass is kept; the mean drops by the
// callbacks' share of the waiting line; share 1 changes nothing and share 0
// never counts beyond the agents.
func TestCallsCounted(t *testing.T) {
	for _, tc := range []struct {
		n     int
		a     float64
		share float64
	}{{10, 8, 0.9}, {10, 9.5, 0.5}, {50, 47, 0.95}, {3, 2.5, 0.25}, {200, 190, 0.8}} {
		d, err := Queue{Lambda: tc.a, Mu: 1, Servers: tc.n}.Stationary()
		if err != nil {
			t.Fatal(err)
		}
		if d.Ratio == 0 {
			t.Fatalf("n=%d a=%g: want a geometric tail for this test", tc.n, tc.a)
		}
		closed := d.CallsCounted(tc.n, tc.share)
		mixed := explicit(d).CallsCounted(tc.n, tc.share)
		for _, k := range []int{0, tc.n / 2, tc.n, tc.n + 1, tc.n + 5, tc.n + 40} {
			if g, w := closed.At(k), mixed.At(k); math.Abs(g-w) > 1e-12+1e-9*w {
				t.Errorf("n=%d a=%g share=%g: P(counted=%d) closed form %.12g, mixing %.12g", tc.n, tc.a, tc.share, k, g, w)
			}
		}
		if q := closed.Quantile(0.99); q != mixed.Quantile(0.99) {
			t.Errorf("n=%d a=%g: P99 closed form %d, mixing %d", tc.n, tc.a, q, mixed.Quantile(0.99))
		}
		var mass float64
		for k := 0; k < len(mixed.P); k++ {
			mass += mixed.P[k]
		}
		if math.Abs(mass-1) > 1e-9 || math.Abs(closed.AtLeast(0)-1) > 1e-12 {
			t.Errorf("n=%d a=%g: mass %g, want 1", tc.n, tc.a, mass)
		}
		// E[counted] = E[min(X, n)] + share·E[(X − n)+].
		var busy, waiting float64
		e := explicit(d)
		for k, v := range e.P {
			busy += float64(min(k, tc.n)) * v
			waiting += float64(max(k-tc.n, 0)) * v
		}
		if g, w := closed.Mean(), busy+tc.share*waiting; math.Abs(g-w) > 1e-9*w {
			t.Errorf("n=%d a=%g share=%g: mean counted %g, want %g", tc.n, tc.a, tc.share, g, w)
		}
		if same := d.CallsCounted(tc.n, 1); same.At(tc.n+3) != d.At(tc.n+3) {
			t.Errorf("share 1 changed the distribution")
		}
		if none := d.CallsCounted(tc.n, 0); none.AtLeast(tc.n+1) > 1e-15 {
			t.Errorf("share 0 counts %g beyond the agents", none.AtLeast(tc.n+1))
		}
	}
	// Erlang A (explicit waiting states): the mean follows the same rule.
	d, err := Queue{Lambda: 12, Mu: 1, Theta: 0.5, Servers: 10}.Stationary()
	if err != nil {
		t.Fatal(err)
	}
	c := d.CallsCounted(10, 0.7)
	var busy, waiting float64
	for k, v := range d.P {
		busy += float64(min(k, 10)) * v
		waiting += float64(max(k-10, 0)) * v
	}
	if g, w := c.Mean(), busy+0.7*waiting; math.Abs(g-w) > 1e-9*w {
		t.Fatalf("Erlang A: mean counted %g, want %g", g, w)
	}
	if c.Quantile(0.99) >= d.Quantile(0.99) && d.Quantile(0.99) > 10 {
		t.Fatalf("Erlang A: P99 counted %d, not below the chain's %d", c.Quantile(0.99), d.Quantile(0.99))
	}
}
