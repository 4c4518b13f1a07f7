package plan

import (
	"math"
	"math/rand/v2"
	"testing"
)

// BucketThrottle against a plain token bucket fed a Poisson stream, event
// by event (an independent method: no chain, no steps), and its limits.
func TestBucketThrottle(t *testing.T) {
	for _, c := range []struct {
		lambda, rate float64
		burst        int64
	}{{2, 2, 5}, {1.5, 2, 5}, {4, 2, 5}, {6, 5, 8}, {12, 10, 15}, {0.9, 1, 2}} {
		r := rand.New(rand.NewPCG(11, uint64(c.burst)))
		tokens := float64(c.burst)
		const n = 1_000_000
		thr := 0
		for i := 0; i < n; i++ {
			tokens = math.Min(float64(c.burst), tokens+r.ExpFloat64()/c.lambda*c.rate)
			if tokens >= 1 {
				tokens--
			} else {
				thr++
			}
		}
		// A million requests: a standard error under 0.0005; the model's
		// steps are within a thousandth.
		got, want := BucketThrottle(c.lambda, c.rate, c.burst), float64(thr)/n
		if math.Abs(got-want) > 0.003 {
			t.Errorf("%+v: model %.4f, token bucket %.4f", c, got, want)
		}
	}
	// The steps: 64 parts a token are within a thousandth of 1,024.
	if a, b := BucketThrottle(2, 2, 5), bucketThrottle(2, 2, 5, 1024); math.Abs(a-b) > 0.001 {
		t.Errorf("64 parts %v, 1024 parts %v", a, b)
	}
	if v := BucketThrottle(1e6, 2, 5); math.Abs(v-(1-2e-6)) > 1e-6 {
		t.Errorf("flooded: %v", v)
	}
	if BucketThrottle(0, 2, 5) != 0 || BucketThrottle(1, 2, 0) != 1 || BucketThrottle(0.01, 100, 100) > 1e-9 {
		t.Error("limits")
	}
	prev := 0.0
	for l := 0.5; l < 10; l += 0.5 {
		v := BucketThrottle(l, 2, 5)
		if v < prev || v < 1-2/l-1e-9 {
			t.Errorf("at %v/s: %v (previous %v)", l, v, prev)
		}
		prev = v
	}
}
