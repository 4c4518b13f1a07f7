package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
)

// The HistoryStore role's contract. T0 is on the hour.
var historyContracts = []contract{
	{"HistoryRecordList", testHistoryRecordList},
	{"HistoryMaxOnDuplicate", testHistoryMaxOnDuplicate},
	{"HistoryRollup", testHistoryRollup},
	{"HistoryPurge", testHistoryPurge},
	{"HistoryListThrottled", testHistoryListThrottled},
	{"HistoryBadInput", testHistoryBadInput},
	{"RaceHistory", testRaceHistory},
}

// TestHistoryStore runs the contract of the HistoryStore role.
func TestHistoryStore(t *testing.T, newStore NewStoreFunc) { run(t, newStore, historyContracts) }

func record(t *testing.T, s headroom.Store, samples ...headroom.HistorySample) {
	t.Helper()
	if err := s.RecordHistory(context.Background(), samples); err != nil {
		t.Fatalf("RecordHistory: %v", err)
	}
}

func sample(k headroom.UsageKey, at time.Time, used, allowed, throttled int64) headroom.HistorySample {
	return headroom.HistorySample{Key: k, Minute: at, Used: used, Allowed: allowed, Throttled: throttled}
}

// points formats a series as "time max mean allowed throttled; ...", with
// times as offsets from T0.
func points(ps []headroom.HistoryPoint) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s %d %g %d %d", p.Time.Sub(T0), p.Max, p.Mean, p.Allowed, p.Throttled)
		if p.Time.Location() != time.UTC {
			b.WriteString(" (not UTC)")
		}
	}
	return b.String()
}

func wantHistory(t *testing.T, s headroom.Store, k headroom.UsageKey, res time.Duration, from, to time.Time, want string) {
	t.Helper()
	got, err := s.ListHistory(context.Background(), k, res, from, to)
	if err != nil {
		t.Fatalf("ListHistory(%s, %s, %s..%s): %v", k.Code, res, from.Sub(T0), to.Sub(T0), err)
	}
	if g := points(got); g != want {
		t.Fatalf("ListHistory(%s, %s, %s..%s) = %q, want %q", k.Code, res, from.Sub(T0), to.Sub(T0), g, want)
	}
}

func testHistoryRecordList(t *testing.T, s headroom.Store) {
	a, b := key("L-A", headroom.ScopeAccount), key("L-A", "instance/i-1")
	m := time.Minute
	// A sample's time is truncated to its minute.
	record(t, s, sample(a, T0.Add(30*time.Second), 4, 0, 0), sample(a, T0.Add(m), 5, 0, 0),
		sample(b, T0.Add(m), 9, 1, 0), sample(a, T0.Add(2*m+59*time.Second), 6, 0, 0))
	wantHistory(t, s, a, headroom.HistoryMinute, T0, T0.Add(3*m), "0s 4 4 0 0; 1m0s 5 5 0 0; 2m0s 6 6 0 0")
	wantHistory(t, s, b, headroom.HistoryMinute, T0, T0.Add(3*m), "1m0s 9 9 1 0")
	// From is inclusive, to exclusive: a minute starting before from is
	// out, one starting before to is in.
	wantHistory(t, s, a, headroom.HistoryMinute, T0.Add(m), T0.Add(2*m), "1m0s 5 5 0 0")
	wantHistory(t, s, a, headroom.HistoryMinute, T0.Add(time.Second), T0.Add(2*m+time.Second), "1m0s 5 5 0 0; 2m0s 6 6 0 0")
	wantHistory(t, s, a, headroom.HistoryMinute, T0.Add(3*m), T0.Add(time.Hour), "")
	// Bounds far beyond any row are no error.
	far, farOff := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	wantHistory(t, s, a, headroom.HistoryMinute, far, farOff, "0s 4 4 0 0; 1m0s 5 5 0 0; 2m0s 6 6 0 0")
	wantHistory(t, s, a, headroom.HistoryHour, far, farOff, "")
	// A time in another zone is the same instant.
	wantHistory(t, s, a, headroom.HistoryMinute, T0.In(time.FixedZone("x", 3600)), T0.Add(m), "0s 4 4 0 0")
	// Unknown series, another account, no hour rows yet: empty.
	wantHistory(t, s, key("L-NONE", headroom.ScopeAccount), headroom.HistoryMinute, T0, T0.Add(time.Hour), "")
	wantHistory(t, s, headroom.UsageKey{Account: "999999999999", Code: "L-A", Scope: headroom.ScopeAccount}, headroom.HistoryMinute, T0, T0.Add(time.Hour), "")
	wantHistory(t, s, a, headroom.HistoryHour, T0, T0.Add(time.Hour), "")
	for _, res := range []time.Duration{0, time.Second, 5 * time.Minute, 24 * time.Hour} {
		_, err := s.ListHistory(context.Background(), a, res, T0, T0.Add(time.Hour))
		wantCode(t, err, headroom.EINVALID)
	}
}

