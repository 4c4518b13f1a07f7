package headroom

import (
	"context"
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
	// PurgeHistory removes minute rows before minutesBefore and hour rows
	// before hoursBefore, and returns how many rows it removed.
	PurgeHistory(ctx context.Context, minutesBefore, hoursBefore time.Time) (int64, error)
}
