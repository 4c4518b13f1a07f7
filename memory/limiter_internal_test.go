package memory

import (
	"context"
	"strconv"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/internal/storetest"
)

// TestSlotTagCollision finds two keys whose slots have the same meta word in
// the same shard, so that only comparing the keys tells them apart, and
// checks that they keep separate buckets.
func TestSlotTagCollision(t *testing.T) {
	clk := clock.NewManual(storetest.T0)
	l := NewLimiter(clk)
	l.seed = 42
	seen := map[uint64]headroom.UsageKey{}
	var a, b headroom.UsageKey
	for i := 0; ; i++ {
		k := headroom.UsageKey{Account: storetest.Account, Code: "HR-RATE", Scope: "user/" + strconv.Itoa(10_000_000+i)}
		h := hashKey(l.seed, k)
		id := slotMeta(h, k.Scope) | h&(limiterShards-1)
		if prev, ok := seen[id]; ok {
			a, b = prev, k
			break
		}
		seen[id] = k
	}
	ctx := context.Background()
	lim := headroom.RateLimit{Rate: 1, Burst: 3}
	for i := 0; i < 3; i++ {
		if r, _ := l.Take(ctx, a, lim, 1); !r.Allowed {
			t.Fatalf("take %d of %v refused", i, a)
		}
	}
	if r, _ := l.Take(ctx, a, lim, 1); r.Allowed {
		t.Fatalf("%v granted beyond its burst", a)
	}
	// b, sharing a's slot tag, still has its whole burst.
	for i := 0; i < 3; i++ {
		if r, _ := l.Take(ctx, b, lim, 1); !r.Allowed {
			t.Fatalf("take %d of %v refused: it shares %v's bucket", i, b, a)
		}
	}
	if n := l.Len(); n != 2 {
		t.Fatalf("Len = %d, want 2", n)
	}
}
