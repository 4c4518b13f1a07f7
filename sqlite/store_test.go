package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/storetest"
	"github.com/headroomhq/headroom/sqlite"
)

// openStore opens a store in a fresh directory and closes it when t ends.
func openStore(t testing.TB, cfg sqlite.Config) *sqlite.Store {
	t.Helper()
	if cfg.Path == "" {
		cfg.Path = filepath.Join(t.TempDir(), "headroom.db")
	}
	s, err := sqlite.Open(context.Background(), cfg)
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
	for _, tc := range []struct {
		name string
		cfg  sqlite.Config
	}{
		{"group-commit", sqlite.Config{}},
		{"no-group-commit", sqlite.Config{NoGroupCommit: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.TestStore(t, func(t *testing.T) headroom.Store { return openStore(t, tc.cfg) })
		})
	}
}

func TestSnapshotContract(t *testing.T) {
	key := make([]byte, sqlite.SecretKeySize)
	for i := range key {
		key[i] = byte(i)
	}
	storetest.TestSnapshot(t, func(t *testing.T) headroom.Store { return openStore(t, sqlite.Config{SecretKey: key}) })
}
