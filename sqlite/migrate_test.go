package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/sqlite"
)

// TestMigrateFromVersion1 opens a database that an older Headroom left at
// schema version 1: Open migrates it and keeps its data.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "headroom.db")
	init, err := os.ReadFile("migrations/0001_init.sql")
	must(t, err)
	db, err := sql.Open("sqlite", path)
	must(t, err)
	for _, q := range []string{
		"PRAGMA journal_mode = WAL",
		string(init),
		"CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)",
		"INSERT INTO schema_version VALUES (1, 0)",
		"PRAGMA application_id = 1214534253",
		"INSERT INTO accounts (id, created, partner) VALUES ('" + acct + "', " + itoa(int(t0.UnixNano())) + ", '')",
		"INSERT INTO counts VALUES ('" + acct + "', 'L-U', 'account', 7)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%.40s: %v", q, err)
		}
	}
	must(t, db.Close())

	s := mustOpen(t, path)
	defer s.Close()
	if a, err := s.FindAccount(ctx, acct); err != nil || !a.Created.Equal(t0) {
		t.Fatalf("account after migration = %+v, %v", a, err)
	}
	if n, _ := s.CountUsage(ctx, headroom.UsageKey{Account: acct, Code: "L-U", Scope: "account"}); n != 7 {
		t.Fatalf("usage after migration = %d, want 7", n)
	}
	// Version 2's tables work.
	must(t, s.TagResource(ctx, acct, "arn:x", map[string]string{"k": "v"}))
	if tags, _ := s.ListTags(ctx, acct, "arn:x"); tags["k"] != "v" {
		t.Fatalf("tags after migration = %v", tags)
	}
	must(t, s.Close())
	db, err = sql.Open("sqlite", path)
	must(t, err)
	defer db.Close()
	var v int
	must(t, db.QueryRow("SELECT max(version) FROM schema_version").Scan(&v))
	if v != sqlite.SchemaVersion() {
		t.Fatalf("schema version after Open = %d, want %d", v, sqlite.SchemaVersion())
	}
}
