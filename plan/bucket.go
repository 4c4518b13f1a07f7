package plan

import "math"

// BucketThrottle returns the share of requests a token bucket throttles
// when they arrive as a Poisson stream of lambda per second, the bucket
// refilling at rate tokens per second up to burst, each request taking one
// token if one is there. The fluid figure 1 − rate/lambda is its limit for
// heavy traffic; Poisson bursts throttle more, and some requests are
// throttled even below the rate.
//
// Method: tokens are counted in 1/m parts and time in steps of 1/(rate·m),
// one part refilling per step, Poisson(λ/(rate·m)) requests arriving after
// it. Tokens rise by at most one part a step, so the chain's stationary
// distribution follows from the balance across each cut between x and x+1,
// from the full bucket down: π(x)·P(x→x+1) = Σ_{y>x} π(y)·P(y→≤x), with no
// linear system to solve. The step's order (refill, then requests) is
// within 1/m of a token of the continuous bucket; m is 64 for bursts up to
// 64, fewer parts above, and bursts above 1,000 count as 1,000 (the share
// no longer depends on them). It is safe for concurrent use.
func BucketThrottle(lambda, rate float64, burst int64) float64 {
	return bucketThrottle(lambda, rate, burst, 0)
}

// bucketThrottle is BucketThrottle with parts per token, or the default
// for parts = 0.
func bucketThrottle(lambda, rate float64, burst int64, parts int) float64 {
	switch {
	case !(lambda > 0) || math.IsInf(lambda, 0):
		return 0
	case !(rate > 0) || burst < 1:
		return 1
	}
	b := int(min(burst, 1_000))
	m := max(4, min(64, 4096/b))
	if parts > 0 {
		m = parts
	}
	top := b * m
	mean := lambda / (rate * float64(m))
	// Poisson(mean) tail: tail[j] = P(k ≥ j), for j up to where it vanishes.
	maxK := int(mean+12*math.Sqrt(mean)+30) + 1
	pk := make([]float64, maxK+1)
	pk[0] = math.Exp(-mean)
	if pk[0] == 0 {
		// Hundreds of requests a step: the bucket is always empty.
		return math.Max(0, 1-rate/lambda)
	}
	for k := 1; k <= maxK; k++ {
		pk[k] = pk[k-1] * mean / float64(k)
	}
	tail := make([]float64, maxK+2)
	for j := maxK; j >= 0; j-- {
		tail[j] = tail[j+1] + pk[j]
	}
	tailAt := func(j int) float64 {
		if j > maxK {
			return 0
		}
		return tail[j]
	}
	// cum[a] = Σ_{j=1}^{a} P(k ≥ j) = E[min(k, a)]: served from a tokens.
	cum := make([]float64, b+1)
	for a := 1; a <= b; a++ {
		cum[a] = cum[a-1] + tailAt(a)
	}
	// suf[v] sums π over the states whose tokens after the refill are ≥ v
	// (y+1, or top for the full bucket), filled from the top down.
	pi := make([]float64, top+1)
	suf := make([]float64, top+2)
	pi[top] = 1
	suf[top] = 1
	for x := top - 1; x >= 0; x-- {
		if x+1 < top {
			suf[x+1] = suf[x+2] // no state above x has x+1 tokens after the refill
		}
		// States y > x reach ≤ x by serving j requests, j·m ≥ y' − x.
		var flow float64
		for j := 1; x+(j-1)*m+1 <= top; j++ {
			lo, hi := max(x+(j-1)*m+1, j*m), min(x+j*m, top)
			if lo <= hi {
				flow += tailAt(j) * (suf[lo] - suf[hi+1])
			}
		}
		up := 1.0 // x → x+1: no request served
		if x+1 >= m {
			up = pk[0]
		}
		pi[x] = flow / up
		suf[x+1] += pi[x]
		if pi[x] > 1e250 {
			for i := range pi {
				pi[i] *= 1e-250
				suf[i] *= 1e-250
			}
		}
	}
	var sum, served float64
	for y, p := range pi {
		sum += p
		served += p * cum[min(y+1, top)/m]
	}
	return math.Max(0, 1-served/sum/mean)
}
