package storetest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

// HistoryLoad returns what one recording pass of a busy installation
// stores at minute m after start: counters active usage counters, spread
// over accounts of 100 counters each, every tenth a per-instance rate
// quota with its decisions, the others users per instance between 100 and
// 500. Instance ids are 36 characters, as Amazon Connect's. The storage
// benchmarks record it minute after minute.
func HistoryLoad(counters, m int, start time.Time) []headroom.HistorySample {
	at := start.Add(time.Duration(m) * time.Minute)
	out := make([]headroom.HistorySample, counters)
	for i := range out {
		s := &out[i]
		s.Minute = at
		s.Key = headroom.UsageKey{Account: fmt.Sprintf("%012d", 100000000000+i/100),
			Code: headroom.CodeUsers, Scope: fmt.Sprintf("instance/%08x-0000-4000-8000-%012x", i, i)}
		if i%10 == 0 {
			s.Key.Code = headroom.CodeConnectAPIRate
			s.Allowed = int64(50 + (i+m)%100)
			if (i+m)%7 == 0 {
				s.Throttled = 3
			}
			continue
		}
		s.Used = int64(100 + (i*7+m)%400)
	}
	return out
}

// HistoryDayCounters is the number of active counters the storage
// benchmarks record.
const HistoryDayCounters = 10000

// HistoryMinutes returns the minutes the storage benchmarks record:
// HEADROOM_HISTORY_MINUTES, whole hours of at least 60, or 1,440 (a day).
func HistoryMinutes(tb testing.TB) int {
	tb.Helper()
	v := os.Getenv("HEADROOM_HISTORY_MINUTES")
	if v == "" {
		return 1440
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 60 || n%60 != 0 {
		tb.Fatalf("HEADROOM_HISTORY_MINUTES=%q: want whole hours of minutes, at least 60", v)
	}
	return n
}

// RecordHistoryLoad records minutes of HistoryLoad(HistoryDayCounters)
// into s, one pass a minute from start, rolling up each hour as it ends,
// and returns how long it took.
func RecordHistoryLoad(tb testing.TB, s headroom.HistoryStore, minutes int, start time.Time) time.Duration {
	tb.Helper()
	ctx := context.Background()
	began := time.Now()
	for m := range minutes {
		if err := s.RecordHistory(ctx, HistoryLoad(HistoryDayCounters, m, start)); err != nil {
			tb.Fatal(err)
		}
		if m%60 == 59 {
			if n, err := s.RollupHistory(ctx, start.Add(time.Duration(m/60)*time.Hour)); err != nil || n != HistoryDayCounters {
				tb.Fatalf("rollup: %d series, %v", n, err)
			}
		}
	}
	return time.Since(began)
}
