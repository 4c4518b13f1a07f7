package memory_test

import (
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/storetest"
	"github.com/headroomhq/headroom/memory"
)

func TestStoreContract(t *testing.T) {
	storetest.TestStore(t, func(t *testing.T) headroom.Store { return memory.NewStore() })
}

func TestLimiterContract(t *testing.T) {
	storetest.TestLimiter(t, func(t *testing.T, clk headroom.Clock) headroom.Limiter { return memory.NewLimiter(clk) })
}

var storetestT0 = storetest.T0

func TestSnapshotContract(t *testing.T) {
	storetest.TestSnapshot(t, func(t *testing.T) headroom.Store { return memory.NewStore() })
}

func TestBlobStoreContract(t *testing.T) {
	storetest.TestBlobStore(t, func(t *testing.T) headroom.BlobStore { return memory.NewStore() })
}
