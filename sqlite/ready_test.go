package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/sqlite"
)

// The store is ready while it can commit; another process holding the
// write lock makes it unready, and counts an internal error; a closed store
// is unready.
func TestReady(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "headroom.db")
	s, err := sqlite.Open(ctx, sqlite.Config{Path: path, BusyTimeout: 50 * time.Millisecond})
	must(t, err)
	defer s.Close()
	var r interface{ Ready(context.Context) error } = s
	if err := r.Ready(ctx); err != nil {
		t.Fatalf("Ready of a new store: %v", err)
	}
	if n := s.Stats().InternalErrors; n != 0 {
		t.Fatalf("InternalErrors = %d after a good start", n)
	}

	// Another process's connection takes the write lock and keeps it.
	db, err := sql.Open("sqlite", path)
	must(t, err)
	defer db.Close()
	conn, err := db.Conn(ctx)
	must(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
	must(t, err)
	err = r.Ready(ctx)
	if headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE {
		t.Fatalf("Ready while another connection holds the write lock: %v, want EUNAVAILABLE", err)
	}
	t.Logf("unready: %v", err)
	if n := s.Stats().InternalErrors; n < 1 {
		t.Errorf("InternalErrors = %d after a failed commit, want at least 1", n)
	}
	_, err = conn.ExecContext(ctx, "ROLLBACK")
	must(t, err)
	if err := r.Ready(ctx); err != nil {
		t.Fatalf("Ready once the lock is released: %v", err)
	}

	// A cancelled context is the caller's doing: unready, but not counted.
	before := s.Stats().InternalErrors
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := r.Ready(cancelled); headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE {
		t.Errorf("Ready with a cancelled context: %v", err)
	}
	if n := s.Stats().InternalErrors; n != before {
		t.Errorf("InternalErrors went from %d to %d for a cancelled context", before, n)
	}

	must(t, s.Close())
	if err := r.Ready(ctx); headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE {
		t.Fatalf("Ready after Close: %v, want EUNAVAILABLE", err)
	}
}

// Damage met while the store serves is counted, and makes the store unready
// for good.
func TestReadyAfterDamage(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "headroom.db")
	s := mustOpen(t, path)
	defer s.Close()
	// Audit entries the store has never read, written and checkpointed
	// into the database file by another connection.
	rawExec(t, path, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
		INSERT INTO audit (time, actor, account, action, code, scope, detail) SELECT i, 'op', 'a', 'x', '', '', printf('entry %d', i) FROM n`,
		"PRAGMA wal_checkpoint(TRUNCATE)")
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	must(t, err)
	var pageSize, page int64
	must(t, db.QueryRow("PRAGMA page_size").Scan(&pageSize))
	must(t, db.QueryRow("SELECT pageno FROM dbstat WHERE name = 'audit' AND pagetype = 'leaf' ORDER BY path LIMIT 1 OFFSET 3").Scan(&page))
	must(t, db.Close())
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	must(t, err)
	_, err = f.WriteAt(bytes.Repeat([]byte{0xff}, int(pageSize)), (page-1)*pageSize)
	must(t, err)
	must(t, f.Close())

	_, err = s.ListAudit(ctx, headroom.AuditFilter{Account: "a"})
	if err == nil {
		t.Fatal("ListAudit read a damaged page without an error")
	}
	if n := s.Stats().InternalErrors; n < 1 {
		t.Errorf("InternalErrors = %d after reading a damaged page", n)
	}
	err = s.Ready(ctx)
	if headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE || !strings.Contains(headroom.ErrorMessage(err), "damaged") {
		t.Fatalf("Ready after damage: %v; want EUNAVAILABLE saying damaged", err)
	}
	t.Log(err)
}
