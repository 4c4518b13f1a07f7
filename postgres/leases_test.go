package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/testsvc"
	"github.com/headroomhq/headroom/postgres"
)

// TestFullKeyRefusesWithoutTheLock: while the lock of a full key is held
// (by a slow acquire on another node, say), an acquire on it is refused at
// once instead of queuing behind the lock; one on a key with room waits
// its turn, as it must.
func TestFullKeyRefusesWithoutTheLock(t *testing.T) {
	ctx := context.Background()
	url := testsvc.Postgres(t)
	s := openStore(t, postgres.Config{URL: url, OpTimeout: 3 * time.Second})
	key := headroom.UsageKey{Account: acct, Code: "L-CHATS", Scope: "instance/i-1"}
	lease := func(id string, limit int64) headroom.LeaseChange {
		return headroom.LeaseChange{Key: key, LeaseID: id, Limit: limit, Now: t0, Expires: t0.Add(time.Hour)}
	}
	if r, err := s.AcquireLease(ctx, lease("held", 1)); err != nil || !r.Applied {
		t.Fatalf("first lease: %+v %v", r, err)
	}
	// Another session holds the key's lock, as the store takes it.
	conn, err := testsvc.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(2, hashtext($4 || chr(1) || $1 || chr(1) || $2 || chr(1) || $3))",
		key.Account, key.Code, key.Scope, s.Schema()); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	r, err := s.AcquireLease(ctx, lease("late", 1))
	if err != nil || r.Applied || r.Used != 1 {
		t.Fatalf("acquire on a full, locked key: %+v %v; want refused with 1 used", r, err)
	}
	if took := time.Since(began); took > time.Second {
		t.Fatalf("the refusal took %v: it waited for the lock", took)
	}
	// With room, the acquire must take the lock: it waits, and fails at
	// the timeout while the lock stays held.
	began = time.Now()
	_, err = s.AcquireLease(ctx, lease("roomy", 2))
	if headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE || time.Since(began) < 2*time.Second {
		t.Fatalf("acquire with room while the lock is held: %v after %v; want it to wait and time out", err, time.Since(began))
	}
}
