package headroom

import (
	"context"
	"fmt"
	"time"
)

// MaxHistoryPoints is the most points one History call returns.
const MaxHistoryPoints = 2000

// historyLateness is how long after a minute a sample of it may still
// arrive (another node's recording pass runs up to a minute later, and may
// be slow): an hour is rolled up on every maintenance pass until that long
// after its end, then no more.
const historyLateness = 10 * time.Minute

// UsageHistory is one series of a quota's usage over time, as History
// returns it.
type UsageHistory struct {
	Account string
	Code    string
	// Name and Kind are the quota's.
	Name  string
	Kind  Kind
	Scope string
	// Applied is the quota's applied value now, the ceiling the series is
	// read against.
	Applied Applied
	// Step is the length of each point; From is the start of the first
	// point (the asked from, rounded down to the step) and To the end
	// asked for.
	Step     time.Duration
	From, To time.Time
	// Points are every step from From to To, oldest first; a step with no
	// record has zero usage.
	Points []HistoryPoint
}

// HistoryService reads and records usage history.
type HistoryService interface {
	History(ctx context.Context, account, code, scope string, from, to time.Time, step time.Duration) (UsageHistory, error)
	RecordHistory(ctx context.Context) (int, error)
}

// countRate counts a rate decision for the usage history, unless history
// is off, the take failed, or it was an anonymous take of an extra quota.
func (e *Engine) countRate(q *Quota, account, scope string, res RateResult, err error) {
	if e.noHistory || e.counter != nil || err != nil || account == "" {
		return
	}
	e.tally.add(tallyKey{q: q, account: account, scope: scope}, res.Allowed)
}

// RecordHistory runs one recording pass: it samples every account's
// non-zero usage counters and live lease counts (Store.ListUsage) at the
// engine clock's current minute, adds the rate decisions this engine made
// since the last pass, and stores them (Store.RecordHistory). It returns
// the number of samples. With Config.NoHistory it records nothing. If the
// store fails, the rate decisions are kept for the next pass. It is safe
// for concurrent use, and several nodes may record the same minute.
func (e *Engine) RecordHistory(ctx context.Context) (int, error) {
	if e.noHistory {
		return 0, nil
	}
	now := e.clock.Now()
	minute := HistoryMinuteOf(now)
	at := HistoryMinuteTime(minute)
	accounts, err := e.store.ListAccounts(ctx)
	if err != nil {
		return 0, fmt.Errorf("record history: %w", err)
	}
	var samples []HistorySample
	for _, a := range accounts {
		usage, err := e.store.ListUsage(ctx, a.ID, now)
		if err != nil {
			return 0, fmt.Errorf("record history of %s: %w", a.ID, err)
		}
		for _, u := range usage {
			samples = append(samples, HistorySample{Key: u.Key, Minute: at, Used: u.Used})
		}
	}
	samples = e.tally.drain(samples, minute)
	if e.counter != nil {
		samples = e.counter.DrainDecisions(samples, at)
	}
	if len(samples) == 0 {
		return 0, nil
	}
	if err := e.store.RecordHistory(ctx, samples); err != nil {
		e.tally.putBack(samples)
		return 0, fmt.Errorf("record history: %w", err)
	}
	return len(samples), nil
}

// maintainHistory rolls up the complete hours within the minute retention
// that are not final yet (each until historyLateness after its end; every
// such hour on an engine's first pass) and purges history past its
// retention. It returns the rows purged.
func (e *Engine) maintainHistory(ctx context.Context, now time.Time) (int64, error) {
	if !e.noHistory {
		current := HistoryHourOf(now)
		start := max(e.rolledThrough.Load()+1, HistoryHourOf(now.Add(-MinuteHistoryRetention)))
		for h := start; h < current; h++ {
			if _, err := e.store.RollupHistory(ctx, HistoryHourTime(h)); err != nil {
				return 0, fmt.Errorf("roll up history: %w", err)
			}
			if now.Sub(HistoryHourTime(h+1)) >= historyLateness {
				for {
					old := e.rolledThrough.Load()
					if old >= h || e.rolledThrough.CompareAndSwap(old, h) {
						break
					}
				}
			}
		}
	}
	n, err := e.store.PurgeHistory(ctx, now.Add(-MinuteHistoryRetention), now.Add(-HourHistoryRetention))
	if err != nil {
		return n, fmt.Errorf("purge history: %w", err)
	}
	return n, nil
}

