package headroom_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/catalog"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/memory"
)

// record runs one recording pass and checks how many samples it stored.
func (f *fixture) record(t *testing.T, want int) {
	t.Helper()
	n, err := f.e.RecordHistory(f.ctx)
	if err != nil || n != want {
		t.Fatalf("RecordHistory at %s = %d, %v; want %d samples", f.clk.Now().Sub(t0), n, err, want)
	}
}

func (f *fixture) history(t *testing.T, code, scope string, from, to time.Time, step time.Duration) headroom.UsageHistory {
	t.Helper()
	h, err := f.e.History(f.ctx, acct, code, scope, from, to, step)
	if err != nil {
		t.Fatalf("History(%s, %s, %s..%s by %s): %v", code, scope, from.Sub(t0), to.Sub(t0), step, err)
	}
	return h
}

// series formats points as "max/mean" or, with rates, "allowed/throttled".
func series(h headroom.UsageHistory, rates bool) string {
	var parts []string
	for _, p := range h.Points {
		if rates {
			parts = append(parts, fmt.Sprintf("%d/%d", p.Allowed, p.Throttled))
		} else {
			parts = append(parts, fmt.Sprintf("%d/%g", p.Max, p.Mean))
		}
	}
	return strings.Join(parts, " ")
}

func TestHistoryRecordsUsageLeasesAndRates(t *testing.T) {
	f := newFixture(t)
	users := func(op headroom.Op, n int64) {
		f.must(t, headroom.Request{Op: op, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: n})
	}
	api := headroom.Request{Op: headroom.OpTake, Code: headroom.CodeConnectAPIRate, Amount: 1}
	users(headroom.OpReserve, 3)
	for i := range 2 {
		f.must(t, headroom.Request{Op: headroom.OpAcquire, Code: headroom.CodeConcurrentCalls, Scope: "instance/i-1", LeaseID: fmt.Sprint("call-", i), TTL: time.Hour})
	}
	for range 5 {
		f.must(t, api)
	}
	f.denied(t, api, headroom.ETHROTTLED)
	f.denied(t, api, headroom.ETHROTTLED)
	f.record(t, 3) // users, calls, the API bucket
	f.clk.Advance(time.Minute)
	users(headroom.OpReserve, 2)
	// A batch's takes count too.
	for _, r := range f.e.Batch(f.ctx, []headroom.Request{{Op: headroom.OpTake, Account: acct, Code: headroom.CodeConnectAPIRate, Amount: 1}}) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	f.record(t, 3)
	f.clk.Advance(time.Minute)
	users(headroom.OpRelease, 5)
	f.record(t, 1) // only the calls: zero usage and no decisions are not sampled
	f.clk.Advance(time.Hour)

	h := f.history(t, headroom.CodeUsers, "instance/i-1", t0, t0.Add(4*time.Minute), time.Minute)
	if got := series(h, false); got != "3/3 5/5 0/0 0/0" {
		t.Fatalf("users by minute = %s", got)
	}
	if h.Name != "Users per instance" || h.Kind != headroom.KindCount || h.Applied.Value != 500 || h.Scope != "instance/i-1" ||
		h.Step != time.Minute || !h.From.Equal(t0) || !h.To.Equal(t0.Add(4*time.Minute)) {
		t.Fatalf("history header = %+v", h)
	}
	if got := series(f.history(t, headroom.CodeUsers, "instance/i-1", t0, t0.Add(4*time.Minute), 2*time.Minute), false); got != "5/4 0/0" {
		t.Fatalf("users by 2 minutes = %s", got)
	}
	// From is rounded down to the step.
	if got := series(f.history(t, headroom.CodeUsers, "instance/i-1", t0.Add(90*time.Second), t0.Add(4*time.Minute), 2*time.Minute), false); got != "5/4 0/0" {
		t.Fatalf("users by 2 minutes from 1m30s = %s", got)
	}
	if got := series(f.history(t, headroom.CodeConcurrentCalls, "instance/i-1", t0, t0.Add(3*time.Minute), time.Minute), false); got != "2/2 2/2 2/2" {
		t.Fatalf("calls by minute = %s", got)
	}
	if got := series(f.history(t, headroom.CodeConnectAPIRate, "", t0, t0.Add(3*time.Minute), time.Minute), true); got != "5/2 1/0 0/0" {
		t.Fatalf("API decisions by minute = %s", got)
	}
}

