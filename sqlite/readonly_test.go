package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/sqlite"
)

// A database file the process may not write (mode 0400) cannot serve: Open
// refuses it with EUNAVAILABLE, and leaves it as it was. Root writes any
// file, so the test needs another user.
func TestReadOnlyFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may write a 0400 file; run as another user")
	}
	path := filepath.Join(t.TempDir(), "headroom.db")
	s := mustOpen(t, path)
	must(t, s.CreateAccount(context.Background(), headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{}))
	must(t, s.Close())
	must(t, os.Chmod(path, 0o400))
	before := readAll(t, path)
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path})
	if err == nil {
		defer s.Close()
		t.Fatalf("Open of a read-only file succeeded; Ready = %v", s.Ready(context.Background()))
	}
	if headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open of a read-only file: %v; want EUNAVAILABLE naming it", err)
	}
	t.Log(err)
	if after := readAll(t, path); string(after) != string(before) {
		t.Error("Open changed the read-only file")
	}
}
