package server_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/server"
)

// syncBuffer is a goroutine-safe log buffer.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runData starts a server with its data in dir and returns it with its log.
func runData(t *testing.T, dir string, mod func(*server.Server)) (*server.Server, *syncBuffer, error) {
	t.Helper()
	m := server.New()
	m.Config.Addr, m.Config.DataDir = "127.0.0.1:0", dir
	logs := &syncBuffer{}
	m.Stderr = logs
	if mod != nil {
		mod(m)
	}
	err := m.Run(context.Background())
	if err == nil {
		t.Cleanup(func() { m.Close() })
	}
	return m, logs, err
}

// After a first start, the data directory is 0700 and every file in it
// 0600, whatever the umask.
func TestDataFilesOwnerOnly(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	m, logs, err := runData(t, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Engine().CreateAccount(context.Background(), headroom.Account{ID: "123456789012"}, "test"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory: %v, %v; want mode 0700", fi, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		seen[e.Name()] = true
		want := os.FileMode(0o600)
		if fi.IsDir() { // attachments/: its files are 0600 too
			want = 0o700
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %04o, want %04o", e.Name(), fi.Mode().Perm(), want)
		}
	}
	for _, name := range []string{server.DatabaseFile, server.DatabaseFile + "-wal", server.DatabaseFile + "-shm", server.DatabaseFile + ".lock",
		server.AdminTokenFile, server.PagingKeyFile, server.SecretKeyFile} {
		if !seen[name] {
			t.Errorf("no %s in the data directory", name)
		}
	}
	if strings.Contains(logs.String(), "open to other users") {
		t.Errorf("warnings on a fresh start:\n%s", logs)
	}
}

// An existing data directory or file that others may read is named in a
// warning, with the command that fixes it.
func TestDataPermissionWarnings(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	token := filepath.Join(dir, server.AdminTokenFile)
	if err := os.WriteFile(token, []byte("hr_test-token\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(token, 0o644)
	_, logs, err := runData(t, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var warnings []string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "level=WARN") {
			warnings = append(warnings, l)
		}
	}
	if len(warnings) != 2 {
		t.Fatalf("want 2 warning lines, got:\n%s", logs)
	}
	for i, want := range [][]string{{"path=" + dir, "mode=0755", `"chmod 700 ` + dir + `"`}, {"path=" + token, "mode=0644", `"chmod 600 ` + token + `"`}} {
		for _, w := range want {
			if !strings.Contains(warnings[i], w) {
				t.Errorf("warning %q does not say %q", warnings[i], w)
			}
		}
	}
}

// Access-key secrets are encrypted with the key file of the data
// directory, or HEADROOM_SECRET_KEY; a database is refused with another key.
func TestSecretKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	m, _, err := runData(t, dir, func(m *server.Server) { m.Config.AdminToken = adminToken })
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := m.Engine().CreateAccount(ctx, headroom.Account{ID: "123456789012"}, "test")
	if err != nil || key.Secret == "" {
		t.Fatalf("CreateAccount: %+v, %v", key, err)
	}
	keyFile := filepath.Join(dir, server.SecretKeyFile)
	b, err := os.ReadFile(keyFile)
	if err != nil || len(strings.TrimSpace(string(b))) != 64 {
		t.Fatalf("secret key file: %q, %v", b, err)
	}
	m.Close()
	db, _ := os.ReadFile(filepath.Join(dir, server.DatabaseFile))
	if len(db) == 0 || bytes.Contains(db, []byte(key.Secret)) {
		t.Fatalf("the database file (%d bytes) holds the secret", len(db))
	}
	// Restarted with its key file, the server finds the secret.
	m, _, err = runData(t, dir, func(m *server.Server) { m.Config.AdminToken = adminToken })
	if err != nil {
		t.Fatal(err)
	}
	if got, err := m.Engine().FindAccessKey(ctx, key.ID); err != nil || got.Secret != key.Secret {
		t.Fatalf("FindAccessKey after restart: %+v, %v", got, err)
	}
	m.Close()
	// With another key it is refused, and the key file is left alone.
	other := strings.Repeat("ab", 32)
	_, _, err = runData(t, dir, func(m *server.Server) { m.Config.AdminToken, m.Config.SecretKey = adminToken, other })
	if headroom.ErrorCodeOf(err) != headroom.EINVALID || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("start with another key: %v", err)
	}
	if after, _ := os.ReadFile(keyFile); !bytes.Equal(after, b) {
		t.Fatal("the key file changed")
	}
	// A lost key file: the new key made in its place is refused and removed.
	os.Rename(keyFile, keyFile+".saved")
	_, _, err = runData(t, dir, func(m *server.Server) { m.Config.AdminToken = adminToken })
	if err == nil || !strings.Contains(err.Error(), "does not match") || !strings.Contains(err.Error(), "put back the key file") {
		t.Fatalf("start without the key file: %v", err)
	}
	if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the key made for a database with another key was kept: %v", err)
	}
	t.Log(err)
	// Put back, it works again; HEADROOM_SECRET_KEY holding it works too.
	os.Rename(keyFile+".saved", keyFile)
	m, _, err = runData(t, dir, func(m *server.Server) { m.Config.AdminToken = adminToken })
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	os.Remove(keyFile)
	m, _, err = runData(t, dir, func(m *server.Server) {
		m.Config.AdminToken, m.Config.SecretKey = adminToken, strings.TrimSpace(string(b))
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := m.Engine().FindAccessKey(ctx, key.ID); err != nil || got.Secret != key.Secret {
		t.Fatalf("FindAccessKey with HEADROOM_SECRET_KEY: %+v, %v", got, err)
	}
	if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a key file was written although HEADROOM_SECRET_KEY gave the key")
	}
}
