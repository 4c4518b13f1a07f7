package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/sqlite"
)

// writeOldStore writes at path a database as a Headroom of schema version
// v left it: the migrations up to v, their schema_version rows and the
// application id, then the statements of data.
func writeOldStore(t *testing.T, path string, v int, data ...string) {
	t.Helper()
	qs := []string{"PRAGMA journal_mode = WAL"}
	for i := 1; i <= v; i++ {
		files, err := filepath.Glob(fmt.Sprintf("migrations/%04d_*.sql", i))
		if err != nil || len(files) != 1 {
			t.Fatalf("migration %d: %v, %v", i, files, err)
		}
		b, err := os.ReadFile(files[0])
		must(t, err)
		qs = append(qs, string(b))
	}
	qs = append(qs, "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)")
	for i := 1; i <= v; i++ {
		qs = append(qs, fmt.Sprintf("INSERT INTO schema_version VALUES (%d, 0)", i))
	}
	qs = append(qs, "PRAGMA application_id = 1214534253")
	db, err := sql.Open("sqlite", path)
	must(t, err)
	defer db.Close()
	for _, q := range append(qs, data...) {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%.40s: %v", q, err)
		}
	}
}

// wantSchemaVersion checks the version recorded in the closed database.
func wantSchemaVersion(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	must(t, err)
	defer db.Close()
	var v int
	must(t, db.QueryRow("SELECT max(version) FROM schema_version").Scan(&v))
	if v != sqlite.SchemaVersion() {
		t.Fatalf("schema version after Open = %d, want %d", v, sqlite.SchemaVersion())
	}
}

// TestMigrateFromVersion1 opens a database that an older Headroom left at
// schema version 1: Open migrates it and keeps its data.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "headroom.db")
	writeOldStore(t, path, 1,
		"INSERT INTO accounts (id, created, partner) VALUES ('"+acct+"', "+itoa(int(t0.UnixNano()))+", '')",
		"INSERT INTO counts VALUES ('"+acct+"', 'L-U', 'account', 7)")

	s := mustOpen(t, path)
	defer s.Close()
	if a, err := s.FindAccount(ctx, acct); err != nil || !a.Created.Equal(t0) {
		t.Fatalf("account after migration = %+v, %v", a, err)
	}
	if n, _ := s.CountUsage(ctx, headroom.UsageKey{Account: acct, Code: "L-U", Scope: "account"}); n != 7 {
		t.Fatalf("usage after migration = %d, want 7", n)
	}
	// Version 2's tables work.
	must(t, s.TagResource(ctx, acct, "arn:x", map[string]string{"k": "v"}, 0))
	if tags, _ := s.ListTags(ctx, acct, "arn:x"); tags["k"] != "v" {
		t.Fatalf("tags after migration = %v", tags)
	}
	must(t, s.Close())
	wantSchemaVersion(t, path)
}

// TestMigrateFromVersion2 opens a database that an older Headroom left at
// schema version 2: Open adds the resources table and keeps the data.
func TestMigrateFromVersion2(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "headroom.db")
	writeOldStore(t, path, 2,
		"INSERT INTO accounts (id, created, partner) VALUES ('"+acct+"', "+itoa(int(t0.UnixNano()))+", 'AISPL')",
		"INSERT INTO counts VALUES ('"+acct+"', 'L-USERS', 'instance/i-1', 3)",
		"INSERT INTO idempotency_keys VALUES ('"+acct+"', 'k-1', 'reserve', 'L-USERS', 'instance/i-1', 3, 0)",
		"INSERT INTO tags VALUES ('"+acct+"', 'arn:x', 'team', 'a')",
		"INSERT INTO template_entries VALUES ('connect', 'L-1', 'us-east-1', 50)",
		"INSERT INTO audit (time, actor, account, action, code, scope, detail) VALUES (0, 'op', '"+acct+"', 'old.entry', '', '', 'v2')")

	s := mustOpen(t, path)
	defer s.Close()
	if a, err := s.FindAccount(ctx, acct); err != nil || !a.Created.Equal(t0) || a.Partner != headroom.PartnerAISPL {
		t.Fatalf("account after migration = %+v, %v", a, err)
	}
	slot := headroom.UsageKey{Account: acct, Code: "L-USERS", Scope: "instance/i-1"}
	if n, _ := s.CountUsage(ctx, slot); n != 3 {
		t.Fatalf("usage after migration = %d, want 3", n)
	}
	if r, err := s.Reserve(ctx, headroom.CountChange{Key: slot, Amount: 3, Limit: 10, IdempotencyKey: "k-1", Now: t0}); err != nil || !r.Replayed || r.Used != 3 {
		t.Fatalf("idempotency key after migration: %+v, %v; want a replay", r, err)
	}
	if tags, _ := s.ListTags(ctx, acct, "arn:x"); tags["team"] != "a" {
		t.Fatalf("tags after migration = %v", tags)
	}
	if l, _ := s.ListTemplateEntries(ctx); len(l) != 1 || l[0].DesiredValue != 50 {
		t.Fatalf("template after migration = %+v", l)
	}
	if l, _ := s.ListAudit(ctx, headroom.AuditFilter{Account: acct}); len(l) != 1 || l[0].Detail != "v2" {
		t.Fatalf("audit after migration = %+v", l)
	}
	// Version 3's resources work, holding slots of the old counter.
	u := headroom.Resource{Account: acct, Kind: "connect:user", ID: "u-1", Parent: "i-1", Name: "alice", Data: []byte(`{}`), Created: t0, Updated: t0}
	if r, err := s.CreateResource(ctx, u, headroom.SlotChange{Hold: &headroom.CountChange{Key: slot, Amount: 1, Limit: 10, Now: t0}}, nil, headroom.AuditEntry{}); err != nil || !r.Applied || r.Used != 4 {
		t.Fatalf("CreateResource after migration = %+v, %v", r, err)
	}
	if l, err := s.ListResources(ctx, headroom.ResourceFilter{Account: acct, Kind: "connect:user", Parent: "i-1"}); err != nil || len(l) != 1 || l[0].Name != "alice" {
		t.Fatalf("ListResources after migration = %+v, %v", l, err)
	}
	must(t, s.Close())
	wantSchemaVersion(t, path)

	// And it is all there after another Open, which migrates nothing.
	s = mustOpen(t, path)
	defer s.Close()
	if _, err := s.FindResource(ctx, acct, "connect:user", "u-1"); err != nil {
		t.Fatalf("resource after reopen: %v", err)
	}
	if n, _ := s.CountUsage(ctx, slot); n != 4 {
		t.Fatalf("usage after reopen = %d, want 4", n)
	}
}
