package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/sqlite"
)

// A zero-length file where the database should be is refused, not taken
// for a new database, and left as it is.
func TestZeroLengthFileRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "headroom.db")
	must(t, os.WriteFile(path, nil, 0o600))
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path})
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a zero-length database file")
	}
	msg := headroom.ErrorMessage(err)
	if headroom.ErrorCodeOf(err) != headroom.EINVALID || !strings.Contains(msg, "is empty") || !strings.Contains(msg, path) {
		t.Fatalf("Open of a zero-length file: %v; want EINVALID saying it is empty", err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
		t.Fatalf("Open changed the empty file: %v, %v", fi, err)
	}
	t.Log(msg)
}

// A new database and every file SQLite and the store make next to it are
// readable by their owner only, and a new directory by its owner only,
// whatever the umask.
func TestNewFilesOwnerOnly(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "headroom.db")
	s := mustOpen(t, path)
	defer s.Close()
	// A write, so that the -wal and -shm files exist.
	must(t, s.CreateAccount(context.Background(), headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{}))
	if fi, err := os.Stat(dir); err != nil {
		t.Error(err)
	} else if fi.Mode().Perm() != 0o700 {
		t.Errorf("directory %s has mode %04o, want 0700", dir, fi.Mode().Perm())
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + ".lock"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", p, fi.Mode().Perm())
		}
	}
}
