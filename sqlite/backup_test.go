package sqlite_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/sqlite"
)

// TestBackupUnderLoad takes a backup while writers run and opens it as a
// store: it holds every reserve acknowledged before the backup started.
func TestBackupUnderLoad(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, sqlite.Config{})
	must(t, s.CreateAccount(ctx, headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{Time: t0, Action: "account.create", Account: acct}))
	k := headroom.UsageKey{Account: acct, Code: "L-U", Scope: "account"}
	change := func(g, i int) headroom.CountChange {
		return headroom.CountChange{Key: k, Amount: 1, Limit: 1 << 40, IdempotencyKey: fmt.Sprintf("g%d-%d", g, i), Now: t0}
	}
	const writers = 8
	var (
		stop  atomic.Bool
		wg    sync.WaitGroup
		mu    sync.Mutex
		acked = map[string]headroom.CountChange{}
		total atomic.Int64
	)
	for g := 0; g < writers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				c := change(g, i)
				if r, err := s.Reserve(ctx, c); err != nil || !r.Applied {
					t.Errorf("Reserve: %+v, %v", r, err)
					return
				}
				mu.Lock()
				acked[c.IdempotencyKey] = c
				mu.Unlock()
				total.Add(1)
			}
		}(g)
	}
	waitFor(t, "some writes", func() bool { return total.Load() >= 200 })
	mu.Lock()
	before := make([]headroom.CountChange, 0, len(acked))
	for _, c := range acked {
		before = append(before, c)
	}
	mu.Unlock()
	var buf bytes.Buffer
	err := s.Backup(ctx, &buf)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	path := filepath.Join(t.TempDir(), "restored.db")
	must(t, os.WriteFile(path, buf.Bytes(), 0o600))
	r := mustOpen(t, path)
	defer r.Close()
	n, err := r.CountUsage(ctx, k)
	if err != nil || n < int64(len(before)) || n > total.Load() {
		t.Fatalf("restored usage = %d, %v; want between %d acknowledged before the backup and %d in all", n, err, len(before), total.Load())
	}
	for _, c := range before {
		if res, err := r.Reserve(ctx, c); err != nil || !res.Replayed {
			t.Fatalf("key %s acknowledged before the backup: %+v, %v; want a replay", c.IdempotencyKey, res, err)
		}
	}
	if _, err := r.FindAccount(ctx, acct); err != nil {
		t.Fatalf("restored account: %v", err)
	}
	t.Logf("backup of %d bytes: %d reserves acknowledged before it, %d in it, %d in all", buf.Len(), len(before), n, total.Load())
}
