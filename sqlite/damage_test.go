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

// Check lists the damage of a damaged database, none of a sound one, and
// changes neither.
func TestCheck(t *testing.T) {
	ctx := context.Background()
	sound := filepath.Join(t.TempDir(), "headroom.db")
	must(t, mustOpen(t, sound).Close())
	if problems, err := sqlite.Check(ctx, sound); err != nil || len(problems) != 0 {
		t.Fatalf("Check of a sound database = %q, %v", problems, err)
	}
	path, _ := damagedStore(t)
	before := readAll(t, path)
	problems, err := sqlite.Check(ctx, path)
	if err != nil || len(problems) == 0 {
		t.Fatalf("Check of a damaged database = %q, %v; want problems", problems, err)
	}
	t.Logf("problems: %q", problems)
	if after := readAll(t, path); !bytes.Equal(before, after) {
		t.Error("Check changed the damaged file")
	}
	empty := filepath.Join(t.TempDir(), "headroom.db")
	must(t, os.WriteFile(empty, nil, 0o600))
	if _, err := sqlite.Check(ctx, empty); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Errorf("Check of an empty file: %v, want EINVALID", err)
	}
}

// Recover copies every readable row of a damaged database into a new file
// that Open accepts, and leaves the damaged file as it was.
func TestRecover(t *testing.T) {
	ctx := context.Background()
	path, lost := damagedStore(t)
	before := readAll(t, path)
	to := filepath.Join(t.TempDir(), "recovered.db")
	rec, err := sqlite.Recover(ctx, path, to)
	if err != nil {
		t.Fatal(err)
	}
	if after := readAll(t, path); !bytes.Equal(before, after) {
		t.Error("Recover changed the damaged file")
	}
	if !rec.Damaged() {
		t.Error("Recover reports no damage")
	}
	for _, tb := range rec.Tables {
		t.Logf("%s: %d copied, %d skipped (unknown: %v) %q", tb.Name, tb.Copied, tb.Skipped, tb.SkippedUnknown, tb.Problems)
		if tb.Name == "accounts" && (tb.Copied < damagedAccounts-lost || tb.Copied >= damagedAccounts || !tb.SkippedUnknown) {
			t.Errorf("accounts: %d copied (unknown skipped: %v); want at least %d of %d, and the loss reported", tb.Copied, tb.SkippedUnknown, damagedAccounts-lost, damagedAccounts)
		}
		if tb.Name == "access_keys" && (tb.Copied != 1 || tb.Skipped != 0 || len(tb.Problems) != 0) {
			t.Errorf("access_keys: %+v; want its one row copied", tb)
		}
	}
	if fi, err := os.Stat(to); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("recovered file: %v, %v; want mode 0600", fi, err)
	}
	if problems, err := sqlite.Check(ctx, to); err != nil || len(problems) != 0 {
		t.Fatalf("Check of the recovered database = %q, %v", problems, err)
	}
	s := mustOpen(t, to)
	defer s.Close()
	accounts, err := s.ListAccounts(ctx)
	if err != nil || len(accounts) < damagedAccounts-lost || len(accounts) >= damagedAccounts {
		t.Fatalf("recovered store lists %d accounts, %v; want at least %d", len(accounts), err, damagedAccounts-lost)
	}
	if k, err := s.FindAccessKey(ctx, "AKIAKEPT"); err != nil || k.Secret != "kept-secret" || k.Account != acct {
		t.Fatalf("recovered access key: %+v, %v", k, err)
	}
	if _, err := s.FindAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	// The new database takes writes.
	must(t, s.CreateAccount(ctx, headroom.Account{ID: "444455556666", Created: t0}, headroom.AuditEntry{}))
	// Recover never writes over a file.
	if _, err := sqlite.Recover(ctx, path, to); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Errorf("Recover onto an existing file: %v, want EINVALID", err)
	}
}

// Rows of a rowid table on a damaged page are counted one by one, and the
// rows around them copied.
func TestRecoverRowidTable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "headroom.db")
	must(t, mustOpen(t, path).Close())
	rawExec(t, path, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
		INSERT INTO audit (time, actor, account, action, code, scope, detail) SELECT i, 'op', 'a', 'x', '', '', printf('entry %d', i) FROM n`,
		"PRAGMA wal_checkpoint(TRUNCATE)")
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	must(t, err)
	var pageSize, page int64
	var cells, leaves int
	must(t, db.QueryRow("PRAGMA page_size").Scan(&pageSize))
	must(t, db.QueryRow("SELECT count(*) FROM dbstat WHERE name = 'audit' AND pagetype = 'leaf'").Scan(&leaves))
	must(t, db.QueryRow("SELECT pageno, ncell FROM dbstat WHERE name = 'audit' AND pagetype = 'leaf' ORDER BY path LIMIT 1 OFFSET ?", leaves/2).Scan(&page, &cells))
	must(t, db.Close())
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	must(t, err)
	_, err = f.WriteAt(bytes.Repeat([]byte{0xff}, int(pageSize)), (page-1)*pageSize)
	must(t, err)
	must(t, f.Close())
	rec, err := sqlite.Recover(ctx, path, filepath.Join(t.TempDir(), "recovered.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range rec.Tables {
		if tb.Name == "audit" {
			t.Logf("audit: %+v", tb)
			if tb.Copied+tb.Skipped != 5000 || tb.Skipped != cells || tb.SkippedUnknown {
				t.Fatalf("audit: %d copied, %d skipped; want %d skipped of 5000", tb.Copied, tb.Skipped, cells)
			}
		}
	}
}
