package memory

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/headroomhq/headroom"
)

// historyRow is one minute or hour of one series.
type historyRow struct {
	max, allowed, throttled int64
	mean                    float64
}

// history is the usage history of a Store, under its own lock so that
// recording never holds up a decision.
type history struct {
	mu sync.Mutex
	// minutes and hours map a series to its rows by minute and hour since
	// the Unix epoch (headroom.HistoryMinuteOf, HistoryHourOf).
	minutes map[headroom.UsageKey]map[int64]historyRow
	hours   map[headroom.UsageKey]map[int64]historyRow
}

// RecordHistory implements headroom.HistoryStore. It is safe for
// concurrent use; bad samples (EINVALID) record nothing.
func (s *Store) RecordHistory(_ context.Context, samples []headroom.HistorySample) error {
	merged, err := headroom.MergeHistorySamples(samples)
	if err != nil {
		return err
	}
	h := &s.history
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.minutes == nil {
		h.minutes = map[headroom.UsageKey]map[int64]historyRow{}
	}
	for _, x := range merged {
		rows := h.minutes[x.Key]
		if rows == nil {
			rows = map[int64]historyRow{}
			h.minutes[x.Key] = rows
		}
		m := headroom.HistoryMinuteOf(x.Minute)
		r := rows[m]
		r.max = max(r.max, x.Used)
		r.mean = float64(r.max)
		r.allowed += x.Allowed
		r.throttled += x.Throttled
		rows[m] = r
	}
	return nil
}

// RollupHistory implements headroom.HistoryStore.
func (s *Store) RollupHistory(_ context.Context, hour time.Time) (int64, error) {
	h := &s.history
	hr := headroom.HistoryHourOf(hour)
	first := hr * 60
	h.mu.Lock()
	defer h.mu.Unlock()
	var n int64
	for key, rows := range h.minutes {
		var pts []headroom.HistoryPoint
		for m := first; m < first+60; m++ {
			if r, ok := rows[m]; ok {
				pts = append(pts, headroom.HistoryPoint{Time: headroom.HistoryMinuteTime(m), Max: r.max, Allowed: r.allowed, Throttled: r.throttled})
			}
		}
		if len(pts) == 0 {
			continue
		}
		p := headroom.RollupHour(headroom.HistoryHourTime(hr), pts)
		if h.hours == nil {
			h.hours = map[headroom.UsageKey]map[int64]historyRow{}
		}
		if h.hours[key] == nil {
			h.hours[key] = map[int64]historyRow{}
		}
		h.hours[key][hr] = historyRow{max: p.Max, mean: p.Mean, allowed: p.Allowed, throttled: p.Throttled}
		n++
	}
	return n, nil
}

// ListHistory implements headroom.HistoryStore.
func (s *Store) ListHistory(_ context.Context, key headroom.UsageKey, resolution time.Duration, from, to time.Time) ([]headroom.HistoryPoint, error) {
	if err := headroom.CheckHistoryResolution(resolution); err != nil {
		return nil, err
	}
	h := &s.history
	h.mu.Lock()
	defer h.mu.Unlock()
	rows, at := h.minutes[key], headroom.HistoryMinuteTime
	if resolution == headroom.HistoryHour {
		rows, at = h.hours[key], headroom.HistoryHourTime
	}
	var out []headroom.HistoryPoint
	for t, r := range rows {
		p := at(t)
		if p.Before(from) || !p.Before(to) {
			continue
		}
		out = append(out, headroom.HistoryPoint{Time: p, Max: r.max, Mean: r.mean, Allowed: r.allowed, Throttled: r.throttled})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}

// ListThrottled implements headroom.HistoryStore.
func (s *Store) ListThrottled(_ context.Context, account string, from, to time.Time) ([]headroom.HistorySample, error) {
	h := &s.history
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []headroom.HistorySample
	for key, rows := range h.minutes {
		if key.Account != account {
			continue
		}
		for t, r := range rows {
			if p := headroom.HistoryMinuteTime(t); r.throttled > 0 && !p.Before(from) && p.Before(to) {
				out = append(out, headroom.HistorySample{Key: key, Minute: p, Throttled: r.throttled})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Key.Code != b.Key.Code {
			return a.Key.Code < b.Key.Code
		}
		if a.Key.Scope != b.Key.Scope {
			return a.Key.Scope < b.Key.Scope
		}
		return a.Minute.Before(b.Minute)
	})
	return out, nil
}

// PurgeHistory implements headroom.HistoryStore.
func (s *Store) PurgeHistory(_ context.Context, minutesBefore, hoursBefore time.Time) (int64, error) {
	h := &s.history
	h.mu.Lock()
	defer h.mu.Unlock()
	return purgeRows(h.minutes, headroom.HistoryMinuteTime, minutesBefore) +
		purgeRows(h.hours, headroom.HistoryHourTime, hoursBefore), nil
}

// purgeRows deletes the rows whose time is before before, and the series
// left empty, and returns how many rows it deleted.
func purgeRows(series map[headroom.UsageKey]map[int64]historyRow, at func(int64) time.Time, before time.Time) int64 {
	var n int64
	for key, rows := range series {
		for t := range rows {
			if at(t).Before(before) {
				delete(rows, t)
				n++
			}
		}
		if len(rows) == 0 {
			delete(series, key)
		}
	}
	return n
}
