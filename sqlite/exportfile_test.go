package sqlite_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/storetest"
	"github.com/headroomhq/headroom/sqlite"
)

// dirState is every file of dir with a hash of its content, to tell that
// nothing in it changed.
func dirState(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := ""
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("%s %x\n", e.Name(), sha256.Sum256(b))
	}
	return out
}

// ExportFile reads what Export reads, with the secrets opened, and leaves
// every file of the directory as it was; it refuses a database in use, a
// wrong key and a missing file.
func TestExportFile(t *testing.T) {
	ctx := context.Background()
	key := make([]byte, sqlite.SecretKeySize)
	key[0] = 7
	dir := t.TempDir()
	path := filepath.Join(dir, "headroom.db")
	s, err := sqlite.Open(ctx, sqlite.Config{Path: path, SecretKey: key})
	must(t, err)
	must(t, s.CreateAccount(ctx, headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{Time: t0, Action: "account.create"}))
	must(t, s.CreateAccessKey(ctx, headroom.AccessKey{ID: "AKIA1", Account: acct, Secret: "s3cret", Created: t0}, headroom.AuditEntry{}))
	want, err := s.Export(ctx)
	must(t, err)

	_, err = sqlite.ExportFile(ctx, path, key)
	if headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE {
		t.Fatalf("ExportFile of a database in use: %v; want EUNAVAILABLE", err)
	}
	must(t, s.Close())

	before := dirState(t, dir)
	got, err := sqlite.ExportFile(ctx, path, key)
	must(t, err)
	if d := storetest.SnapshotDiff(got, want); d != "" {
		t.Fatalf("ExportFile differs from Export: %s", d)
	}
	if len(got.AccessKeys) != 1 || got.AccessKeys[0].Secret != "s3cret" {
		t.Fatalf("access keys = %+v", got.AccessKeys)
	}
	if after := dirState(t, dir); after != before {
		t.Fatalf("ExportFile changed the directory:\nbefore:\n%safter:\n%s", before, after)
	}

	other := make([]byte, sqlite.SecretKeySize)
	if _, err := sqlite.ExportFile(ctx, path, other); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("ExportFile with a wrong key: %v; want EINVALID", err)
	}
	if _, err := sqlite.ExportFile(ctx, path, nil); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("ExportFile without the key: %v; want EINVALID", err)
	}
	if _, err := sqlite.ExportFile(ctx, filepath.Join(dir, "nope.db"), key); headroom.ErrorCodeOf(err) != headroom.EINVALID {
		t.Fatalf("ExportFile of a missing file: %v; want EINVALID", err)
	}
	if after := dirState(t, dir); after != before {
		t.Fatalf("a refused ExportFile changed the directory:\nbefore:\n%safter:\n%s", before, after)
	}
}

// A database left with its WAL, as by a Headroom that did not stop
// cleanly, is read with what the WAL holds, and the database file and the
// WAL are not written.
func TestExportFileWithWAL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "headroom.db")
	s, err := sqlite.Open(ctx, sqlite.Config{Path: path})
	must(t, err)
	defer s.Close()
	must(t, s.CreateAccount(ctx, headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{}))
	crashed := t.TempDir()
	for _, name := range []string{"headroom.db", "headroom.db-wal"} {
		b := readAll(t, filepath.Join(dir, name))
		must(t, os.WriteFile(filepath.Join(crashed, name), b, 0o600))
	}
	if fi, err := os.Stat(filepath.Join(crashed, "headroom.db-wal")); err != nil || fi.Size() == 0 {
		t.Fatalf("the WAL to copy is empty or missing: %v", err)
	}
	db := readAll(t, filepath.Join(crashed, "headroom.db"))
	wal := readAll(t, filepath.Join(crashed, "headroom.db-wal"))
	snap, err := sqlite.ExportFile(ctx, filepath.Join(crashed, "headroom.db"), nil)
	must(t, err)
	if len(snap.Accounts) != 1 || snap.Accounts[0].ID != acct {
		t.Fatalf("accounts = %+v; want the one in the WAL", snap.Accounts)
	}
	if string(readAll(t, filepath.Join(crashed, "headroom.db"))) != string(db) || string(readAll(t, filepath.Join(crashed, "headroom.db-wal"))) != string(wal) {
		t.Fatal("ExportFile wrote to the database or its WAL")
	}
}
