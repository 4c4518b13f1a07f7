package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/storetest"
	"github.com/headroomhq/headroom/internal/testsvc"
	"github.com/headroomhq/headroom/postgres"
)

// openStore opens a store on url and closes it when t ends.
func openStore(t testing.TB, cfg postgres.Config) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestStoreContract(t *testing.T) {
	storetest.TestStore(t, func(t *testing.T) headroom.Store {
		return openStore(t, postgres.Config{URL: testsvc.Postgres(t), OpTimeout: contractTimeout})
	})
}

// contractTimeout is the OpTimeout of the contract suite's stores: its
// races start a thousand callers on one key or account at once, all
// queued for a pool of DefaultMaxConns connections, on a machine of two
// cores under the race detector; the default of 2 s bounds calls in an
// outage, not that stampede.
const contractTimeout = 15 * time.Second

func TestSnapshotContract(t *testing.T) {
	storetest.TestSnapshot(t, func(t *testing.T) headroom.Store {
		return openStore(t, postgres.Config{URL: testsvc.Postgres(t), SecretKey: make([]byte, postgres.SecretKeySize)})
	})
}

func TestBlobStoreContract(t *testing.T) {
	storetest.TestBlobStore(t, func(t *testing.T) headroom.BlobStore {
		return openStore(t, postgres.Config{URL: testsvc.Postgres(t)})
	})
}
