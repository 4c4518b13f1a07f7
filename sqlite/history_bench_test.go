package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/storetest"
	"github.com/headroomhq/headroom/sqlite"
)

// BenchmarkHistoryStorage records HEADROOM_HISTORY_MINUTES (1440, a day,
// by default) minutes of 10,000 active counters into a SQLite file, one
// recording pass a minute, with the hourly rollups, and reports the file's
// growth per day of history (bytes/day, with the minute and hour rows the
// day leaves) and the time a pass of 10,000 samples takes (ms/pass). Run it
// once: -benchtime 1x.
func BenchmarkHistoryStorage(b *testing.B) {
	const counters = storetest.HistoryDayCounters
	minutes := storetest.HistoryMinutes(b)
	ctx := context.Background()
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		path := filepath.Join(b.TempDir(), "headroom.db")
		s, err := sqlite.Open(ctx, sqlite.Config{Path: path})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		empty := filesSize(b, path)
		if s, err = sqlite.Open(ctx, sqlite.Config{Path: path}); err != nil {
			b.Fatal(err)
		}
		elapsed := storetest.RecordHistoryLoad(b, s, minutes, start)
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		grown := filesSize(b, path) - empty
		b.ReportMetric(float64(grown)*1440/float64(minutes), "bytes/day")
		b.ReportMetric(float64(grown)/float64(minutes*counters), "bytes/sample")
		b.ReportMetric(float64(elapsed.Milliseconds())/float64(minutes), "ms/pass")
	}
}

// filesSize returns the size of a closed store's database file and its
// write-ahead log, if any.
func filesSize(b *testing.B, path string) int64 {
	b.Helper()
	var n int64
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err == nil {
			n += fi.Size()
		} else if !os.IsNotExist(err) {
			b.Fatal(err)
		}
	}
	return n
}

var _ headroom.HistoryStore = (*sqlite.Store)(nil)
