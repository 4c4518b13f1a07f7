package postgres_test

import (
	"context"
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
	const counters = storetest.HistoryDayCounters
	minutes := storetest.HistoryMinutes(b)
	ctx := context.Background()
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		url := testsvc.Postgres(b)
		s := openStore(b, postgres.Config{URL: url, OpTimeout: time.Minute})
		elapsed := storetest.RecordHistoryLoad(b, s, minutes, start)
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