func testHistoryMaxOnDuplicate(t *testing.T, s headroom.Store) {
	k := key("L-RATE", headroom.ScopeAccount)
	// Within one call and across calls, as several nodes would record:
	// Used keeps the highest, the rate decisions add up.
	record(t, s, sample(k, T0, 5, 2, 1), sample(k, T0.Add(10*time.Second), 3, 3, 0))
	wantHistory(t, s, k, headroom.HistoryMinute, T0, T0.Add(time.Minute), "0s 5 5 5 1")
	record(t, s, sample(k, T0, 2, 10, 4))
	wantHistory(t, s, k, headroom.HistoryMinute, T0, T0.Add(time.Minute), "0s 5 5 15 5")
	record(t, s, sample(k, T0, 7, 0, 0))
	wantHistory(t, s, k, headroom.HistoryMinute, T0, T0.Add(time.Minute), "0s 7 7 15 5")
}

func testHistoryRollup(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	a, b := key("L-A", headroom.ScopeAccount), key("L-B", headroom.ScopeAccount)
	m := time.Minute
	record(t, s,
		sample(a, T0.Add(-m), 200, 9, 9), // the hour before
		sample(a, T0, 10, 1, 0),
		sample(a, T0.Add(m), 20, 1, 2),
		sample(a, T0.Add(59*m), 30, 1, 0),
		sample(a, T0.Add(60*m), 100, 9, 9), // the hour after
		sample(b, T0.Add(5*m), 6, 0, 0),
		sample(key("L-C", headroom.ScopeAccount), T0.Add(-2*m), 1, 0, 0)) // no row in the hour
	n, err := s.RollupHistory(ctx, T0)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("RollupHistory wrote %d series, want 2", n)
	}
	// Mean is over 60 minutes, missing ones as zero: (10+20+30)/60.
	wantHistory(t, s, a, headroom.HistoryHour, T0, T0.Add(time.Hour), "0s 30 1 3 2")
	wantHistory(t, s, b, headroom.HistoryHour, T0.Add(-time.Hour), T0.Add(2*time.Hour), "0s 6 0.1 0 0")
	// Rolling up again replaces, with late minutes included.
	record(t, s, sample(a, T0.Add(2*m), 60, 3, 0))
	for range 2 {
		if _, err := s.RollupHistory(ctx, T0); err != nil {
			t.Fatal(err)
		}
		wantHistory(t, s, a, headroom.HistoryHour, T0.Add(-time.Hour), T0.Add(2*time.Hour), "0s 60 2 6 2")
	}
	if _, err := s.RollupHistory(ctx, T0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	wantHistory(t, s, a, headroom.HistoryHour, T0, T0.Add(2*time.Hour), "0s 60 2 6 2; 1h0m0s 100 1.6666666666666667 9 9")
	wantHistory(t, s, a, headroom.HistoryHour, T0.Add(time.Minute), T0.Add(2*time.Hour), "1h0m0s 100 1.6666666666666667 9 9")
	// The minute rows stay.
	wantHistory(t, s, a, headroom.HistoryMinute, T0, T0.Add(3*m), "0s 10 10 1 0; 1m0s 20 20 1 2; 2m0s 60 60 3 0")
	// An hour without minute rows writes nothing.
	if n, err := s.RollupHistory(ctx, T0.Add(5*time.Hour)); err != nil || n != 0 {
		t.Fatalf("RollupHistory of an empty hour = %d, %v; want 0", n, err)
	}
}

