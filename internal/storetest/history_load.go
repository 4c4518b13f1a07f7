package storetest

import (
	"fmt"
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
