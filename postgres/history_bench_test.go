package postgres_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/headroomhq/headroom/internal/storetest"
	"github.com/headroomhq/headroom/internal/testsvc"
	"github.com/headroomhq/headroom/postgres"
)

// BenchmarkHistoryStorage records HEADROOM_HISTORY_MINUTES (1440, a day,
// by default) minutes of 10,000 active counters into PostgreSQL, one
// recording pass a minute, with the hourly rollups, and reports the size
// of the history tables with their indexes (pg_total_relation_size) per
// day of history, and the time a pass of 10,000 samples takes. Run it
// once: -benchtime 1x.
func BenchmarkHistoryStorage(b *testing.B) {
	const counters = 10000
	minutes := 1440
	if v := os.Getenv("HEADROOM_HISTORY_MINUTES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 60 || n%60 != 0 {
			b.Fatalf("HEADROOM_HISTORY_MINUTES=%q: want whole hours of minutes, at least 60", v)
		}
		minutes = n
	}
	ctx := context.Background()
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		url := testsvc.Postgres(b)
		s := openStore(b, postgres.Config{URL: url, OpTimeout: time.Minute})
		began := time.Now()
		for m := range minutes {
			if err := s.RecordHistory(ctx, storetest.HistoryLoad(counters, m, start)); err != nil {
				b.Fatal(err)
			}
			if m%60 == 59 {
				if n, err := s.RollupHistory(ctx, start.Add(time.Duration(m/60)*time.Hour)); err != nil || n != counters {
					b.Fatalf("rollup: %d series, %v", n, err)
				}
			}
		}
		elapsed := time.Since(began)
		conn, err := testsvc.Connect(ctx, url)
		if err != nil {
			b.Fatal(err)
		}
		var size int64
		// VACUUM first, as autovacuum would: the upserts leave no dead
		// rows, but the visibility map and free space map are part of the
		// size a table settles at.
		if _, err := conn.Exec(ctx, "VACUUM history_series, history_minutes, history_hours"); err != nil {
			b.Fatal(err)
		}
		if err := conn.QueryRow(ctx, `SELECT pg_total_relation_size('history_series') + pg_total_relation_size('history_minutes')
			+ pg_total_relation_size('history_hours')`).Scan(&size); err != nil {
			b.Fatal(err)
		}
		conn.Close(ctx)
		b.ReportMetric(float64(size)*1440/float64(minutes), "bytes/day")
		b.ReportMetric(float64(size)/float64(minutes*counters), "bytes/sample")
		b.ReportMetric(float64(elapsed.Milliseconds())/float64(minutes), "ms/pass")
	}
}
