package headroom

import (
	"context"
	"math"
	"time"
)

// Usage history resolutions and how long each is kept: every usage
// counter's value at one-minute resolution for 48 hours, and hourly maximum
// and mean for 90 days.
const (
	HistoryMinute          = time.Minute
	HistoryHour            = time.Hour
	MinuteHistoryRetention = 48 * time.Hour
	HourHistoryRetention   = 90 * 24 * time.Hour
)

// HistorySample is one minute of one series: a usage counter's (or lease
// count's) value sampled in that minute, and for a rate quota the decisions
// allowed and throttled in it.
type HistorySample struct {
	Key UsageKey
	// Minute is the start of the minute, in UTC, truncated to the minute.
	Minute time.Time
	// Used is the counter's value at the sample. Samples of one minute from
	// several nodes keep the highest.
	Used int64
	// Allowed and Throttled are rate decisions counted by one node in the
	// minute; samples of one minute from several nodes add up.
	Allowed, Throttled int64
}

// HistoryPoint is one step of a series, at minute or hour resolution.
type HistoryPoint struct {
	// Time is the start of the step, in UTC.
	Time time.Time
	// Max and Mean are the highest and the average value in the step; a
	// minute missing from the record counts as zero usage, since only
	// non-zero counters are sampled.
	Max  int64
	Mean float64
	// Allowed and Throttled are the rate decisions in the step.
	Allowed, Throttled int64
}

// HistoryStore keeps usage history. Writes are idempotent per minute and
// hour, so that several nodes may record and roll up the same series.
// Implementations must be safe for concurrent use.
type HistoryStore interface {
	// RecordHistory stores samples: per (key, minute), Used keeps the
	// highest value seen and Allowed/Throttled add up.
	RecordHistory(ctx context.Context, samples []HistorySample) error
	// RollupHistory computes the hour rows of the hour starting at hour
	// from its minute rows (max, mean over 60 minutes, sums), replacing
	// any earlier rollup of that hour, and returns how many series it
	// wrote.
	RollupHistory(ctx context.Context, hour time.Time) (int64, error)
	// ListHistory returns a series' points at resolution (HistoryMinute
	// or HistoryHour) with from <= Time < to, oldest first; EINVALID for
	// another resolution.
	ListHistory(ctx context.Context, key UsageKey, resolution time.Duration, from, to time.Time) ([]HistoryPoint, error)
	// ListThrottled returns the minute rows of an account's series with
	// throttled decisions, minute >= from and < to, as samples with
	// Minute and Throttled set, ordered by code, scope, minute. Throttle
	// alarms read an account's throttling with it in one call.
	ListThrottled(ctx context.Context, account string, from, to time.Time) ([]HistorySample, error)
	// PurgeHistory removes minute rows before minutesBefore and hour rows
	// before hoursBefore, and returns how many rows it removed.
	PurgeHistory(ctx context.Context, minutesBefore, hoursBefore time.Time) (int64, error)
}

// HistoryMinuteOf returns the minute t falls in, as whole minutes since the
// Unix epoch (rounded down, also before 1970): the compact timestamp the
// stores keep minute rows under.
func HistoryMinuteOf(t time.Time) int64 {
	s := t.Unix()
	m := s / 60
	if s%60 < 0 {
		m--
	}
	return m
}

// HistoryHourOf returns the hour t falls in, as whole hours since the Unix
// epoch (rounded down): the timestamp of hour rows.
func HistoryHourOf(t time.Time) int64 {
	m := HistoryMinuteOf(t)
	h := m / 60
	if m%60 < 0 {
		h--
	}
	return h
}

// HistoryMinuteTime is the inverse of HistoryMinuteOf: the start of the
// minute m, in UTC.
func HistoryMinuteTime(m int64) time.Time { return time.Unix(m*60, 0).UTC() }

// HistoryHourTime is the inverse of HistoryHourOf: the start of the hour h,
// in UTC.
func HistoryHourTime(h int64) time.Time { return time.Unix(h*3600, 0).UTC() }