// testHistoryListThrottled: an account's minutes with throttled decisions,
// in the range, ordered by code, scope, minute, and nothing else: not
// another account's, not minutes without throttling, not hour rows.
func testHistoryListThrottled(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	a := headroom.UsageKey{Account: "111122223333", Code: "L-B", Scope: "instance/i-1"}
	b := headroom.UsageKey{Account: "111122223333", Code: "L-A", Scope: "account"}
	c := headroom.UsageKey{Account: "111122223333", Code: "L-B", Scope: "account"}
	other := headroom.UsageKey{Account: "444455556666", Code: "L-A", Scope: "account"}
	record(t, s,
		sample(a, T0, 0, 5, 3), sample(a, T0.Add(time.Minute), 0, 9, 0), sample(a, T0.Add(2*time.Minute), 0, 1, 7),
		sample(b, T0.Add(time.Minute), 0, 0, 2), sample(b, T0.Add(10*time.Minute), 0, 0, 4),
		sample(c, T0.Add(-time.Minute), 0, 0, 6), // before the range
		sample(other, T0.Add(time.Minute), 0, 0, 8),
		sample(headroom.UsageKey{Account: "111122223333", Code: "L-U", Scope: "account"}, T0, 40, 0, 0))
	if _, err := s.RollupHistory(ctx, T0); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListThrottled(ctx, "111122223333", T0, T0.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var b2 strings.Builder
	for _, x := range got {
		fmt.Fprintf(&b2, "%s %s %s %d %d %d; ", x.Key.Code, x.Key.Scope, x.Minute.Sub(T0), x.Throttled, x.Allowed, x.Used)
		if x.Key.Account != "111122223333" || x.Minute.Location() != time.UTC {
			t.Errorf("sample %+v: want the account asked for, at a UTC minute", x)
		}
	}
	want := "L-A account 1m0s 2 0 0; L-B instance/i-1 0s 3 0 0; L-B instance/i-1 2m0s 7 0 0; "
	if b2.String() != want {
		t.Fatalf("ListThrottled = %q\nwant            %q", b2.String(), want)
	}
	if got, err := s.ListThrottled(ctx, "999999999999", T0, T0.Add(time.Hour)); err != nil || len(got) != 0 {
		t.Fatalf("ListThrottled of an account without history = %v, %v; want none", got, err)
	}
}

func testHistoryPurge(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	k := key("L-A", headroom.ScopeAccount)
	h := time.Hour
	record(t, s, sample(k, T0.Add(-3*h), 1, 0, 0), sample(k, T0.Add(-2*h), 2, 0, 0), sample(k, T0.Add(-h), 3, 0, 0), sample(k, T0, 4, 0, 0))
	for _, hour := range []time.Time{T0.Add(-3 * h), T0.Add(-2 * h), T0.Add(-h)} {
		if _, err := s.RollupHistory(ctx, hour); err != nil {
			t.Fatal(err)
		}
	}
	// Minutes before T0-1h and hours before T0-2h go.
	n, err := s.PurgeHistory(ctx, T0.Add(-h), T0.Add(-2*h))
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("PurgeHistory removed %d rows, want 3", n)
	}
	wantHistory(t, s, k, headroom.HistoryMinute, T0.Add(-4*h), T0.Add(h), "-1h0m0s 3 3 0 0; 0s 4 4 0 0")
	wantHistory(t, s, k, headroom.HistoryHour, T0.Add(-4*h), T0.Add(h), "-2h0m0s 2 0.03333333333333333 0 0; -1h0m0s 3 0.05 0 0")
	if n, err := s.PurgeHistory(ctx, T0.Add(-h), T0.Add(-2*h)); err != nil || n != 0 {
		t.Fatalf("PurgeHistory again = %d, %v; want 0", n, err)
	}
	// A series purged and recorded again is listed as before.
	if _, err := s.PurgeHistory(ctx, T0.Add(h), T0.Add(h)); err != nil {
		t.Fatal(err)
	}
	wantHistory(t, s, k, headroom.HistoryMinute, T0.Add(-4*h), T0.Add(h), "")
	record(t, s, sample(k, T0, 8, 0, 0))
	wantHistory(t, s, k, headroom.HistoryMinute, T0.Add(-4*h), T0.Add(h), "0s 8 8 0 0")
}

func testHistoryBadInput(t *testing.T, s headroom.Store) {
	ctx := context.Background()
	k := key("L-A", headroom.ScopeAccount)
	good := sample(k, T0, 1, 0, 0)
	for name, bad := range map[string]headroom.HistorySample{
		"negative used":      sample(k, T0, -1, 0, 0),
		"negative allowed":   sample(k, T0, 1, -1, 0),
		"negative throttled": sample(k, T0, 1, 0, -1),
		"no minute":          sample(k, time.Time{}, 1, 0, 0),
		"no account":         sample(headroom.UsageKey{Code: "L-A", Scope: "account"}, T0, 1, 0, 0),
		"no code":            sample(headroom.UsageKey{Account: Account, Scope: "account"}, T0, 1, 0, 0),
		"year 9999":          sample(k, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), 1, 0, 0),
	} {
		err := s.RecordHistory(ctx, []headroom.HistorySample{good, bad})
		if headroom.ErrorCodeOf(err) != headroom.EINVALID {
			t.Fatalf("RecordHistory with %s = %v, want EINVALID", name, err)
		}
	}
	// Nothing of a refused call is recorded.
	wantHistory(t, s, k, headroom.HistoryMinute, T0, T0.Add(time.Hour), "")
	// An empty call records nothing and is no error.
	record(t, s)
}

func testRaceHistory(t *testing.T, s headroom.Store) {
	keys := []headroom.UsageKey{key("L-A", headroom.ScopeAccount), key("L-B", headroom.ScopeAccount), key("L-A", "instance/i-1")}
	const nodes, rounds = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, nodes)
	for n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				var batch []headroom.HistorySample
				// Each node walks the keys in its own order.
				for i := range keys {
					k := keys[(i+n)%len(keys)]
					batch = append(batch, sample(k, T0, int64(n*rounds+r), 1, int64(n%2)))
				}
				if err := s.RecordHistory(context.Background(), batch); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	want := fmt.Sprintf("0s %d %d %d %d", nodes*rounds-1, nodes*rounds-1, nodes*rounds, nodes/2*rounds)
	for _, k := range keys {
		wantHistory(t, s, k, headroom.HistoryMinute, T0, T0.Add(time.Minute), want)
	}
}