func TestHistoryHourly(t *testing.T) {
	f := newFixture(t)
	reserve := func(n int64) {
		f.must(t, headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: n})
	}
	// 6 users for the first half of the hour, 12 for the second.
	reserve(6)
	for m := range 60 {
		if m == 30 {
			reserve(6)
		}
		f.record(t, 1)
		f.clk.Advance(time.Minute)
	}
	for range 5 {
		f.record(t, 1)
		f.clk.Advance(time.Minute)
	}
	// Now is 1h05m: nothing is rolled up yet, so both hours come from
	// their minutes; the current hour's mean is over its 6 minutes so far.
	want := "12/9 12/10"
	if got := series(f.history(t, headroom.CodeUsers, "instance/i-1", t0, t0.Add(2*time.Hour), time.Hour), false); got != want {
		t.Fatalf("users by hour before rollup = %s, want %s", got, want)
	}
	key := headroom.UsageKey{Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1"}
	if _, _, err := f.e.Maintain(f.ctx, headroom.Retention{}); err != nil {
		t.Fatal(err)
	}
	hours, err := f.store.ListHistory(f.ctx, key, headroom.HistoryHour, t0.Add(-48*time.Hour), t0.Add(3*time.Hour))
	if err != nil || len(hours) != 1 || hours[0].Max != 12 || hours[0].Mean != 9 || !hours[0].Time.Equal(t0) {
		t.Fatalf("hour rows after Maintain = %+v, %v; want t0 12 9", hours, err)
	}
	if got := series(f.history(t, headroom.CodeUsers, "instance/i-1", t0, t0.Add(2*time.Hour), time.Hour), false); got != want {
		t.Fatalf("users by hour after rollup = %s, want %s", got, want)
	}
	// A late sample of the last hour, from another node, is rolled up
	// while the hour is recent...
	late := func(minute time.Duration, used int64) {
		if err := f.store.RecordHistory(f.ctx, []headroom.HistorySample{{Key: key, Minute: t0.Add(minute), Used: used}}); err != nil {
			t.Fatal(err)
		}
	}
	late(59*time.Minute, 20)
	if _, _, err := f.e.Maintain(f.ctx, headroom.Retention{}); err != nil {
		t.Fatal(err)
	}
	if got := series(f.history(t, headroom.CodeUsers, "instance/i-1", t0, t0.Add(time.Hour), time.Hour), false); got != "20/9.133333333333333" {
		t.Fatalf("hour after a late sample = %s", got)
	}
	// ...but once final (10 minutes after its end), it is not rolled up
	// again.
	f.clk.Advance(6 * time.Minute)
	if _, _, err := f.e.Maintain(f.ctx, headroom.Retention{}); err != nil {
		t.Fatal(err)
	}
	late(58*time.Minute, 40)
	if _, _, err := f.e.Maintain(f.ctx, headroom.Retention{}); err != nil {
		t.Fatal(err)
	}
	if got := series(f.history(t, headroom.CodeUsers, "instance/i-1", t0, t0.Add(time.Hour), time.Hour), false); got != "20/9.133333333333333" {
		t.Fatalf("final hour rolled up again: %s", got)
	}
	// Two hours in one point: max of both, mean over two hours.
	if got := series(f.history(t, headroom.CodeUsers, "instance/i-1", t0, t0.Add(4*time.Hour), 2*time.Hour), false); !strings.HasPrefix(got, "20/") || strings.Count(got, " ") != 1 {
		t.Fatalf("users by 2 hours = %s", got)
	}
}

