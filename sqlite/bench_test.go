package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/sqlite"
)

// BenchmarkReserveDurable measures acknowledged reserves per second: 64
// callers, each reserve with its own idempotency key and answered only after
// its commit is fsynced, with and without group commit.
func BenchmarkReserveDurable(b *testing.B) {
	for _, bc := range []struct {
		name string
		cfg  sqlite.Config
	}{
		{"group-commit", sqlite.Config{}},
		{"no-group-commit", sqlite.Config{NoGroupCommit: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			s := openStore(b, bc.cfg)
			keys := make([]headroom.UsageKey, 16)
			for i := range keys {
				keys[i] = headroom.UsageKey{Account: acct, Code: "L-U", Scope: "instance/i-" + strconv.Itoa(i)}
			}
			var seq atomic.Int64
			b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := seq.Add(1)
					r, err := s.Reserve(ctx, headroom.CountChange{Key: keys[i%int64(len(keys))], Amount: 1, Limit: math.MaxInt32,
						IdempotencyKey: "k-" + strconv.FormatInt(i, 10), Now: t0})
					if err != nil || !r.Applied {
						b.Errorf("Reserve = %+v, %v", r, err)
						return
					}
				}
			})
			b.StopTimer()
			st := s.Stats()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reserves/s")
			b.ReportMetric(float64(st.Writes)/float64(max(st.Commits, 1)), "writes/commit")
		})
	}
}

// BenchmarkReserveLatency measures one caller's reserve latency, commit and
// fsync included.
func BenchmarkReserveLatency(b *testing.B) {
	ctx := context.Background()
	s := openStore(b, sqlite.Config{})
	k := headroom.UsageKey{Account: acct, Code: "L-U", Scope: "account"}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		r, err := s.Reserve(ctx, headroom.CountChange{Key: k, Amount: 1, Limit: math.MaxInt32, IdempotencyKey: "k-" + strconv.Itoa(i), Now: t0})
		lat = append(lat, time.Since(start))
		if err != nil || !r.Applied {
			b.Fatalf("Reserve = %+v, %v", r, err)
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// Sizes of the BenchmarkOpen fixture.
const (
	openAccounts = 100_000
	openLeases   = 1_000_000
)

var (
	openFixtureOnce sync.Once
	openFixturePath string
	openFixtureErr  error
)

// openFixture builds, once per process, a store holding openAccounts
// accounts and openLeases live leases, with bulk SQL.
func openFixture(b *testing.B) string {
	openFixtureOnce.Do(func() {
		start := time.Now()
		dir, err := os.MkdirTemp("", "headroom-bench-open-")
		if err != nil {
			openFixtureErr = err
			return
		}
		cleanups = append(cleanups, func() { os.RemoveAll(dir) })
		path := filepath.Join(dir, "headroom.db")
		s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path})
		if err != nil {
			openFixtureErr = err
			return
		}
		if err := s.Close(); err != nil {
			openFixtureErr = err
			return
		}
		db, err := sql.Open("sqlite", path+"?_pragma=synchronous(OFF)")
		if err != nil {
			openFixtureErr = err
			return
		}
		defer db.Close()
		expires := t0.Add(time.Hour).UnixNano()
		for _, q := range []string{
			"BEGIN",
			fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
				INSERT INTO accounts (id, created, partner) SELECT printf('%%012d', i), %d, '' FROM n`, openAccounts-1, t0.UnixNano()),
			fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
				INSERT INTO leases (account, code, scope, lease_id, expires)
				SELECT printf('%%012d', i %% %d), 'L-CONCURRENT-CALLS', 'instance/i-' || (i %% 3), 'contact-' || i, %d + i FROM n`,
				openLeases-1, openAccounts, expires),
			"COMMIT",
			"PRAGMA wal_checkpoint(TRUNCATE)",
		} {
			if _, err := db.Exec(q); err != nil {
				openFixtureErr = fmt.Errorf("%.60s: %w", q, err)
				return
			}
		}
		fi, _ := os.Stat(path)
		b.Logf("built a store of %d accounts and %d leases (%d MB) in %v", openAccounts, openLeases, fi.Size()>>20, time.Since(start).Round(time.Millisecond))
		openFixturePath = path
	})
	if openFixtureErr != nil {
		b.Fatal(openFixtureErr)
	}
	return openFixturePath
}

// BenchmarkOpen measures Open and Close of a store holding 100,000 accounts
// and 1,000,000 leases.
func BenchmarkOpen(b *testing.B) {
	path := openFixture(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := sqlite.Open(ctx, sqlite.Config{Path: path})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.FindAccount(ctx, "000000099999"); err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHotReads measures FindAccount and FindOverrides, which the
// engine calls on every decision and the store answers from memory.
func BenchmarkHotReads(b *testing.B) {
	ctx := context.Background()
	s := openStore(b, sqlite.Config{})
	must(b, s.CreateAccount(ctx, headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{}))
	must(b, s.PutOverride(ctx, headroom.Override{Account: acct, Code: "L-1", Scope: "instance/i-1", Value: 5}, headroom.AuditEntry{}))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.FindAccount(ctx, acct); err != nil {
				b.Error(err)
				return
			}
			if ovs, _ := s.FindOverrides(ctx, acct, "L-1"); len(ovs) != 1 {
				b.Error("override missing")
				return
			}
		}
	})
}
