package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/storetest"
	"github.com/headroomhq/headroom/sqlite"
)

const plainSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, sqlite.SecretKeySize) }

// onDisk returns the bytes of the database and its -wal file.
func onDisk(t *testing.T, path string) []byte {
	t.Helper()
	var b []byte
	for _, p := range []string{path, path + "-wal"} {
		data, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		b = append(b, data...)
	}
	return b
}

// storedSecret reads the secret column of an access key with plain SQL.
func storedSecret(t *testing.T, path, id string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	must(t, err)
	defer db.Close()
	var s string
	must(t, db.QueryRow("SELECT secret FROM access_keys WHERE id = ?", id).Scan(&s))
	return s
}

func openWithKey(t *testing.T, path string, key []byte) (*sqlite.Store, error) {
	t.Helper()
	return sqlite.Open(context.Background(), sqlite.Config{Path: path, SecretKey: key})
}

func TestSecretsEncryptedAtRest(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "headroom.db")
	s, err := openWithKey(t, path, testKey(1))
	must(t, err)
	must(t, s.CreateAccount(ctx, headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{}))
	must(t, s.CreateAccessKey(ctx, headroom.AccessKey{ID: "AKIAENC", Account: acct, Secret: plainSecret, Created: t0}, headroom.AuditEntry{}))
	if bytes.Contains(onDisk(t, path), []byte(plainSecret)) {
		t.Error("the secret is in the database file or its WAL")
	}
	if raw := storedSecret(t, path, "AKIAENC"); raw == plainSecret || !strings.HasPrefix(raw, "v1:") {
		t.Errorf("stored secret %q; want it encrypted, v1:...", raw)
	}
	if k, err := s.FindAccessKey(ctx, "AKIAENC"); err != nil || k.Secret != plainSecret {
		t.Fatalf("FindAccessKey = %+v, %v", k, err)
	}
	if ks, err := s.ListAccessKeys(ctx, acct); err != nil || len(ks) != 1 || ks[0].Secret != plainSecret {
		t.Fatalf("ListAccessKeys = %+v, %v", ks, err)
	}
	must(t, s.Close())
	if bytes.Contains(onDisk(t, path), []byte(plainSecret)) {
		t.Error("the secret is in the database file after Close")
	}

	// The same key opens it again.
	s, err = openWithKey(t, path, testKey(1))
	must(t, err)
	if k, err := s.FindAccessKey(ctx, "AKIAENC"); err != nil || k.Secret != plainSecret {
		t.Fatalf("FindAccessKey after reopen = %+v, %v", k, err)
	}
	must(t, s.Close())

	// Another key, or none, is refused with a clear message.
	before := readAll(t, path)
	s, err = openWithKey(t, path, testKey(2))
	if err == nil {
		s.Close()
		t.Fatal("Open with another key succeeded")
	}
	if headroom.ErrorCodeOf(err) != headroom.EINVALID || !errors.Is(err, sqlite.ErrWrongSecretKey) || !strings.Contains(headroom.ErrorMessage(err), "secret key does not match") {
		t.Fatalf("Open with another key: %v", err)
	}
	t.Log(err)
	s, err = openWithKey(t, path, nil)
	if err == nil {
		s.Close()
		t.Fatal("Open without a key succeeded")
	}
	if headroom.ErrorCodeOf(err) != headroom.EINVALID || !strings.Contains(headroom.ErrorMessage(err), "no secret key was given") {
		t.Fatalf("Open without a key: %v", err)
	}
	if after := readAll(t, path); !bytes.Equal(before, after) {
		t.Error("a refused Open changed the database")
	}
}

// A database written without a key has its secrets encrypted in place, and
// scrubbed from the file, when opened with one.
func TestSecretsEncryptedInPlace(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "headroom.db")
	s := mustOpen(t, path)
	must(t, s.CreateAccount(ctx, headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{}))
	must(t, s.CreateAccessKey(ctx, headroom.AccessKey{ID: "AKIAOLD", Account: acct, Secret: plainSecret, Created: t0}, headroom.AuditEntry{}))
	must(t, s.CreateAccessKey(ctx, headroom.AccessKey{ID: "AKIAOLD2", Account: acct, Secret: plainSecret + "2", Created: t0}, headroom.AuditEntry{}))
	must(t, s.Close())
	if !bytes.Contains(onDisk(t, path), []byte(plainSecret)) {
		t.Fatal("without a key the secret should be stored as it is")
	}
	s, err := openWithKey(t, path, testKey(3))
	must(t, err)
	defer s.Close()
	if bytes.Contains(onDisk(t, path), []byte(plainSecret)) {
		t.Error("the plaintext secret is still in the database file or its WAL after Open with a key")
	}
	if raw := storedSecret(t, path, "AKIAOLD"); !strings.HasPrefix(raw, "v1:") {
		t.Errorf("stored secret %q after Open with a key; want v1:...", raw)
	}
	for id, want := range map[string]string{"AKIAOLD": plainSecret, "AKIAOLD2": plainSecret + "2"} {
		if k, err := s.FindAccessKey(ctx, id); err != nil || k.Secret != want {
			t.Errorf("FindAccessKey(%s) = %+v, %v", id, k, err)
		}
	}
}

// A sealed secret is bound to its key id: moved onto another key's row, it
// does not decrypt.
func TestSecretBoundToItsKey(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "headroom.db")
	s, err := openWithKey(t, path, testKey(4))
	must(t, err)
	defer s.Close()
	must(t, s.CreateAccount(ctx, headroom.Account{ID: acct, Created: t0}, headroom.AuditEntry{}))
	must(t, s.CreateAccessKey(ctx, headroom.AccessKey{ID: "AKIAA", Account: acct, Secret: "a", Created: t0}, headroom.AuditEntry{}))
	must(t, s.CreateAccessKey(ctx, headroom.AccessKey{ID: "AKIAB", Account: acct, Secret: "b", Created: t0}, headroom.AuditEntry{}))
	rawExec(t, path, "UPDATE access_keys SET secret = (SELECT secret FROM access_keys WHERE id = 'AKIAA') WHERE id = 'AKIAB'")
	if k, err := s.FindAccessKey(ctx, "AKIAB"); headroom.ErrorCodeOf(err) != headroom.EINTERNAL {
		t.Fatalf("FindAccessKey of a swapped secret = %+v, %v; want EINTERNAL", k, err)
	}
	if (&sqlite.Config{Path: path, SecretKey: []byte("short")}).Validate() == nil {
		t.Error("Validate accepted a 5-byte key")
	}
}

func TestStoreContractEncrypted(t *testing.T) {
	storetest.TestStore(t, func(t *testing.T) headroom.Store { return openStore(t, sqlite.Config{SecretKey: testKey(5)}) })
}
