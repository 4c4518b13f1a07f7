package postgres_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/headroomhq/headroom/clock"
	"github.com/headroomhq/headroom/internal/testsvc"
	"github.com/headroomhq/headroom/postgres"
)

// TestLiveNodes counts the nodes sharing a schema by their heartbeats, on
// the injected clock.
func TestLiveNodes(t *testing.T) {
	ctx := context.Background()
	url := testsvc.Postgres(t)
	clk := clock.NewManual(t0)
	cfg := postgres.Config{URL: url, Clock: clk, HeartbeatInterval: time.Hour}
	cfg.NodeID = "a"
	a := openStore(t, cfg)
	if n, err := a.LiveNodes(ctx); err != nil || n != 1 {
		t.Fatalf("LiveNodes alone = %d, %v; want 1", n, err)
	}
	cfg.NodeID = "b"
	b, err := postgres.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := a.LiveNodes(ctx); err != nil || n != 2 {
		t.Fatalf("LiveNodes with b = %d, %v; want 2", n, err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := a.LiveNodes(ctx); err != nil || n != 1 {
		t.Fatalf("LiveNodes after b closed = %d, %v; want 1", n, err)
	}
	cfg.NodeID = "c"
	c := openStore(t, cfg)
	// c's heartbeat gets old: past three intervals it no longer counts,
	// but a node always counts itself.
	clk.Advance(4 * time.Hour)
	if n, err := a.LiveNodes(ctx); err != nil || n != 1 {
		t.Fatalf("LiveNodes after the heartbeats aged = %d, %v; want 1", n, err)
	}
	if n, err := c.LiveNodes(ctx); err != nil || n != 1 {
		t.Fatalf("c's LiveNodes = %d, %v; want 1", n, err)
	}
}

// TestSharedKey gets one key for every caller, however many ask at once.
func TestSharedKey(t *testing.T) {
	ctx := context.Background()
	url := testsvc.Postgres(t)
	a := openStore(t, postgres.Config{URL: url})
	b := openStore(t, postgres.Config{URL: url})
	keys := make([][]byte, 16)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s := a
			if i%2 == 1 {
				s = b
			}
			k, err := s.SharedKey(ctx, "paging", 32)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		}(i)
	}
	wg.Wait()
	for i, k := range keys {
		if len(k) != 32 || !bytes.Equal(k, keys[0]) {
			t.Fatalf("key %d = %x, want the 32 bytes of key 0 (%x)", i, k, keys[0])
		}
	}
	other, err := a.SharedKey(ctx, "other", 16)
	if err != nil || len(other) != 16 || bytes.Equal(other, keys[0][:16]) {
		t.Fatalf("another name's key = %x, %v", other, err)
	}
	if _, err := a.SharedKey(ctx, "bad", 0); err == nil {
		t.Fatal("SharedKey of size 0 succeeded")
	}
}