func TestHistoryRetention(t *testing.T) {
	f := newFixture(t)
	f.must(t, headroom.Request{Op: headroom.OpReserve, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 60})
	f.record(t, 1)
	key := headroom.UsageKey{Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1"}
	count := func(res time.Duration) int {
		rows, err := f.store.ListHistory(f.ctx, key, res, t0.Add(-time.Hour), t0.Add(200*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	maintain := func(wantPurged int64) {
		t.Helper()
		res, _, err := f.e.Maintain(f.ctx, headroom.Retention{})
		if err != nil || res.History != wantPurged {
			t.Fatalf("Maintain at %s purged %d history rows, %v; want %d", f.clk.Now().Sub(t0), res.History, err, wantPurged)
		}
	}
	f.clk.Advance(2 * time.Hour)
	maintain(0)
	if count(headroom.HistoryMinute) != 1 || count(headroom.HistoryHour) != 1 {
		t.Fatalf("after 2h: %d minute rows, %d hour rows; want 1 and 1", count(headroom.HistoryMinute), count(headroom.HistoryHour))
	}
	f.clk.Set(t0.Add(headroom.MinuteHistoryRetention + time.Minute))
	maintain(1)
	if count(headroom.HistoryMinute) != 0 || count(headroom.HistoryHour) != 1 {
		t.Fatalf("after 48h: %d minute rows, %d hour rows; want 0 and 1", count(headroom.HistoryMinute), count(headroom.HistoryHour))
	}
	if got := series(f.history(t, headroom.CodeUsers, "instance/i-1", t0, t0.Add(2*time.Hour), time.Hour), false); got != "60/1 0/0" {
		t.Fatalf("users by hour after 48h = %s", got)
	}
	f.clk.Set(t0.Add(headroom.HourHistoryRetention + time.Hour + time.Minute))
	maintain(1)
	if count(headroom.HistoryHour) != 0 {
		t.Fatalf("after 90 days: %d hour rows", count(headroom.HistoryHour))
	}
}

func TestHistoryBadInput(t *testing.T) {
	f := newFixture(t)
	f.clk.Advance(100 * time.Hour)
	now := f.clk.Now()
	for _, tc := range []struct {
		name, account, code, scope string
		from, to                   time.Time
		step                       time.Duration
		want                       headroom.ErrorCode
		msg                        string
	}{
		{"unknown quota", acct, "L-NOPE0000", "", now.Add(-time.Hour), now, time.Minute, headroom.EUNKNOWNQUOTA, ""},
		{"size quota", acct, headroom.CodeAttachmentSize, "", now.Add(-time.Hour), now, time.Minute, headroom.EWRONGKIND, "no history"},
		{"unknown account", "999999999999", headroom.CodeUsers, "instance/i-1", now.Add(-time.Hour), now, time.Minute, headroom.EUNKNOWNACCOUNT, ""},
		{"scope not counted", acct, headroom.CodeUsers, "account", now.Add(-time.Hour), now, time.Minute, headroom.EINVALID, ""},
		{"from after to", acct, headroom.CodeUsers, "instance/i-1", now, now.Add(-time.Hour), time.Minute, headroom.EINVALID, "not before"},
		{"from equals to", acct, headroom.CodeUsers, "instance/i-1", now, now, time.Minute, headroom.EINVALID, "not before"},
		{"no from", acct, headroom.CodeUsers, "instance/i-1", time.Time{}, now, time.Minute, headroom.EINVALID, ""},
		{"zero step", acct, headroom.CodeUsers, "instance/i-1", now.Add(-time.Hour), now, 0, headroom.EINVALID, "whole number of minutes"},
		{"seconds step", acct, headroom.CodeUsers, "instance/i-1", now.Add(-time.Hour), now, 90 * time.Second, headroom.EINVALID, "whole number of minutes"},
		{"negative step", acct, headroom.CodeUsers, "instance/i-1", now.Add(-time.Hour), now, -time.Minute, headroom.EINVALID, "whole number of minutes"},
		{"90m step", acct, headroom.CodeUsers, "instance/i-1", now.Add(-24 * time.Hour), now, 90 * time.Minute, headroom.EINVALID, "whole number of hours"},
		{"too many points", acct, headroom.CodeUsers, "instance/i-1", now.Add(-40 * time.Hour), now, time.Minute, headroom.EINVALID, "at most 2000 points"},
		{"minutes past retention", acct, headroom.CodeUsers, "instance/i-1", now.Add(-72 * time.Hour), now, 5 * time.Minute, headroom.EINVALID, "kept for 48h"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.e.History(f.ctx, tc.account, tc.code, tc.scope, tc.from, tc.to, tc.step)
			if headroom.ErrorCodeOf(err) != tc.want || !strings.Contains(headroom.ErrorMessage(err), tc.msg) {
				t.Fatalf("History = %v, want %s containing %q", err, tc.want, tc.msg)
			}
		})
	}
}

func TestHistoryOff(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(t0)
	store := memory.NewStore()
	e, err := headroom.NewEngine(headroom.Config{Catalog: cat, Store: store, Limiter: memory.NewLimiter(clk), Clock: clk, NoHistory: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := store.CreateAccount(ctx, headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Do(ctx, headroom.Request{Op: headroom.OpTake, Account: acct, Code: headroom.CodeConnectAPIRate, Amount: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Do(ctx, headroom.Request{Op: headroom.OpReserve, Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1}); err != nil {
		t.Fatal(err)
	}
	if n, err := e.RecordHistory(ctx); n != 0 || err != nil {
		t.Fatalf("RecordHistory with history off = %d, %v", n, err)
	}
	h, err := e.History(ctx, acct, headroom.CodeConnectAPIRate, "", t0, t0.Add(time.Minute), time.Minute)
	if err != nil || series(h, true) != "0/0" {
		t.Fatalf("History with history off = %+v, %v", h, err)
	}
}

// TestHistoryTallyConcurrent takes from buckets from many goroutines while
// recording passes run, and checks that every decision is recorded once,
// including those of a bucket idle long enough to leave the tally.
func TestHistoryTallyConcurrent(t *testing.T) {
	f := newFixture(t)
	const workers, takes = 8, 200
	var wg sync.WaitGroup
	stop := make(chan struct{})
	recorded := make(chan error, 1)
	go func() {
		var err error
		defer func() { recorded <- err }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err = f.e.RecordHistory(f.ctx); err != nil {
				return
			}
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range takes {
				f.e.Do(f.ctx, headroom.Request{Op: headroom.OpTake, Account: acct, Code: headroom.CodeConnectAPIRate, Amount: 1})
			}
		}()
	}
	wg.Wait()
	close(stop)
	if err := <-recorded; err != nil {
		t.Fatal(err)
	}
	// Idle passes retire the bucket; a take after that is still counted.
	for range 5 {
		f.e.RecordHistory(f.ctx)
	}
	f.e.Do(f.ctx, headroom.Request{Op: headroom.OpTake, Account: acct, Code: headroom.CodeConnectAPIRate, Amount: 1})
	f.record(t, 1)
	h := f.history(t, headroom.CodeConnectAPIRate, "", t0, t0.Add(time.Minute), time.Minute)
	if len(h.Points) != 1 || h.Points[0].Allowed+h.Points[0].Throttled != workers*takes+1 || h.Points[0].Allowed < 5 {
		t.Fatalf("decisions recorded = %+v, want %d in all", h.Points, workers*takes+1)
	}
}

func TestHistoryCenturies(t *testing.T) {
	f := newFixture(t)
	far, farOff := time.Date(2, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	_, err := f.e.History(f.ctx, acct, headroom.CodeUsers, "instance/i-1", far, farOff, 7*24*time.Hour)
	if headroom.ErrorCodeOf(err) != headroom.EINVALID || !strings.Contains(err.Error(), "at most 2000 points") {
		t.Fatalf("History over ten thousand years = %v, want EINVALID for the points", err)
	}
	h, err := f.e.History(f.ctx, acct, headroom.CodeUsers, "instance/i-1", farOff.Add(-30*24*time.Hour), farOff, 7*24*time.Hour)
	if err != nil || len(h.Points) != 5 {
		t.Fatalf("History at the end of year 9999 = %d points, %v", len(h.Points), err)
	}
}
