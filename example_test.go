package headroom_test

import (
	"context"
	"fmt"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/catalog"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/memory"
)

// The engine embedded in a process, on the default Amazon Connect catalog:
// the 501st user of an instance is refused, and the message states the quota.
func Example() {
	ctx := context.Background()
	cat, _ := catalog.Default()
	clk := clock.NewCoarse(0)
	defer clk.Close()
	store := memory.NewStore()
	engine, _ := headroom.NewEngine(headroom.Config{Catalog: cat, Store: store, Limiter: memory.NewLimiter(clk), Clock: clk})

	store.CreateAccount(ctx, headroom.Account{ID: "123456789012", Created: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}, headroom.AuditEntry{})
	user := headroom.Request{Op: headroom.OpReserve, Account: "123456789012", Code: headroom.CodeUsers, Scope: "instance/i-1", Amount: 1}
	for i := 0; i < 500; i++ {
		engine.Do(ctx, user)
	}
	_, err := engine.Do(ctx, user)
	fmt.Println(headroom.ErrorCodeOf(err))
	fmt.Println(headroom.ErrorMessage(err))

	// Six quick CreateUser calls: the sixth is throttled (2/s, burst 5).
	api := headroom.Request{Op: headroom.OpTake, Account: "123456789012", Code: headroom.CodeConnectAPIRate, Amount: 1}
	for i := 0; i < 5; i++ {
		engine.Do(ctx, api)
	}
	d, err := engine.Do(ctx, api)
	fmt.Println(headroom.ErrorCodeOf(err), d.RetryAfter > 0)
	// Output:
	// quota_exceeded
	// Users per instance quota of 500 reached for instance i-1 (500 in use, 1 requested)
	// throttled true
}