// CheckHistoryResolution returns an EINVALID error unless resolution is
// HistoryMinute or HistoryHour.
func CheckHistoryResolution(resolution time.Duration) error {
	if resolution != HistoryMinute && resolution != HistoryHour {
		return FieldErrorf("resolution", "history resolution %s is neither 1m nor 1h", resolution)
	}
	return nil
}

// MergeHistorySamples checks samples and merges those of one series and
// minute as a store keeps them (the highest Used, the sum of Allowed and
// Throttled), with each Minute truncated to its minute in UTC, so that a
// store can write each (series, minute) once per call. It returns EINVALID,
// naming the first bad sample, for an empty account or code, a zero Minute
// or one whose minute since the Unix epoch does not fit 32 bits (beyond
// 1970 ± 4000 years, so that stores may keep minutes as 32-bit integers),
// or a negative count; the input is not modified. The result keeps the
// order of each series and minute's first sample.
func MergeHistorySamples(samples []HistorySample) ([]HistorySample, error) {
	type slot struct {
		key    UsageKey
		minute int64
	}
	out := make([]HistorySample, 0, len(samples))
	at := make(map[slot]int, len(samples))
	for i, s := range samples {
		switch {
		case s.Key.Account == "" || s.Key.Code == "":
			return nil, FieldErrorf("samples", "history sample %d has no account or code", i)
		case s.Minute.IsZero():
			return nil, FieldErrorf("samples", "history sample %d of %s/%s has no minute", i, s.Key.Code, s.Key.Scope)
		case s.Used < 0 || s.Allowed < 0 || s.Throttled < 0:
			return nil, FieldErrorf("samples", "history sample %d of %s/%s has a negative count", i, s.Key.Code, s.Key.Scope)
		}
		m := HistoryMinuteOf(s.Minute)
		if m < math.MinInt32 || m > math.MaxInt32 {
			return nil, FieldErrorf("samples", "history sample %d of %s/%s is at %s, beyond the years a store keeps (1970 ± 4000)",
				i, s.Key.Code, s.Key.Scope, s.Minute.Format(time.RFC3339))
		}
		s.Minute = HistoryMinuteTime(m)
		k := slot{s.Key, m}
		if j, ok := at[k]; ok {
			out[j].Used = max(out[j].Used, s.Used)
			out[j].Allowed += s.Allowed
			out[j].Throttled += s.Throttled
			continue
		}
		at[k] = len(out)
		out = append(out, s)
	}
	return out, nil
}

// RollupHour computes the hour point of the minute points of one series in
// the hour starting at hour: the highest value, the mean over all 60
// minutes (a minute without a point counts as zero) and the sums of the
// rate decisions. Points outside the hour are ignored.
func RollupHour(hour time.Time, minutes []HistoryPoint) HistoryPoint {
	p := HistoryPoint{Time: hour}
	end := hour.Add(HistoryHour)
	var sum int64
	for _, m := range minutes {
		if m.Time.Before(hour) || !m.Time.Before(end) {
			continue
		}
		p.Max = max(p.Max, m.Max)
		sum += m.Max
		p.Allowed += m.Allowed
		p.Throttled += m.Throttled
	}
	p.Mean = float64(sum) / 60
	return p
}

// HistoryCeil returns the first whole minute (for HistoryMinute) or hour
// (for HistoryHour) that starts at or after t, counted since the Unix
// epoch, and the function giving the start of such a minute or hour. A
// store lists the rows with HistoryCeil(from) <= index < HistoryCeil(to),
// which is from <= Time < to.
func HistoryCeil(resolution time.Duration, t time.Time) (int64, func(int64) time.Time) {
	if resolution == HistoryHour {
		h := HistoryHourOf(t)
		if HistoryHourTime(h).Before(t) {
			h++
		}
		return h, HistoryHourTime
	}
	m := HistoryMinuteOf(t)
	if HistoryMinuteTime(m).Before(t) {
		m++
	}
	return m, HistoryMinuteTime
}
