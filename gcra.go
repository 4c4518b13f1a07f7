package headroom

import "math"

// The token-bucket arithmetic every Limiter shares: GCRA (the generic cell
// rate algorithm) over a bucket's theoretical arrival time (TAT). Keeping it
// here means an in-process limiter and a distributed one refuse the same
// inputs and grant the same tokens.

// RateInterval returns the emission interval of a rate in nanoseconds,
// rounded up so that a limiter never grants faster than the rate.
func RateInterval(rate float64) int64 {
	return int64(math.Ceil(1e9 / rate))
}

// CheckTake validates a Take's arguments: an *Error of code EINVALID for a
// rate that is not a positive number, a burst below one, a bucket spanning
// more than 70 years, n < 1 or n > Burst.
func CheckTake(limit RateLimit, n int64) error {
	if !(limit.Rate > 0) || math.IsInf(limit.Rate, 0) {
		return FieldErrorf("rate", "must be a positive number, got %v", limit.Rate)
	}
	if limit.Burst < 1 {
		return FieldErrorf("burst", "must be at least 1, got %d", limit.Burst)
	}
	if float64(limit.Burst)*1e9/limit.Rate > 1<<61 {
		return FieldErrorf("rate", "a burst of %d at %v per second spans more than 70 years", limit.Burst, limit.Rate)
	}
	if n < 1 {
		return FieldErrorf("amount", "must be at least 1, got %d", n)
	}
	if n > limit.Burst {
		return FieldErrorf("amount", "%d tokens can never be granted by a bucket of burst %d", n, limit.Burst)
	}
	return nil
}

// DecideRate is the bucket arithmetic. Given the bucket's TAT and the time
// now (both unix nanoseconds), it decides whether n tokens may be taken, and
// returns the new TAT, the whole tokens remaining and, for a denial, the
// nanoseconds until the request would succeed. A full bucket holds no more
// than burst tokens, so a TAT in the past counts as now.
func DecideRate(tat, now, interval, burst, n int64) (allowed bool, newTAT, remaining, retryAfter int64) {
	if tat < now {
		tat = now
	}
	newTAT = tat + n*interval
	horizon := now + burst*interval
	if newTAT > horizon {
		return false, tat, (horizon - tat) / interval, newTAT - horizon
	}
	return true, newTAT, (horizon - newTAT) / interval, 0
}
