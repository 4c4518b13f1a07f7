package headroom

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"
)

// rateRule: a token bucket with a refill rate per second and a burst,
// shared per account or per instance as the seed says. Its state is in the
// Limiter, not the store, so it has no stored usage.
var rateRule = kindRule{
	kind:       KindRate,
	ops:        opBits(OpTake),
	units:      []Unit{UnitPerSecond},
	adjustable: true,
	needs:      needAmount,
}

func (e *Engine) doRate(ctx context.Context, q *Quota, r *Request, a Applied) (Decision, error) {
	// An account-scoped bucket is one per account, shared by every user and
	// instance of it: the scope carries no user or instance.
	key := UsageKey{Account: r.Account, Code: q.Code, Scope: r.Scope}
	res, err := e.limiter.Take(ctx, key, RateLimit{Rate: a.Value, Burst: a.Burst}, r.Amount)
	e.countRate(key, res, err)
	return rateDecision(q, r, a, res, err)
}

// rateDecision turns a limiter's answer to a take into the take's decision.
func rateDecision(q *Quota, r *Request, a Applied, res RateResult, err error) (Decision, error) {
	d := baseDecision(q, r.Scope, a)
	if err != nil {
		return d, fmt.Errorf("take %s: %w", q.Code, err)
	}
	d.Allowed, d.Remaining, d.RetryAfter, d.At = res.Allowed, res.Remaining, res.RetryAfter, res.At
	if !res.Allowed {
		// Throttling is the hot denial: the message is built without fmt, and
		// the error and its denial share one allocation.
		var buf [256]byte
		b := append(buf[:0], q.Name...)
		b = append(b, " quota of "...)
		b = strconv.AppendFloat(b, a.Value, 'g', -1, 64)
		b = append(b, " per second (burst "...)
		b = strconv.AppendInt(b, a.Burst, 10)
		b = append(b, ") exceeded for "...)
		b = appendScope(b, r.Account, r.Scope)
		b = append(b, "; retry after "...)
		b = append(b, res.RetryAfter.Round(time.Millisecond).String()...)
		ed := &struct {
			e Error
			d Denial
		}{
			e: Error{Code: ETHROTTLED, Message: string(b)},
			d: Denial{QuotaCode: q.Code, QuotaName: q.Name, Scope: r.Scope, Limit: a.Value,
				Used: a.Burst - res.Remaining, Requested: r.Amount, RetryAfter: res.RetryAfter},
		}
		ed.e.Denial = &ed.d
		return d, &ed.e
	}
	return d, nil
}

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
