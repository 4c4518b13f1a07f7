package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/sqlite"
)

// damagedAccounts is how many accounts damagedStore writes.
const damagedAccounts = 5000

// damagedStore builds a closed store holding damagedAccounts accounts, one
// access key and audit entries, then overwrites one leaf page in the middle
// of the accounts table's b-tree with garbage. It returns the database path
// and the number of accounts the damaged page held.
func damagedStore(t *testing.T) (path string, lost int) {
	t.Helper()
	ctx := context.Background()
	path = filepath.Join(t.TempDir(), "headroom.db")
	s := mustOpen(t, path)
	must(t, s.CreateAccount(ctx, headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{Time: t0, Action: "account.create", Account: acct}))
	must(t, s.CreateAccessKey(ctx, headroom.AccessKey{ID: "AKIAKEPT", Account: acct, Secret: "kept-secret", Created: t0}, headroom.AuditEntry{}))
	must(t, s.Close())
	rawExec(t, path, fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
		INSERT INTO accounts (id, created, partner) SELECT printf('9%%011d', i), %d, '' FROM n`, damagedAccounts-1, t0.UnixNano()),
		"PRAGMA wal_checkpoint(TRUNCATE)")
	if _, err := os.Stat(path + "-wal"); err == nil {
		if fi, _ := os.Stat(path + "-wal"); fi.Size() > 0 {
			t.Fatal("the WAL still holds pages after the checkpoint")
		}
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	must(t, err)
	var pageSize, page int64
	must(t, db.QueryRow("PRAGMA page_size").Scan(&pageSize))
	var leaves int
	must(t, db.QueryRow("SELECT count(*) FROM dbstat WHERE name = 'accounts' AND pagetype = 'leaf'").Scan(&leaves))
	if leaves < 5 {
		t.Fatalf("accounts has %d leaf pages; want a few", leaves)
	}
	must(t, db.QueryRow("SELECT pageno, ncell FROM dbstat WHERE name = 'accounts' AND pagetype = 'leaf' ORDER BY path LIMIT 1 OFFSET ?", leaves/2).Scan(&page, &lost))
	must(t, db.Close())
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	must(t, err)
	garbage := bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef, 0x01, 0x7f, 0x80}, int(pageSize)/7+1)[:pageSize]
	_, err = f.WriteAt(garbage, (page-1)*pageSize)
	must(t, err)
	must(t, f.Close())
	t.Logf("overwrote page %d (%d bytes, %d accounts) of the accounts table", page, pageSize, lost)
	return path, lost
}

// A damaged database is refused at Open, untouched, with a message that
// says how to restore it.
func TestOpenRefusesDamagedDatabase(t *testing.T) {
	path, _ := damagedStore(t)
	before := readAll(t, path)
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path})
	if err == nil {
		defer s.Close()
		_, werr := s.FindAccount(context.Background(), acct)
		t.Fatalf("Open accepted a damaged database (FindAccount: %v)", werr)
	}
	msg := headroom.ErrorMessage(err)
	if headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Errorf("code %s, want EINVALID", headroom.ErrorCodeOf(err))
	}
	for _, w := range []string{path, "is damaged", "backup", "headroom db check --data " + filepath.Dir(path), "headroom db recover --data " + filepath.Dir(path)} {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not say %q", msg, w)
		}
	}
	if after := readAll(t, path); !bytes.Equal(before, after) {
		t.Error("Open changed the damaged file")
	}
	t.Log(msg)
}
