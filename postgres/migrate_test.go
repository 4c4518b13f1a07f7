package postgres_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/testsvc"
	"github.com/headroomhq/headroom/postgres"
	"github.com/jackc/pgx/v5"
)

// TestConcurrentOpensMigrateOnce opens three Stores at once on a fresh
// schema: each migration is applied exactly once, and all three open.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	ctx := context.Background()
	url := testsvc.Postgres(t)
	var wg sync.WaitGroup
	stores := make([]*postgres.Store, 3)
	errs := make([]error, 3)
	for i := range stores {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			stores[i], errs[i] = postgres.Open(ctx, postgres.Config{URL: url})
		}(i)
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatalf("Open %d: %v", i, errs[i])
		}
		t.Cleanup(func() { s.Close() })
	}
	conn, err := testsvc.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	type applied struct{ version, n int }
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (applied, error) {
		var a applied
		return a, r.Scan(&a.version, &a.n)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != postgres.SchemaVersion() {
		t.Fatalf("schema_migrations has %d versions, want %d", len(got), postgres.SchemaVersion())
	}
	for i, a := range got {
		if a.version != i+1 || a.n != 1 {
			t.Fatalf("schema_migrations row %d = version %d applied %d times, want version %d once", i, a.version, a.n, i+1)
		}
	}
	// The stores work on the one schema.
	if err := stores[0].CreateAccount(ctx, headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if err := stores[2].CreateAccount(ctx, headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{}); headroom.ErrorCodeOf(err) != headroom.ECONFLICT {
		t.Fatalf("second CreateAccount on another store = %v, want ECONFLICT", err)
	}
}

// TestNewerSchemaRefused opens a schema that a newer Headroom migrated:
// Open refuses it, naming both versions, and changes nothing.
func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	url := testsvc.Postgres(t)
	s, err := postgres.Open(ctx, postgres.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	newer := postgres.SchemaVersion() + 1
	conn, err := testsvc.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, 'from_the_future')", newer); err != nil {
		t.Fatal(err)
	}
	_, err = postgres.Open(ctx, postgres.Config{URL: url})
	if headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("Open of a newer schema = %v, want EINVALID", err)
	}
	for _, want := range []string{"version " + strconv.Itoa(newer), "version " + strconv.Itoa(postgres.SchemaVersion()), "newer"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Open's error %q does not say %q", err, want)
		}
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != newer {
		t.Fatalf("schema_migrations has %d rows (%v), want %d: Open changed it", n, err, newer)
	}
}

// TestMissingSchemaRefused opens a URL whose search_path names no schema
// that exists.
func TestMissingSchemaRefused(t *testing.T) {
	url := testsvc.WithSearchPath(testsvc.PostgresBase(), "no_such_schema_for_headroom")
	if _, err := postgres.Open(context.Background(), postgres.Config{URL: url}); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("Open without a current schema = %v, want EINVALID", err)
	}
}

// TestSecretKey seals access-key secrets at rest and refuses another key,
// and no key, for a database sealed with one.
func TestSecretKey(t *testing.T) {
	ctx := context.Background()
	url := testsvc.Postgres(t)
	key := []byte(strings.Repeat("k", postgres.SecretKeySize))
	s, err := postgres.Open(ctx, postgres.Config{URL: url, SecretKey: key})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAccount(ctx, headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAccessKey(ctx, headroom.AccessKey{ID: "AKIA1", Account: acct, Secret: "plain-secret", Created: t0}, headroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	conn, err := testsvc.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var stored string
	if err := conn.QueryRow(ctx, "SELECT secret FROM access_keys WHERE id = 'AKIA1'").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, "plain-secret") || !strings.HasPrefix(stored, "v1:") {
		t.Fatalf("stored secret = %q, want it sealed", stored)
	}

	other := []byte(strings.Repeat("o", postgres.SecretKeySize))
	_, err = postgres.Open(ctx, postgres.Config{URL: url, SecretKey: other})
	if headroom.ErrorCodeOf(err) != headroom.EINVALID || !errors.Is(err, postgres.ErrWrongSecretKey) {
		t.Fatalf("Open with another key = %v, want EINVALID and ErrWrongSecretKey", err)
	}
	if _, err = postgres.Open(ctx, postgres.Config{URL: url}); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("Open without a key = %v, want EINVALID", err)
	}
	if _, err = postgres.Open(ctx, postgres.Config{URL: url, SecretKey: key[:16]}); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("Open with a short key = %v, want EINVALID", err)
	}
	s = openStore(t, postgres.Config{URL: url, SecretKey: key})
	k, err := s.FindAccessKey(ctx, "AKIA1")
	if err != nil || k.Secret != "plain-secret" {
		t.Fatalf("FindAccessKey = %+v, %v; want the secret back", k, err)
	}
}

// TestConfigValidate checks each field Validate refuses.
func TestConfigValidate(t *testing.T) {
	for name, c := range map[string]postgres.Config{
		"URL":               {},
		"OpTimeout":         {URL: "postgres://x", OpTimeout: -1},
		"HeartbeatInterval": {URL: "postgres://x", HeartbeatInterval: -1},
		"MaxConns":          {URL: "postgres://x", MaxConns: -1},
		"SecretKey":         {URL: "postgres://x", SecretKey: []byte("short")},
	} {
		err := c.Validate()
		var he *headroom.Error
		if !errors.As(err, &he) || he.Code != headroom.EINVALID || he.Field != name {
			t.Errorf("Validate with a bad %s = %v, want EINVALID naming it", name, err)
		}
	}
	if err := (&postgres.Config{URL: "postgres://x"}).Validate(); err != nil {
		t.Errorf("Validate of a good config = %v", err)
	}
}
