package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
)

// A webhook's signing secret is sealed with the store's key, like an
// access key's, and bound to its webhook.
func TestWebhookSecretEncryptedAtRest(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "headroom.db")
	s, err := openWithKey(t, path, testKey(1))
	must(t, err)
	const secret = "whsec_plain-signing-secret-0123456789"
	for _, id := range []string{"wh-1", "wh-2"} {
		must(t, s.CreateWebhook(ctx, headroom.Webhook{ID: id, URL: "https://example.com/", Secret: secret, Created: t0}, headroom.AuditEntry{}))
	}
	if bytes.Contains(onDisk(t, path), []byte(secret)) {
		t.Error("the webhook secret is in the database file or its WAL")
	}
	if w, err := s.FindWebhook(ctx, "wh-1"); err != nil || w.Secret != secret {
		t.Fatalf("FindWebhook = %+v, %v", w, err)
	}
	if ws, err := s.ListWebhooks(ctx); err != nil || len(ws) != 2 || ws[1].Secret != secret {
		t.Fatalf("ListWebhooks = %+v, %v", ws, err)
	}
	must(t, s.Close())
	db, err := sql.Open("sqlite", "file:"+path)
	must(t, err)
	var raw string
	must(t, db.QueryRow("SELECT secret FROM webhooks WHERE id = 'wh-1'").Scan(&raw))
	if !strings.HasPrefix(raw, "v1:") {
		t.Fatalf("stored secret %q; want it encrypted, v1:...", raw)
	}
	// A sealed secret copied to another webhook's row does not open there.
	_, err = db.Exec("UPDATE webhooks SET secret = ? WHERE id = 'wh-2'", raw)
	must(t, err)
	must(t, db.Close())
	s, err = openWithKey(t, path, testKey(1))
	must(t, err)
	defer s.Close()
	if _, err := s.FindWebhook(ctx, "wh-2"); headroom.ErrorCodeOf(err) != headroom.EINTERNAL {
		t.Fatalf("FindWebhook of a moved secret: %v, want internal", err)
	}
}
