package headroom_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/catalog"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/memory"
)

// countingLimiter counts the calls a batch makes to its limiter.
type countingLimiter struct {
	*memory.Limiter
	takes, batches int
}

func (c *countingLimiter) Take(ctx context.Context, k headroom.UsageKey, l headroom.RateLimit, n int64) (headroom.RateResult, error) {
	c.takes++
	return c.Limiter.Take(ctx, k, l, n)
}

func (c *countingLimiter) TakeBatch(ctx context.Context, t []headroom.Take, r []headroom.RateResult, e []error) {
	c.batches++
	c.Limiter.TakeBatch(ctx, t, r, e)
}

// plainLimiter hides TakeBatch, so the engine decides one take at a time.
type plainLimiter struct{ l *memory.Limiter }

func (p plainLimiter) Take(ctx context.Context, k headroom.UsageKey, l headroom.RateLimit, n int64) (headroom.RateResult, error) {
	return p.l.Take(ctx, k, l, n)
}

func TestBatchTakesRateInOneLimiterCall(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	mixed := []headroom.Request{
		{Op: headroom.OpTake, Account: acct, Code: headroom.CodeConnectAPIRate, Amount: 1},
		{Op: headroom.OpReserve, Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1},
		{Op: headroom.OpTake, Account: acct, Code: headroom.CodeConnectAPIRate, Amount: 3},
		{Op: headroom.OpTake, Account: acct, Code: headroom.CodeConnectAPIRate, Amount: 0},
		{Op: headroom.OpTake, Account: "000000000000", Code: headroom.CodeConnectAPIRate, Amount: 1},
		{Op: headroom.OpTake, Account: acct, Code: headroom.CodeConnectAPIRate, Amount: 1},
		{Op: headroom.OpTake, Account: acct, Code: headroom.CodeConnectAPIRate, Amount: 1},
		{Op: headroom.OpReserve, Account: acct, Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1},
	}
	run := func(l headroom.Limiter, clk *clock.Manual) []headroom.Result {
		store := memory.NewStore()
		if err := store.CreateAccount(context.Background(), headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{}); err != nil {
			t.Fatal(err)
		}
		e, err := headroom.NewEngine(headroom.Config{Catalog: cat, Store: store, Limiter: l, Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		return e.Batch(context.Background(), append([]headroom.Request(nil), mixed...))
	}
	clk := clock.NewManual(t0)
	counting := &countingLimiter{Limiter: memory.NewLimiter(clk)}
	batched := run(counting, clk)
	if counting.batches != 1 || counting.takes != 0 {
		t.Fatalf("the batch made %d batch calls and %d single takes, want 1 and 0", counting.batches, counting.takes)
	}
	clk2 := clock.NewManual(t0)
	one := run(plainLimiter{memory.NewLimiter(clk2)}, clk2)
	for i := range mixed {
		if !reflect.DeepEqual(batched[i].Decision, one[i].Decision) || headroom.ErrorCodeOf(batched[i].Err) != headroom.ErrorCodeOf(one[i].Err) {
			t.Errorf("item %d: batched %+v, %v; one by one %+v, %v", i, batched[i].Decision, batched[i].Err, one[i].Decision, one[i].Err)
		}
	}
	// The burst of 5 is spent by 1+3+1; the next take is throttled, and
	// the bad items fail alone.
	want := []headroom.ErrorCode{"", "", "", headroom.EINVALID, headroom.EUNKNOWNACCOUNT, "", headroom.ETHROTTLED, ""}
	for i, r := range batched {
		if got := headroom.ErrorCodeOf(r.Err); got != want[i] {
			t.Errorf("item %d: %v, want %q", i, r.Err, want[i])
		}
	}
	if batched[7].Decision.Used != 2 {
		t.Fatalf("second reserve used = %d, want 2", batched[7].Decision.Used)
	}
}
