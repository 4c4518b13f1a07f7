package main

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
)

// damageData writes a store with accounts in dir through a server, then
// overwrites a leaf page in the middle of the accounts table with garbage.
// It returns how many accounts there were.
func damageData(t *testing.T, dir string) int {
	t.Helper()
	const n = 3000
	m, _ := startMain(t, dir, map[string]string{"HEADROOM_ADMIN_TOKEN": "hr_test"})
	if _, _, err := m.Engine().CreateAccount(context.Background(), headroom.Account{ID: "111122223333"}, "test"); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, DatabaseFile)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	var pageSize, page int64
	for _, q := range []string{
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO accounts (id, created, partner) SELECT printf('9%%011d', i), 0, '' FROM n`, n-1),
		"PRAGMA wal_checkpoint(TRUNCATE)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.QueryRow("PRAGMA page_size").Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT pageno FROM dbstat WHERE name = 'accounts' AND pagetype = 'leaf' ORDER BY path
		LIMIT 1 OFFSET (SELECT count(*) / 2 FROM dbstat WHERE name = 'accounts' AND pagetype = 'leaf')`).Scan(&page); err != nil {
		t.Fatal(err)
	}
	db.Close()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(bytes.Repeat([]byte("garbage!"), int(pageSize)/8), (page-1)*pageSize); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDBCheckAndRecover(t *testing.T) {
	dir := t.TempDir()
	// A sound database checks clean.
	m, _ := startMain(t, dir, map[string]string{"HEADROOM_ADMIN_TOKEN": "hr_test"})
	m.Close()
	if code, out, errs := cli(t, nil, "db", "check", "--data", dir); code != 0 || !strings.Contains(out, ": ok") {
		t.Fatalf("db check of a sound database: %d\n%s%s", code, out, errs)
	}

	dir = t.TempDir()
	total := damageData(t, dir)
	path := filepath.Join(dir, DatabaseFile)
	before, _ := os.ReadFile(path)

	// The server refuses it, saying what to do.
	srv := NewMain()
	srv.Config.Addr, srv.Config.DataDir, srv.Config.AdminToken = "127.0.0.1:0", dir, "hr_test"
	srv.Stderr = &lockedBuffer{}
	if err := srv.Run(context.Background()); err == nil {
		srv.Close()
		t.Fatal("the server started on a damaged database")
	} else if !strings.Contains(err.Error(), "headroom db check --data "+dir) {
		t.Fatalf("server start: %v", err)
	}

	code, out, errs := cli(t, nil, "db", "check", "--data", dir)
	if code != 1 || !strings.Contains(out, "malformed") || !strings.Contains(errs, "is damaged") {
		t.Fatalf("db check of a damaged database: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	t.Logf("db check:\n%s%s", out, errs)

	to := filepath.Join(t.TempDir(), "recovered.db")
	code, out, errs = cli(t, nil, "db", "recover", "--data", dir, "--to", to)
	if code != 0 || !strings.Contains(out, "accounts") || !strings.Contains(out, "wrote "+to) {
		t.Fatalf("db recover: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	t.Logf("db recover:\n%s", out)
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("db check or recover changed the damaged file")
	}
	if code, out, errs := cli(t, nil, "db", "check", "--file", to); code != 0 {
		t.Fatalf("db check of the recovered database: %d\n%s%s", code, out, errs)
	}

	// A server runs on the recovered database, with the key file of the
	// damaged one, and finds what survived.
	newDir := t.TempDir()
	if err := os.Rename(to, filepath.Join(newDir, DatabaseFile)); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "secret-key"), filepath.Join(newDir, "secret-key")); err != nil {
		t.Fatal(err)
	}
	m, _ = startMain(t, newDir, map[string]string{"HEADROOM_ADMIN_TOKEN": "hr_test"})
	defer m.Close()
	accounts, err := m.Engine().ListAccounts(context.Background())
	if err != nil || len(accounts) < total/2 || len(accounts) >= total {
		t.Fatalf("recovered server lists %d accounts, %v; want most of %d", len(accounts), err, total)
	}
	if _, err := m.Engine().FindAccount(context.Background(), "111122223333"); err != nil {
		t.Fatal(err)
	}

	// Usage errors.
	if code, _, _ := cli(t, nil, "db", "recover", "--data", dir); code != exitUsage {
		t.Errorf("db recover without --to: exit %d", code)
	}
	if code, _, _ := cli(t, nil, "db", "nope"); code != exitUsage {
		t.Errorf("db nope: exit %d", code)
	}
}