// History returns a quota's usage in one scope from from to to, in points
// of step: for steps under an hour from the minute rows (kept for
// MinuteHistoryRetention), else from the hour rows, the recent hours not
// rolled up yet computed from their minutes. Each point has the highest
// value in the step and the mean over the step (over the part elapsed, for
// the step holding now), and for rate quotas the decisions allowed and
// throttled. Errors: EUNKNOWNQUOTA; EWRONGKIND for a quota that counts no
// usage (size, duration, set); EINVALID for a scope that is not a counted
// one of the quota, from not before to, a step that is not a whole number
// of minutes (of hours, from an hour up), more than MaxHistoryPoints
// points, or minute steps reaching past the minute retention;
// EUNKNOWNACCOUNT.
func (e *Engine) History(ctx context.Context, account, code, scope string, from, to time.Time, step time.Duration) (UsageHistory, error) {
	q, err := e.quota(code)
	if err != nil {
		return UsageHistory{}, err
	}
	if q.Kind != KindRate && q.rule().usage == nil {
		return UsageHistory{}, &Error{Code: EWRONGKIND, Field: "code", Message: fmt.Sprintf(
			"%s (%s) is a %s quota, which counts no usage and has no history", q.Name, q.Code, q.Kind)}
	}
	if scope == "" {
		scope = ScopeAccount
	}
	if err := q.Scope.Match(scope, false); err != nil {
		return UsageHistory{}, err
	}
	if err := checkHistoryRange(from, to, step); err != nil {
		return UsageHistory{}, err
	}
	acct, err := e.store.FindAccount(ctx, account)
	if err != nil {
		return UsageHistory{}, err
	}
	applied, err := e.resolve(ctx, &acct, q, scope)
	if err != nil {
		return UsageHistory{}, err
	}
	now := e.clock.Now()
	from = from.UTC().Truncate(step)
	if step < HistoryHour && from.Before(now.Add(-MinuteHistoryRetention)) {
		return UsageHistory{}, FieldErrorf("from", "minute history is kept for %s; ask for a step of 1h or more, or a range within the last %s",
			MinuteHistoryRetention, MinuteHistoryRetention)
	}
	h := UsageHistory{Account: account, Code: q.Code, Name: q.Name, Kind: q.Kind, Scope: scope, Applied: applied,
		Step: step, From: from, To: to.UTC()}
	key := UsageKey{Account: account, Code: q.Code, Scope: scope}
	var rows []HistoryPoint
	unit := HistoryMinute
	if step < HistoryHour {
		rows, err = e.store.ListHistory(ctx, key, HistoryMinute, from, to)
	} else {
		unit = HistoryHour
		rows, err = e.hourRows(ctx, key, from, to, now)
	}
	if err != nil {
		return UsageHistory{}, fmt.Errorf("history of %s: %w", code, err)
	}
	h.Points = aggregateHistory(rows, unit, from, to, step, now)
	return h, nil
}

// checkHistoryRange checks History's range and step.
func checkHistoryRange(from, to time.Time, step time.Duration) error {
	switch {
	case from.IsZero() || to.IsZero():
		return FieldErrorf("from", "history needs a from and a to time")
	case !from.Before(to):
		return FieldErrorf("from", "from %s is not before to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	case step < HistoryMinute || step%HistoryMinute != 0:
		return FieldErrorf("step", "step %s is not a whole number of minutes", step)
	case step > HistoryHour && step%HistoryHour != 0:
		return FieldErrorf("step", "step %s is over an hour and not a whole number of hours", step)
	}
	// Sub saturates rather than overflows, and n is counted without adding
	// to it, for ranges of centuries.
	span := to.Sub(from.UTC().Truncate(step))
	n := span / step
	if span%step != 0 {
		n++
	}
	if n > MaxHistoryPoints {
		return FieldErrorf("step", "%s from %s to %s is %d points; at most %d points may be asked for, so use a larger step",
			step, from.Format(time.RFC3339), to.Format(time.RFC3339), n, MaxHistoryPoints)
	}
	return nil
}

// hourRows returns the hour rows of key from from to to, completing the
// hours without a row that are within the minute retention (the hours not
// rolled up yet, and the current one) from their minute rows.
func (e *Engine) hourRows(ctx context.Context, key UsageKey, from, to, now time.Time) ([]HistoryPoint, error) {
	rows, err := e.store.ListHistory(ctx, key, HistoryHour, from, to)
	if err != nil {
		return nil, err
	}
	have := make(map[int64]bool, len(rows))
	for _, r := range rows {
		have[HistoryHourOf(r.Time)] = true
	}
	first := max(HistoryHourOf(from), HistoryHourOf(now.Add(-MinuteHistoryRetention))+1)
	last := min(HistoryHourOf(to.Add(-time.Nanosecond)), HistoryHourOf(now))
	missing := int64(-1 << 62)
	for hr := first; hr <= last; hr++ {
		if !have[hr] {
			missing = hr
			break
		}
	}
	if missing < first {
		return rows, nil
	}
	minutes, err := e.store.ListHistory(ctx, key, HistoryMinute, HistoryHourTime(missing), HistoryHourTime(last+1))
	if err != nil {
		return nil, err
	}
	byHour := map[int64][]HistoryPoint{}
	for _, m := range minutes {
		hr := HistoryHourOf(m.Time)
		if !have[hr] {
			byHour[hr] = append(byHour[hr], m)
		}
	}
	current := HistoryHourOf(now)
	for hr, ms := range byHour {
		p := RollupHour(HistoryHourTime(hr), ms)
		if hr == current {
			// The hour so far: its mean is over the minutes elapsed.
			elapsed := now.Sub(HistoryHourTime(hr))/HistoryMinute + 1
			p.Mean = p.Mean * 60 / float64(elapsed)
		}
		rows = append(rows, p)
	}
	return rows, nil
}

// aggregateHistory puts rows of one unit (a minute or an hour) into the
// points of step from from to to: the highest Max, the mean of the Means
// over the step's units (over those elapsed, for the step holding now), the
// sums of the decisions.
func aggregateHistory(rows []HistoryPoint, unit time.Duration, from, to time.Time, step time.Duration, now time.Time) []HistoryPoint {
	n := int((to.Sub(from) + step - 1) / step)
	points := make([]HistoryPoint, n)
	sums := make([]float64, n)
	for i := range points {
		points[i].Time = from.Add(time.Duration(i) * step)
	}
	for _, r := range rows {
		d := r.Time.Sub(from)
		if d < 0 {
			continue
		}
		i := int(d / step)
		if i >= n {
			continue
		}
		p := &points[i]
		p.Max = max(p.Max, r.Max)
		p.Allowed += r.Allowed
		p.Throttled += r.Throttled
		sums[i] += r.Mean
	}
	units := step / unit
	for i := range points {
		div := units
		if start := points[i].Time; !now.Before(start) && now.Before(start.Add(step)) {
			div = now.Sub(start)/unit + 1
		}
		points[i].Mean = sums[i] / float64(div)
	}
	return points
}
